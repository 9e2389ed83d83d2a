#pragma once
// Runs the validator over a checkpoint off the GUI thread (it reads every tensor to find NaN
// and Inf), with progress; a newer request cancels the older one and its result is dropped.

#include <QFutureWatcher>
#include <QObject>
#include <memory>

namespace ckpt::core {
class Checkpoint;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

class ValidationJob : public QObject {
    Q_OBJECT

public:
    explicit ValidationJob(QObject* parent = nullptr);
    ~ValidationJob() override;

    /// Validates `checkpoint`, cancelling a running validation.
    void start(std::shared_ptr<const core::Checkpoint> checkpoint);
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_running; }

signals:
    /// Per mille of the tensor bytes read, or -1 while unknown.
    void progress(int permille);
    void finished(std::shared_ptr<const ckpt::core::Checkpoint> checkpoint,
                  std::shared_ptr<const ckpt::core::ValidationReport> report);
    void failed(const QString& message);

private:
    struct Outcome {
        std::shared_ptr<const core::ValidationReport> report;
        QString error;
        bool cancelled = false;
    };

    void onFinished();

    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    quint64 m_token = 0;
    quint64 m_runningToken = 0;
    bool m_running = false;
};

}  // namespace ckpt::ui
