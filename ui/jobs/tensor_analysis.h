#pragma once
// Statistics and heatmap of the selected tensor, computed in the background. A newer
// selection cancels the older jobs; results of a cancelled job never reach the UI.
// Two passes over the values: the statistics, then (when there is something to draw) one scan
// that builds the heatmap and, if outliers squeeze the histogram, a focused histogram.

#include <QObject>
#include <QThreadPool>
#include <functional>
#include <memory>

#include "core/analysis/tensor_stats.h"
#include "ui/jobs/background_job.h"
#include "ui/jobs/focus_histogram.h"
#include "ui/jobs/heatmap_data.h"

namespace ckpt::core {
class Tensor;
}

namespace ckpt::ui {

/// The Tensor tab's background statistics and heatmap, one tensor at a time, on a private
/// one-thread pool; signals arrive on the owner's thread.
class TensorAnalysis : public QObject {
    Q_OBJECT

public:
    /// Computes a tensor's statistics, reporting progress; may throw.
    using StatsFn = std::function<core::TensorStats(const core::Tensor&, const core::ProgressFn&)>;
    /// Largest side of the heatmap grid.
    static constexpr int kHeatmapSide = 256;

    explicit TensorAnalysis(QObject* parent = nullptr);
    ~TensorAnalysis() override;

    /// Replaces the statistics function (the default is core::computeStats).
    void setStatsFunction(StatsFn fn) { m_stats = std::move(fn); }

    /// Starts statistics (and a heatmap for tensors of 2 or more dimensions) for `tensor`,
    /// cancelling the jobs of the previous one. Null just cancels.
    void analyse(std::shared_ptr<const core::Tensor> tensor, std::shared_ptr<const void> keepAlive);
    /// Cancels the current tensor's jobs; nothing more is reported for it, finished() included.
    void cancel();
    /// True while the statistics or the scan of the current tensor is pending.
    [[nodiscard]] bool isRunning() const;

signals:
    /// Per mille of the statistics pass.
    void statsProgress(int permille);
    /// The statistics of the current tensor, with its full-range histogram.
    void statsReady(const ckpt::core::TensorStats& stats);
    /// No statistics: `message` says why (values that cannot be summarised, a read error, out of
    /// memory).
    void statsFailed(const QString& message);
    /// Per mille of the scan pass (the heatmap, or the focused histogram alone).
    void heatmapProgress(int permille);
    /// The heatmap of the current tensor (2 or more dimensions, not empty).
    void heatmapReady(const ckpt::ui::HeatmapData& heatmap);
    /// The scan failed; `message` says why.
    void heatmapFailed(const QString& message);
    /// The central values in finer bins (only when the full histogram is dominated by outliers).
    void focusHistogramReady(const ckpt::ui::FocusHistogram& histogram);
    /// Both jobs of the current tensor are done (successfully or not).
    void finished();

private:
    struct Scan {
        HeatmapData heatmap;
        FocusHistogram focus;
    };

    void onStats(BackgroundJob<core::TensorStats>::Outcome out);
    void startScan(const FocusHistogram& focusPlan);
    void onScan(BackgroundJob<Scan>::Outcome out);
    void checkFinished();

    StatsFn m_stats;
    QThreadPool m_pool;
    BackgroundJob<core::TensorStats> m_statsJob;
    BackgroundJob<Scan> m_scanJob;
    bool m_statsPending = false;
    bool m_heatmapPending = false;
    bool m_wantGrid = false;    ///< the current tensor gets a heatmap
    bool m_scanAllowed = true;  ///< false for complex tensors: no heatmap, no focused histogram
    std::shared_ptr<const core::Tensor> m_tensor;
    std::shared_ptr<const void> m_keepAlive;
};

}  // namespace ckpt::ui
