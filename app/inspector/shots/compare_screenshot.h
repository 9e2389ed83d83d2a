#pragma once
// `ckpt-inspector --compare A B --screenshot OUT.png`: compare the two files, wait for the diff
// and for the delta of the pair it selects (and with --tab graph for the graph diff), then save
// the Compare window as a PNG.

#include <QObject>
#include <QString>

namespace ckpt::ui {

class CompareWindow;

class CompareScreenshot : public QObject {
    Q_OBJECT

public:
    /// Longest wait for the delta heatmap before shooting anyway.
    static constexpr int kDeltaTimeoutMs = 30000;

    /// `graph`: shoot the Graph tab (the graph diff) once it is drawn, instead of the pair tree.
    CompareScreenshot(CompareWindow* window, QString outputPath, bool graph = false,
                      QObject* parent = nullptr);

    /// Compares `a` with `b` and shoots when done.
    void start(const QString& a, const QString& b);

signals:
    /// 0 when the PNG was written; otherwise `message` says why not.
    void finished(int exitCode, const QString& message);

private:
    void onCompareDone();
    /// Shoots once the delta and (with `graph`) the graph diff are shown.
    void shootWhenReady();
    void shoot();

    CompareWindow* m_window;
    QString m_output;
    QStringList m_errors;
    bool m_shot = false;
    bool m_graph = false;
    bool m_deltaDone = false;
    bool m_graphDone = false;
};

}  // namespace ckpt::ui
