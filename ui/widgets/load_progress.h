#pragma once
// The status-bar piece shown while a file loads: what is loading, a progress bar (busy while
// the total is unknown) and a Cancel button.

#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace ckpt::ui {

/// The window puts it in the status bar while the loader is busy.
class LoadProgress : public QWidget {
    Q_OBJECT

public:
    explicit LoadProgress(QWidget* parent = nullptr);

    /// Shows "Opening <title>…" with a busy bar.
    void start(const QString& title);
    /// Per mille; -1 shows a busy bar.
    void setProgress(int permille);
    /// The progress bar and the Cancel button, for tests.
    [[nodiscard]] QProgressBar* bar() const { return m_bar; }
    [[nodiscard]] QToolButton* cancelButton() const { return m_cancel; }

signals:
    /// The user clicked Cancel.
    void cancelRequested();

private:
    QLabel* m_label;
    QProgressBar* m_bar;
    QToolButton* m_cancel;
};

}  // namespace ckpt::ui
