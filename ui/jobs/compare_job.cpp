#include "ui/jobs/compare_job.h"

#include <QFileInfo>
#include <QPromise>
#include <QtConcurrent>
#include <algorithm>
#include <new>

#include "core/diff/checkpoint_diff.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "ui/jobs/background_job.h"
#include "ui/jobs/load_controller.h"

namespace ckpt::ui {

struct CompareJob::Outcome {
    std::shared_ptr<const CompareResult> result;
    QString error;
    bool cancelled = false;
};

namespace {

/// Share of the progress bar given to opening each side that is a file.
constexpr int kOpenShare = 100;

std::shared_ptr<const core::Checkpoint> openSide(const CompareSide& side,
                                                 const core::ProgressFn& progress) {
    if (side.checkpoint) {
        return side.checkpoint;
    }
    LoadRequest request;
    request.path = side.path;
    request.title = side.title;
    return std::shared_ptr<const core::Checkpoint>(LoadController::openWithCore(request, progress));
}

}  // namespace

CompareJob::CompareJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const CompareResult>>();
}

CompareJob::~CompareJob() {
    if (m_watcher != nullptr) {
        m_watcher->disconnect(this);
        m_watcher->cancel();
        m_watcher->waitForFinished();
    }
}

void CompareJob::start(CompareSide a, CompareSide b) {
    if (m_watcher != nullptr) {
        m_watcher->disconnect(this);
        m_watcher->cancel();
        connect(m_watcher, &QFutureWatcherBase::finished, m_watcher, &QObject::deleteLater);
        m_watcher = nullptr;
    }
    for (CompareSide* side : {&a, &b}) {
        if (side->title.isEmpty()) {
            side->title =
                side->checkpoint
                    ? QFileInfo(QString::fromStdString(side->checkpoint->filePath())).fileName()
                    : QFileInfo(side->path).fileName();
        }
    }
    auto* watcher = new QFutureWatcher<std::shared_ptr<Outcome>>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] { onFinished(watcher); });
    connect(watcher, &QFutureWatcherBase::progressValueChanged, this, [this, watcher](int value) {
        if (watcher == m_watcher) {
            // The run counts opening each file as a share beyond 1000: report per mille of all.
            const int max = std::max(1, watcher->progressMaximum());
            emit progress(static_cast<int>(qint64{value} * 1000 / max), watcher->progressText());
        }
    });
    m_error.clear();
    m_cancelRequested = false;
    setState(State::Running);
    emit started();
    emit progress(-1, tr("Starting…"));

    const int opens = (a.checkpoint ? 0 : 1) + (b.checkpoint ? 0 : 1);
    const int total = 1000 + opens * kOpenShare;
    watcher->setFuture(
        QtConcurrent::run([a, b, total](QPromise<std::shared_ptr<Outcome>>& promise) {
            auto outcome = std::make_shared<Outcome>();
            promise.setProgressRange(0, total);
            int base = 0;
            QString phase;
            bool comparing = false;
            const core::ProgressFn progress = [&](std::uint64_t done, std::uint64_t all) {
                if (promise.isCanceled()) {
                    return false;
                }
                const int span = comparing ? 1000 : kOpenShare;
                const int value =
                    all > 0 ? base + static_cast<int>(std::min<std::uint64_t>(
                                         static_cast<std::uint64_t>(span), done * span / all))
                            : base;
                promise.setProgressValueAndText(value, phase);
                return true;
            };
            const JobFailure failure = runGuarded(
                [&] {
                    if (promise.isCanceled()) {
                        throw core::CancelledError();
                    }
                    auto result = std::make_shared<CompareResult>();
                    phase = QObject::tr("Opening %1…").arg(a.title);
                    result->a = openSide(a, progress);
                    base += a.checkpoint ? 0 : kOpenShare;
                    phase = QObject::tr("Opening %1…").arg(b.title);
                    result->b = openSide(b, progress);
                    base += b.checkpoint ? 0 : kOpenShare;
                    if (promise.isCanceled()) {
                        throw core::CancelledError();
                    }
                    phase = QObject::tr("Comparing %1 with %2…").arg(a.title, b.title);
                    comparing = true;
                    promise.setProgressValueAndText(base, phase);
                    result->report = core::diffCheckpoints(*result->a, *result->b, {}, progress);
                    // Titles of in-memory documents (samples) say more than their resource paths.
                    if (result->report.aFile.empty()) {
                        result->report.aFile = a.title.toStdString();
                    }
                    if (result->report.bFile.empty()) {
                        result->report.bFile = b.title.toStdString();
                    }
                    outcome->result = std::move(result);
                },
                QObject::tr("compare the files"));
            outcome->cancelled = failure.cancelled;
            outcome->error = failure.error;
            promise.addResult(std::move(outcome));
        }));
}

void CompareJob::cancel() {
    if (m_watcher != nullptr && m_state == State::Running) {
        m_cancelRequested = true;
        m_watcher->cancel();
    }
}

void CompareJob::onFinished(QFutureWatcher<std::shared_ptr<Outcome>>* watcher) {
    if (watcher != m_watcher) {
        watcher->deleteLater();
        return;
    }
    const QFuture<std::shared_ptr<Outcome>> future = watcher->future();
    m_watcher = nullptr;
    watcher->deleteLater();
    std::shared_ptr<Outcome> outcome =
        future.resultCount() > 0 ? future.result() : std::shared_ptr<Outcome>();
    // Cancel pressed counts even when the worker finished before it looked.
    if (!outcome || outcome->cancelled || m_cancelRequested) {
        setState(State::Cancelled);
        emit cancelled();
        return;
    }
    if (outcome->result) {
        m_result = outcome->result;
        setState(State::Finished);
        emit finished(m_result);
        return;
    }
    m_error = outcome->error;
    setState(State::Failed);
    emit failed(m_error);
}

void CompareJob::setState(State s) {
    if (m_state != s) {
        m_state = s;
        emit stateChanged(s);
    }
}

}  // namespace ckpt::ui
