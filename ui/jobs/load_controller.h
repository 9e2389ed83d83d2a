#pragma once
// Opens checkpoints off the GUI thread, one at a time in request order, with progress and
// cancel. Results arrive on the GUI thread as signals; a result whose request was cancelled or
// superseded (same path asked again) is dropped by its token.

#include <QObject>
#include <QStringList>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "core/util/progress.h"
#include "ui/jobs/background_job.h"
#include "ui/jobs/load_request.h"

namespace ckpt::core {
struct OpenOptions;
}  // namespace ckpt::core

namespace ckpt::ui {

/// One load at a time; its signals arrive on the owner's thread.
class LoadController : public QObject {
    Q_OBJECT

public:
    /// Opens a request in a worker thread; throws core errors. The default calls
    /// core::openCheckpoint on the file or on the in-memory bytes.
    using OpenFn = std::function<std::unique_ptr<core::Checkpoint>(const LoadRequest&,
                                                                   const core::ProgressFn&)>;

    explicit LoadController(QObject* parent = nullptr);
    ~LoadController() override;

    /// Replaces the function that opens files (tests inject in-code checkpoints).
    void setOpenFunction(OpenFn fn) { m_open = std::move(fn); }

    /// Queues `request`; a queued or running request for the same path is superseded.
    void open(LoadRequest request);
    /// Cancels the running load and drops the queue.
    void cancelAll();
    /// True while a request runs or waits.
    [[nodiscard]] bool isBusy() const { return m_running.has_value() || !m_queue.empty(); }

    /// The default OpenFn.
    [[nodiscard]] static std::unique_ptr<core::Checkpoint> openWithCore(
        const LoadRequest& request, const core::ProgressFn& progress);

signals:
    /// The loader became busy (a request was queued while idle) or idle (the queue ran dry).
    void busyChanged(bool busy);
    /// A load started; `title` names it for the status bar.
    void started(const QString& title);
    /// Progress of the running load in per mille, or -1 while the total is unknown.
    void progress(int permille);
    /// A request was opened; `outcome.checkpoint` is set.
    void loaded(const ckpt::ui::LoadOutcome& outcome);
    /// A request failed; `outcome.error` says why and names the file.
    void failed(const ckpt::ui::LoadOutcome& outcome);
    /// The running load of `path` was cancelled: emitted by cancelAll() itself (the queued
    /// requests it drops get no signal), or when the open function stops with
    /// core::CancelledError. A request superseded by a newer one for the same path ends without a
    /// signal.
    void cancelled(const QString& path);

private:
    /// openWithCore's part for in-memory bytes (samples, drops).
    [[nodiscard]] static std::unique_ptr<core::Checkpoint> openBytes(
        const LoadRequest& request, const core::OpenOptions& options);
    void startNext();
    /// The running request ended (reported or cancelled): the next one starts.
    void onEnded();

    OpenFn m_open;
    std::deque<LoadRequest> m_queue;
    std::optional<LoadRequest> m_running;
    quint64 m_nextToken = 1;
    /// A cancelled run stays running until its worker ends; the next request waits for it.
    BackgroundJob<LoadOutcome> m_job;
};

}  // namespace ckpt::ui
