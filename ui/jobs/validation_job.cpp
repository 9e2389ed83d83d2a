#include "ui/jobs/validation_job.h"

#include <QPromise>
#include <QtConcurrent>

#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

namespace ckpt::ui {

ValidationJob::ValidationJob(QObject* parent) : QObject(parent) {
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ValidationJob::onFinished);
    connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int v) { emit progress(v); });
}

ValidationJob::~ValidationJob() {
    m_watcher.disconnect(this);
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

void ValidationJob::cancel() {
    ++m_token;
    m_watcher.cancel();
    m_running = false;
    m_checkpoint.reset();
}

void ValidationJob::start(std::shared_ptr<const core::Checkpoint> checkpoint) {
    cancel();
    if (!checkpoint) {
        return;
    }
    m_checkpoint = checkpoint;
    m_runningToken = m_token;
    m_running = true;
    emit progress(-1);
    m_watcher.setFuture(QtConcurrent::run([checkpoint](QPromise<Outcome>& promise) {
        Outcome out;
        promise.setProgressRange(0, 1000);
        core::ValidateOptions options;
        options.progress = [&promise](std::uint64_t done, std::uint64_t total) {
            if (promise.isCanceled()) {
                return false;
            }
            if (total > 0) {
                promise.setProgressValue(
                    static_cast<int>(std::min<std::uint64_t>(1000, done * 1000 / total)));
            }
            return true;
        };
        try {
            out.report = std::make_shared<core::ValidationReport>(
                core::validateCheckpoint(*checkpoint, options));
        } catch (const core::CancelledError&) {
            out.cancelled = true;
        } catch (const std::exception& e) {
            out.error = QString::fromUtf8(e.what());
        } catch (...) {
            out.error = QObject::tr("unexpected error");
        }
        promise.addResult(std::move(out));
    }));
}

void ValidationJob::onFinished() {
    const auto future = m_watcher.future();
    if (m_runningToken != m_token || future.resultCount() == 0) {
        return;  // superseded or cancelled
    }
    m_running = false;
    const Outcome out = future.result();
    if (out.cancelled) {
        return;
    }
    if (out.report) {
        emit finished(m_checkpoint, out.report);
    } else {
        emit failed(out.error);
    }
    m_checkpoint.reset();
}

}  // namespace ckpt::ui
