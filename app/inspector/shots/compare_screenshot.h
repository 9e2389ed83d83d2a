#pragma once
// `ckpt-inspector --compare A B --screenshot OUT.png`: compare the two files, wait for the diff
// and for the delta of the pair it selects, then save the Compare window as a PNG.

#include <QObject>
#include <QString>

namespace ckpt::ui {

class CompareWindow;

class CompareScreenshot : public QObject {
    Q_OBJECT

public:
    /// Longest wait for the delta heatmap before shooting anyway.
    static constexpr int kDeltaTimeoutMs = 30000;

    CompareScreenshot(CompareWindow* window, QString outputPath, QObject* parent = nullptr);

    /// Compares `a` with `b` and shoots when done.
    void start(const QString& a, const QString& b);

signals:
    /// 0 when the PNG was written; otherwise `message` says why not.
    void finished(int exitCode, const QString& message);

private:
    void onCompareDone();
    void shoot();

    CompareWindow* m_window;
    QString m_output;
    QStringList m_errors;
    bool m_shot = false;
};

}  // namespace ckpt::ui
