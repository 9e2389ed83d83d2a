#include "ui/jobs/load_controller.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <cstring>
#include <new>

#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/module_groups.h"
#include "core/util/error.h"
#include "ui/jobs/background_job.h"

namespace ckpt::ui {

namespace {

LoadOutcome runLoad(const LoadController::OpenFn& open, const LoadRequest& request,
                    const core::ProgressFn& progress) {
    QElapsedTimer timer;
    timer.start();
    LoadOutcome outcome;
    outcome.request = request;
    const JobFailure failure = runGuarded(
        [&] {
            outcome.checkpoint = std::shared_ptr<core::Checkpoint>(open(request, progress));
            if (!outcome.checkpoint) {
                outcome.error = QObject::tr("%1: the reader returned nothing").arg(request.path);
            }
        },
        QObject::tr("open the file"));
    outcome.cancelled = failure.cancelled;
    if (!failure.error.isEmpty()) {
        // Core errors name the file already; the others get it in front.
        outcome.error = failure.coreError ? failure.error
                                          : QObject::tr("%1: %2").arg(request.path, failure.error);
    }
    outcome.workerMs = timer.elapsed();
    return outcome;
}

}  // namespace

LoadController::LoadController(QObject* parent)
    : QObject(parent),
      m_open(&LoadController::openWithCore),
      m_job(this, tr("open the file"),
            {[this](int v, const QString&) { emit progress(v); },
             [this](BackgroundJob<LoadOutcome>::Outcome out) {
                 if (out.value) {
                     const LoadOutcome& outcome = *out.value;
                     if (outcome.cancelled) {
                         emit cancelled(outcome.request.path);
                     } else if (outcome.checkpoint) {
                         emit loaded(outcome);
                     } else {
                         emit failed(outcome);
                     }
                 }
                 onEnded();
             },
             // Cancelled by open() (superseded) or cancelAll(), which said so already.
             [this] { onEnded(); }}) {
    qRegisterMetaType<LoadOutcome>();
}

LoadController::~LoadController() = default;

std::unique_ptr<core::Checkpoint> LoadController::openWithCore(const LoadRequest& request,
                                                               const core::ProgressFn& progress) {
    core::OpenOptions options;
    options.progress = progress;
    std::unique_ptr<core::Checkpoint> checkpoint;
    if (request.bytes.isEmpty()) {
        checkpoint =
            core::openCheckpoint(std::filesystem::path(request.path.toStdString()), options);
    } else {
        checkpoint = openBytes(request, options);
    }
    // The tree shows the modules that dotted tensor keys name; paths stay as the file has them.
    core::groupDottedKeys(checkpoint->root());
    return checkpoint;
}

std::unique_ptr<core::Checkpoint> LoadController::openBytes(const LoadRequest& request,
                                                            const core::OpenOptions& options) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(request.bytes.size()));
    std::memcpy(bytes.data(), request.bytes.constData(), bytes.size());
    const std::string name =
        request.title.isEmpty() ? request.path.toStdString() : request.title.toStdString();
    // Every reader works on in-memory bytes (HDF5 through a file image), so the bytes are
    // parsed once and a failure is reported as it is, not retried from a temporary copy.
    auto source = std::make_shared<core::MemorySource>(std::move(bytes), name);
    return core::openCheckpoint(source, name, options);
}

void LoadController::open(LoadRequest request) {
    if (request.title.isEmpty()) {
        request.title = QFileInfo(request.path).fileName();
    }
    std::erase_if(m_queue, [&](const LoadRequest& r) { return r.path == request.path; });
    if (m_running && m_running->path == request.path) {
        m_job.cancel();
    }
    request.token = m_nextToken++;
    const bool wasBusy = isBusy();
    m_queue.push_back(std::move(request));
    if (!wasBusy) {
        emit busyChanged(true);
    }
    if (!m_running) {
        startNext();
    }
}

void LoadController::cancelAll() {
    const bool wasBusy = isBusy();
    m_queue.clear();
    if (m_running) {
        const QString path = m_running->path;
        m_job.cancel();
        emit cancelled(path);
    } else if (wasBusy) {
        emit busyChanged(false);
    }
}

void LoadController::startNext() {
    if (m_queue.empty()) {
        return;
    }
    m_running = std::move(m_queue.front());
    m_queue.pop_front();
    m_job.start([open = m_open, request = *m_running](const core::ProgressFn& progress) {
        return runLoad(open, request, progress);
    });
    // After start(): a cancelAll() in answer reaches the run.
    emit started(m_running->title);
    emit progress(-1);
}

void LoadController::onEnded() {
    m_running.reset();
    if (m_queue.empty()) {
        emit busyChanged(false);
    } else {
        startNext();
    }
}

}  // namespace ckpt::ui
