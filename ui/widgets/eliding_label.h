#pragma once
// A one-line label that never asks for more width than it gets: a long text (a file name, a
// tensor path) is elided in the middle instead of pushing the window's other panes aside.
// The whole text is in fullText() and the tooltip.

#include <QLabel>

namespace ckpt::ui {

class ElidingLabel : public QLabel {
    Q_OBJECT

public:
    explicit ElidingLabel(QWidget* parent = nullptr);

    void setFullText(const QString& text);
    [[nodiscard]] const QString& fullText() const { return m_full; }

    [[nodiscard]] QSize minimumSizeHint() const override;
    [[nodiscard]] QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateShown();

    QString m_full;
};

}  // namespace ckpt::ui
