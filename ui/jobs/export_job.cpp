#include "ui/jobs/export_job.h"

#include <QPromise>
#include <QtConcurrent>
#include <new>

#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "ui/jobs/background_job.h"

namespace ckpt::ui {

ExportJob::ExportJob(QObject* parent) : QObject(parent) {
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ExportJob::onFinished);
    connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int v) { emit progress(v); });
}

ExportJob::~ExportJob() {
    m_watcher.disconnect(this);
    cancel();
    m_watcher.waitForFinished();
}

void ExportJob::start(std::shared_ptr<const core::Checkpoint> checkpoint, core::ExportFormat format,
                      const std::filesystem::path& out, core::ExportOptions options) {
    if (m_running || !checkpoint) {
        return;
    }
    m_running = true;
    m_stop = std::make_shared<std::atomic_bool>(false);
    emit progress(-1);
    // The job's own stop flag, not QFuture::cancel: a cancelled QFuture drops the result, and an
    // export that completed just before the request must still be reported as written.
    m_watcher.setFuture(QtConcurrent::run(
        [checkpoint, format, out, options, stop = m_stop](QPromise<Outcome>& promise) mutable {
            Outcome outcome;
            promise.setProgressRange(0, 1000);
            options.progress = promiseProgress(promise, stop.get());
            const JobFailure failure = runGuarded(
                [&] {
                    if (stop->load()) {
                        throw core::CancelledError();
                    }
                    outcome.report = core::exportCheckpoint(*checkpoint, format, out, options);
                    outcome.ok = true;
                },
                QObject::tr("export"));
            outcome.error = failure.error;
            outcome.cancelled = failure.cancelled;
            promise.addResult(std::move(outcome));
        }));
}

void ExportJob::cancel() {
    if (m_running && m_stop) {
        m_stop->store(true);
    }
}

void ExportJob::onFinished() {
    m_running = false;
    const QFuture<Outcome> future = m_watcher.future();
    if (future.resultCount() == 0) {
        emit failed(tr("the export stopped without a result"));
        return;
    }
    const Outcome outcome = future.result();
    if (outcome.ok) {
        m_report = outcome.report;
        emit succeeded();
    } else if (outcome.cancelled) {
        emit cancelled();
    } else {
        emit failed(outcome.error);
    }
}

}  // namespace ckpt::ui
