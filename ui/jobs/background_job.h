#pragma once
// The one scaffolding of the UI's background work (loading, tensor analysis, validation, export,
// compare, delta): one guarded run that
// turns every failure into a message (out of memory included), and BackgroundJob, a slot for
// one run at a time whose superseded results never reach the UI and whose cancelled runs are
// reported once their worker has ended.

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>
#include <QtConcurrent>
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/util/error.h"
#include "core/util/progress.h"

namespace ckpt::ui {

/// How a guarded run ended when it did not succeed.
struct JobFailure {
    QString error;           ///< the message for the user; empty when the run succeeded
    bool cancelled = false;  ///< stopped on request (no message)
    bool coreError = false;  ///< `error` is a core Error's sentence (it names the file)
    [[nodiscard]] bool failed() const { return cancelled || !error.isEmpty(); }
};

/// Runs `fn()`; every exception becomes a JobFailure: CancelledError is `cancelled`, an
/// allocation failure "not enough memory to <what>", a core Error its own sentence, anything
/// else "unexpected error: ...". Nothing escapes into the thread pool.
template <typename Fn>
[[nodiscard]] JobFailure runGuarded(Fn&& fn, const QString& what) {
    try {
        std::forward<Fn>(fn)();
        return {};
    } catch (const core::CancelledError&) {
        return {{}, true, false};
    } catch (const core::Error& e) {
        return {QString::fromUtf8(e.what()), false, true};
    } catch (const std::bad_alloc&) {
        return {QObject::tr("not enough memory to %1").arg(what), false, false};
    } catch (const std::exception& e) {
        return {QObject::tr("unexpected error: %1").arg(QString::fromUtf8(e.what())), false, false};
    } catch (...) {
        return {QObject::tr("unexpected error"), false, false};
    }
}

/// What a run of a BackgroundJob sees of its job: progress in per mille of its own total (false
/// once it should stop), a phase text shown with the progress, and whether it should stop.
class JobContext {
public:
    /// Reports `done` of `total` (per mille to the job's owner); false once the run should stop.
    core::ProgressFn progress;
    /// Sets the phase text shown with the progress from now on ("Opening a.h5…").
    std::function<void(const QString&)> setPhase;
    /// True once the run was cancelled or superseded.
    std::function<bool()> stopRequested;
};

/// How cancel() treats a run that completes anyway.
enum class CancelStyle {
    /// The run's QFuture is cancelled: a result that arrives after cancel() is dropped.
    Drop,
    /// The run is asked to stop through its progress function only, and a run that completed
    /// before it looked still reports its result (an export that was written is reported as
    /// written, never as cancelled).
    KeepFinished,
};

/// One kind of background work, one run at a time. start() supersedes the running run (its
/// result is dropped and nothing is reported for it), so `done` only ever sees the latest.
///
/// The work gets a JobContext (progress per mille, reported through `Handlers::progress` with
/// the phase text) and returns the result or throws; every exception becomes a JobFailure
/// (runGuarded). Owned by a QObject (`context`) whose thread receives every handler.
///
/// cancel(): without a `cancelled` handler the run is forgotten at once (isRunning() turns
/// false, nothing is reported). With one, the run stays running until its worker has ended,
/// and then `cancelled` is called (or `done`, under CancelStyle::KeepFinished, when the work
/// completed anyway). A run that stops with core::CancelledError on its own is reported to
/// `cancelled` too, when there is one.
template <typename Result>
class BackgroundJob {
public:
    /// What `done` receives.
    struct Outcome {
        std::optional<Result> value;  ///< set when the work succeeded
        JobFailure failure;           ///< why not (never `cancelled`: those go to `cancelled`)
    };
    /// The owner's side: every member may be empty.
    struct Handlers {
        std::function<void(int permille, const QString& phase)> progress;
        std::function<void(Outcome)> done;
        std::function<void()> cancelled;
    };

    /// `what` ends the out-of-memory message ("not enough memory to <what>").
    BackgroundJob(QObject* context, QString what, Handlers handlers,
                  CancelStyle style = CancelStyle::Drop)
        : m_what(std::move(what)), m_handlers(std::move(handlers)), m_style(style) {
        QObject::connect(&m_watcher, &QFutureWatcherBase::finished, context,
                         [this] { onFinished(); });
        const auto report = [this] {
            if (m_handlers.progress && m_running) {
                m_handlers.progress(m_watcher.progressValue(), m_watcher.progressText());
            }
        };
        QObject::connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, context, report);
        QObject::connect(&m_watcher, &QFutureWatcherBase::progressTextChanged, context, report);
    }
    /// The short form: progress without phases, no `cancelled` handler.
    BackgroundJob(QObject* context, QString what, std::function<void(int)> progress,
                  std::function<void(Outcome)> done)
        : BackgroundJob(
              context, std::move(what),
              Handlers{progress ? [p = std::move(progress)](int v, const QString&) { p(v); }
                                : std::function<void(int, const QString&)>(),
                       std::move(done),
                       {}}) {}
    ~BackgroundJob() {
        m_watcher.disconnect();
        abandon();
        m_watcher.waitForFinished();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    /// Starts `work` (on `pool`, or the global pool), superseding the running run. `work` takes
    /// a `const JobContext&` or, when it needs only progress, a `const core::ProgressFn&`.
    template <typename Work>
    void start(Work work, QThreadPool* pool = nullptr) {
        abandon();
        m_runToken = m_token;
        m_running = true;
        m_cancelRequested = false;
        m_stop = std::make_shared<std::atomic_bool>(false);
        auto run = [work = std::move(work), what = m_what,
                    stop = m_stop](QPromise<Outcome>& promise) mutable {
            promise.setProgressRange(0, 1000);
            QString phase;
            JobContext ctx;
            ctx.stopRequested = [&] { return promise.isCanceled() || stop->load(); };
            ctx.setPhase = [&](const QString& text) {
                phase = text;
                promise.setProgressValueAndText(promise.future().progressValue(), phase);
            };
            ctx.progress = [&](std::uint64_t done, std::uint64_t total) {
                if (ctx.stopRequested()) {
                    return false;
                }
                if (total > 0) {
                    promise.setProgressValueAndText(
                        static_cast<int>(std::min<std::uint64_t>(1000, done * 1000 / total)),
                        phase);
                }
                return true;
            };
            Outcome out;
            out.failure = runGuarded(
                [&] {
                    if (ctx.stopRequested()) {
                        throw core::CancelledError();
                    }
                    if constexpr (std::is_invocable_v<Work&, const JobContext&>) {
                        out.value.emplace(work(ctx));
                    } else {
                        out.value.emplace(work(ctx.progress));
                    }
                },
                what);
            promise.addResult(std::move(out));
        };
        m_watcher.setFuture(pool != nullptr ? QtConcurrent::run(pool, std::move(run))
                                            : QtConcurrent::run(std::move(run)));
    }
    /// Cancels the running run (see the class comment for what is reported).
    void cancel() {
        if (!m_running) {
            return;
        }
        if (!m_handlers.cancelled) {
            abandon();
            return;
        }
        m_cancelRequested = true;
        m_stop->store(true);
        if (m_style == CancelStyle::Drop) {
            m_watcher.cancel();
        }
    }
    /// True from start() until the run's outcome is reported or the run is forgotten.
    [[nodiscard]] bool isRunning() const { return m_running; }

private:
    /// Forgets the running run: it is told to stop and nothing is reported for it.
    void abandon() {
        ++m_token;
        if (m_stop) {
            m_stop->store(true);
        }
        m_watcher.cancel();
        m_running = false;
    }

    void onFinished() {
        if (m_runToken != m_token || !m_running) {
            return;  // superseded or forgotten
        }
        m_running = false;
        const auto future = m_watcher.future();
        std::optional<Outcome> out;
        if (future.resultCount() > 0) {
            out = future.result();
        }
        const bool completed = out && out->value.has_value();
        const bool keep = completed && (!m_cancelRequested || m_style == CancelStyle::KeepFinished);
        if (!keep && (m_cancelRequested || !out || out->failure.cancelled)) {
            if (m_handlers.cancelled) {
                m_handlers.cancelled();
            }
            return;
        }
        if (m_handlers.done) {
            m_handlers.done(std::move(*out));
        }
    }

    QString m_what;
    Handlers m_handlers;
    CancelStyle m_style;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic_bool> m_stop;
    quint64 m_token = 0;
    quint64 m_runToken = 0;
    bool m_running = false;
    bool m_cancelRequested = false;
};

}  // namespace ckpt::ui
