#pragma once
// A one-line label that never asks for more width than it gets: a long text (a file name, a
// tensor path) is elided in the middle instead of pushing the window's other panes aside.
// The whole text is in fullText() and the tooltip.

#include <QLabel>

namespace ckpt::ui {

/// Plain text only: use setFullText(), not setText().
class ElidingLabel : public QLabel {
    Q_OBJECT

public:
    explicit ElidingLabel(QWidget* parent = nullptr);

    /// Shows `text` elided to the label's width, with the whole text as the tooltip.
    void setFullText(const QString& text);
    [[nodiscard]] const QString& fullText() const { return m_full; }

    /// About eight characters wide at least; the whole text's width preferred.
    [[nodiscard]] QSize minimumSizeHint() const override;
    [[nodiscard]] QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateShown();

    QString m_full;
};

}  // namespace ckpt::ui
