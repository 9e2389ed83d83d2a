#pragma once
// Runs the validator over a checkpoint off the GUI thread (it reads every tensor to find NaN
// and Inf), with progress; a newer request cancels the older one and its result is dropped.

#include <QObject>
#include <memory>

#include "ui/jobs/background_job.h"

namespace ckpt::core {
class Checkpoint;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

/// One validation at a time; its signals arrive on the owner's thread.
class ValidationJob : public QObject {
    Q_OBJECT

public:
    explicit ValidationJob(QObject* parent = nullptr);
    ~ValidationJob() override;

    /// Validates `checkpoint`, cancelling a running validation.
    void start(std::shared_ptr<const core::Checkpoint> checkpoint);
    /// Cancels the running validation; nothing is reported for it.
    void cancel();
    /// True from start() until finished() or failed(), or cancel().
    [[nodiscard]] bool isRunning() const { return m_job.isRunning(); }

signals:
    /// Per mille of the tensor bytes read, or -1 while unknown.
    void progress(int permille);
    /// `checkpoint` was validated; `report` holds the findings.
    void finished(std::shared_ptr<const ckpt::core::Checkpoint> checkpoint,
                  std::shared_ptr<const ckpt::core::ValidationReport> report);
    /// The validation failed; `message` says why.
    void failed(const QString& message);

private:
    using Report = std::shared_ptr<const core::ValidationReport>;
    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    BackgroundJob<Report> m_job;
};

}  // namespace ckpt::ui
