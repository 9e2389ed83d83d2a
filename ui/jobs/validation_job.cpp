#include "ui/jobs/validation_job.h"

#include "core/model/checkpoint.h"
#include "core/validate/validator.h"

namespace ckpt::ui {

ValidationJob::ValidationJob(QObject* parent)
    : QObject(parent),
      m_job(
          this, tr("check the file"), [this](int v) { emit progress(v); },
          [this](BackgroundJob<Report>::Outcome out) {
              auto checkpoint = std::move(m_checkpoint);
              if (out.value) {
                  emit finished(checkpoint, *out.value);
              } else {
                  emit failed(out.failure.error);
              }
          }) {}

ValidationJob::~ValidationJob() = default;

void ValidationJob::cancel() {
    m_job.cancel();
    m_checkpoint.reset();
}

void ValidationJob::start(std::shared_ptr<const core::Checkpoint> checkpoint) {
    cancel();
    if (!checkpoint) {
        return;
    }
    m_checkpoint = checkpoint;
    m_job.start([checkpoint](const core::ProgressFn& progress) -> Report {
        core::ValidateOptions options;
        options.progress = progress;
        return std::make_shared<core::ValidationReport>(
            core::validateCheckpoint(*checkpoint, options));
    });
    emit progress(-1);  // after start(): a cancel() in answer reaches the run
}

}  // namespace ckpt::ui
