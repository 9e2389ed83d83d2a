#include "ui/jobs/tensor_analysis.h"

#include <QPromise>
#include <QtConcurrent>

#include "core/model/tensor.h"
#include "core/util/error.h"
#include "ui/models/tensor_matrix_view.h"

namespace ckpt::ui {

namespace {

template <typename Promise>
core::ProgressFn progressFor(Promise& promise) {
    return [&promise](std::uint64_t done, std::uint64_t total) {
        if (promise.isCanceled()) {
            return false;
        }
        if (total > 0) {
            promise.setProgressValue(
                static_cast<int>(std::min<std::uint64_t>(1000, done * 1000 / total)));
        }
        return true;
    };
}

template <typename Outcome, typename Work>
void runGuarded(QPromise<Outcome>& promise, Work&& work) {
    Outcome outcome;
    promise.setProgressRange(0, 1000);
    try {
        if (promise.isCanceled()) {
            throw core::CancelledError();
        }
        work(outcome, progressFor(promise));
    } catch (const core::CancelledError&) {
        outcome.cancelled = true;
    } catch (const std::exception& e) {
        outcome.error = QString::fromUtf8(e.what());
    } catch (...) {
        outcome.error = QObject::tr("unexpected error");
    }
    promise.addResult(std::move(outcome));
}

}  // namespace

TensorAnalysis::TensorAnalysis(QObject* parent)
    : QObject(parent), m_stats([](const core::Tensor& t, const core::ProgressFn& p) {
          return core::computeStats(t, p);
      }) {
    qRegisterMetaType<core::TensorStats>();
    qRegisterMetaType<HeatmapData>();
    qRegisterMetaType<FocusHistogram>();
    m_pool.setMaxThreadCount(1);
    connect(&m_statsWatcher, &QFutureWatcherBase::finished, this, &TensorAnalysis::onStatsFinished);
    connect(&m_heatmapWatcher, &QFutureWatcherBase::finished, this,
            &TensorAnalysis::onHeatmapFinished);
    connect(&m_statsWatcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int v) { emit statsProgress(v); });
    connect(&m_heatmapWatcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int v) { emit heatmapProgress(v); });
}

TensorAnalysis::~TensorAnalysis() {
    m_statsWatcher.disconnect(this);
    m_heatmapWatcher.disconnect(this);
    cancel();
    m_pool.waitForDone();
}

void TensorAnalysis::cancel() {
    ++m_token;
    m_statsWatcher.cancel();
    m_heatmapWatcher.cancel();
    m_statsPending = m_heatmapPending = false;
    m_tensor.reset();
    m_keepAlive.reset();
}

bool TensorAnalysis::isRunning() const {
    return m_statsPending || m_heatmapPending;
}

void TensorAnalysis::analyse(std::shared_ptr<const core::Tensor> tensor,
                             std::shared_ptr<const void> keepAlive) {
    cancel();
    if (!tensor) {
        return;
    }
    const quint64 token = m_token;
    if (!tensor->readable() || !core::dtypeIsNumeric(tensor->dtype())) {
        emit statsFailed(tr("%1 values cannot be summarised")
                             .arg(QString::fromUtf8(core::dtypeName(tensor->dtype()).data())));
        emit finished();
        return;
    }
    m_statsToken = token;
    m_statsPending = true;
    const StatsFn stats = m_stats;
    m_statsWatcher.setFuture(
        QtConcurrent::run(&m_pool, [stats, tensor, keepAlive](QPromise<StatsOutcome>& promise) {
            runGuarded(promise, [&](StatsOutcome& out, const core::ProgressFn& progress) {
                out.stats = stats(*tensor, progress);
            });
        }));
    // The scan waits for the statistics: they decide whether a focused histogram is worth it.
    m_wantGrid = tensor->shape().size() >= 2 && tensor->numel() > 0;
    m_heatmapPending = m_wantGrid;
    m_tensor = std::move(tensor);
    m_keepAlive = std::move(keepAlive);
}

void TensorAnalysis::startScan(const FocusHistogram& focusPlan) {
    if (!m_wantGrid && focusPlan.isEmpty()) {
        return;
    }
    m_heatmapToken = m_token;
    m_heatmapPending = true;
    const int side = m_wantGrid ? kHeatmapSide : 0;
    m_heatmapWatcher.setFuture(
        QtConcurrent::run(&m_pool, [tensor = m_tensor, keepAlive = m_keepAlive, side,
                                    focusPlan](QPromise<HeatmapOutcome>& promise) {
            runGuarded(promise, [&](HeatmapOutcome& out, const core::ProgressFn& progress) {
                const TensorMatrixView view(tensor);
                out.focus = focusPlan;
                out.heatmap = HeatmapData::scan(view, side, &out.focus, progress);
            });
        }));
}

void TensorAnalysis::onStatsFinished() {
    const auto future = m_statsWatcher.future();
    if (m_statsToken != m_token || future.resultCount() == 0) {
        return;  // stale or cancelled
    }
    m_statsPending = false;
    const StatsOutcome outcome = future.result();
    if (outcome.cancelled) {
        return;
    }
    if (outcome.error.isEmpty()) {
        emit statsReady(outcome.stats);
        startScan(FocusHistogram::planFor(outcome.stats));
    } else {
        emit statsFailed(outcome.error);
        startScan({});
    }
    checkFinished();
}

void TensorAnalysis::onHeatmapFinished() {
    const auto future = m_heatmapWatcher.future();
    if (m_heatmapToken != m_token || future.resultCount() == 0) {
        return;
    }
    m_heatmapPending = false;
    const HeatmapOutcome outcome = future.result();
    if (outcome.cancelled) {
        return;
    }
    if (!outcome.error.isEmpty()) {
        emit heatmapFailed(outcome.error);
    } else {
        if (!outcome.focus.isEmpty()) {
            emit focusHistogramReady(outcome.focus);
        }
        if (!outcome.heatmap.isEmpty()) {
            emit heatmapReady(outcome.heatmap);
        }
    }
    checkFinished();
}

void TensorAnalysis::checkFinished() {
    if (!m_statsPending && !m_heatmapPending) {
        emit finished();
    }
}

}  // namespace ckpt::ui
