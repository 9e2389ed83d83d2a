#pragma once
// `ckpt-inspector --screenshot OUT.png [--tensor PATH] [FILE...]`: open the files, wait until
// they are loaded, select the tensor (the first layer's kernel unless told) and wait for its
// statistics, then save the window as a PNG.

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

    /// The tensor to select before shooting (a path in the first file); empty: the first
    /// layer's kernel (SessionController::defaultTensorPath). A path the file lacks fails.
    void setTensorPath(const QString& path) { m_tensorPath = path; }
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
    QString m_tensorPath;
    bool m_started = false;
    bool m_shot = false;
};

}  // namespace ckpt::ui
