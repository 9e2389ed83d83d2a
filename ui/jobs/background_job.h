#pragma once
// The one scaffolding of the UI's background work (loading, tensor analysis, validation, export,
// compare, delta): a progress adapter from core::ProgressFn to a QPromise, one guarded run that
// turns every failure into a message (out of memory included), and BackgroundJob, a slot for
// one run at a time whose superseded or cancelled results never reach the UI.

#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>
#include <QtConcurrent>
#include <algorithm>
#include <atomic>
#include <functional>
#include <new>
#include <optional>
#include <utility>

#include "core/util/error.h"
#include "core/util/progress.h"

namespace ckpt::ui {

/// A core::ProgressFn that sets `promise`'s progress in per mille of `total` (the promise's
/// range must be 0..1000) and asks the work to stop once the promise is cancelled or `stop`
/// is set. The promise must outlive the function.
template <typename T>
[[nodiscard]] core::ProgressFn promiseProgress(QPromise<T>& promise,
                                               const std::atomic_bool* stop = nullptr) {
    return [&promise, stop](std::uint64_t done, std::uint64_t total) {
        if (promise.isCanceled() || (stop != nullptr && stop->load())) {
            return false;
        }
        if (total > 0) {
            promise.setProgressValue(
                static_cast<int>(std::min<std::uint64_t>(1000, done * 1000 / total)));
        }
        return true;
    };
}

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

/// One kind of background work, one run at a time. start() cancels the running one; results of
/// a cancelled or superseded run are dropped, so `done` only ever sees the latest. `work` gets
/// a ProgressFn (per mille, reported through `progress`) and returns the result. Owned by a
/// QObject (`context`) whose thread receives `progress` and `done`.
template <typename Result>
class BackgroundJob {
public:
    /// What `done` receives.
    struct Outcome {
        std::optional<Result> value;  ///< set when the work succeeded
        JobFailure failure;           ///< why not (never `cancelled`: cancelled runs are dropped)
    };
    /// The work: runs on a pool thread, reports through the ProgressFn (false once cancelled) and
    /// returns the result or throws.
    using WorkFn = std::function<Result(const core::ProgressFn&)>;

    /// `what` ends the out-of-memory message ("not enough memory to <what>"). `progress` (may be
    /// empty) gets per mille and `done` the outcome of the latest run, both on `context`'s thread.
    BackgroundJob(QObject* context, QString what, std::function<void(int)> progress,
                  std::function<void(Outcome)> done)
        : m_what(std::move(what)), m_done(std::move(done)) {
        QObject::connect(&m_watcher, &QFutureWatcherBase::finished, context,
                         [this] { onFinished(); });
        QObject::connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, context,
                         [p = std::move(progress)](int v) {
                             if (p) {
                                 p(v);
                             }
                         });
    }
    ~BackgroundJob() {
        m_watcher.disconnect();
        cancel();
        m_watcher.waitForFinished();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    /// Starts `work` (on `pool`, or the global pool), cancelling the running one.
    void start(WorkFn work, QThreadPool* pool = nullptr) {
        cancel();
        m_runToken = m_token;
        m_running = true;
        const QString what = m_what;
        auto run = [work = std::move(work), what](QPromise<Outcome>& promise) {
            promise.setProgressRange(0, 1000);
            Outcome out;
            out.failure = runGuarded(
                [&] {
                    if (promise.isCanceled()) {
                        throw core::CancelledError();
                    }
                    out.value.emplace(work(promiseProgress(promise)));
                },
                what);
            promise.addResult(std::move(out));
        };
        m_watcher.setFuture(pool != nullptr ? QtConcurrent::run(pool, std::move(run))
                                            : QtConcurrent::run(std::move(run)));
    }
    /// Cancels the running work; its result is dropped.
    void cancel() {
        ++m_token;
        m_watcher.cancel();
        m_running = false;
    }
    /// True from start() until the run's outcome reaches `done` or cancel() is called.
    [[nodiscard]] bool isRunning() const { return m_running; }

private:
    void onFinished() {
        const auto future = m_watcher.future();
        if (m_runToken != m_token || future.resultCount() == 0) {
            return;  // superseded or cancelled
        }
        m_running = false;
        Outcome out = future.result();
        if (out.failure.cancelled) {
            return;
        }
        m_done(std::move(out));
    }

    QString m_what;
    std::function<void(Outcome)> m_done;
    QFutureWatcher<Outcome> m_watcher;
    quint64 m_token = 0;
    quint64 m_runToken = 0;
    bool m_running = false;
};

}  // namespace ckpt::ui
