#include "ui/jobs/export_job.h"

#include "core/model/checkpoint.h"

namespace ckpt::ui {

ExportJob::ExportJob(QObject* parent)
    : QObject(parent),
      m_job(this, tr("export"),
            {[this](int v, const QString&) { emit progress(v); },
             [this](BackgroundJob<core::ExportReport>::Outcome out) {
                 if (out.value) {
                     m_report = std::move(*out.value);
                     emit succeeded();
                 } else {
                     emit failed(out.failure.error);
                 }
             },
             [this] { emit cancelled(); }},
            CancelStyle::KeepFinished) {}

ExportJob::~ExportJob() = default;

void ExportJob::start(std::shared_ptr<const core::Checkpoint> checkpoint, core::ExportFormat format,
                      const std::filesystem::path& out, core::ExportOptions options) {
    if (m_job.isRunning() || !checkpoint) {
        return;
    }
    m_job.start([checkpoint, format, out, options](const core::ProgressFn& progress) mutable {
        options.progress = progress;
        return core::exportCheckpoint(*checkpoint, format, out, options);
    });
    emit progress(-1);  // after start(): a cancel() in answer reaches the run
}

void ExportJob::cancel() {
    m_job.cancel();
}

}  // namespace ckpt::ui
