#pragma once
// `ckpt-inspector --screenshot OUT.png [FILE...]`: open the files, wait until they are loaded,
// select the first layer's kernel and wait for its statistics, then save the window as a PNG.

#include <QObject>
#include <QStringList>

#include "ui/main_window.h"

namespace ckpt::ui {

class ScreenshotSession : public QObject {
    Q_OBJECT

public:
    /// Longest wait for the statistics and heatmap before shooting anyway.
    static constexpr int kAnalysisTimeoutMs = 30000;

    ScreenshotSession(MainWindow* window, QString outputPath, MainWindow::Tab tab,
                      QObject* parent = nullptr);

    /// Opens `files` (the bundled samples when empty) and shoots when done.
    void start(const QStringList& files);

signals:
    /// 0 when the PNG was written; otherwise `message` says why not.
    void finished(int exitCode, const QString& message);

private:
    void onIdle();
    void shootWhenSettled(int attemptsLeft);
    void shoot();

    MainWindow* m_window;
    QString m_output;
    MainWindow::Tab m_tab;
    QStringList m_errors;
    bool m_started = false;
    bool m_shot = false;
};

}  // namespace ckpt::ui
