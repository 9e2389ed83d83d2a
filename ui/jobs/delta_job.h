#pragma once
// The difference B − A of one tensor pair, computed off the GUI thread for the compare view: a
// heatmap grid of block means (tensors of two or more dimensions, downsampled) and a histogram,
// both from one chunked pass through core::DeltaReader.

#include <QMetaType>
#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

#include "ui/jobs/background_job.h"
#include "ui/jobs/heatmap_data.h"

namespace ckpt::core {
class Tensor;
}

namespace ckpt::ui {

struct CompareResult;

/// The delta B − A of one pair, ready to draw. When `error` is set, only `key` may be too.
struct DeltaView {
    std::string key;      ///< the pair's key
    HeatmapData heatmap;  ///< empty for tensors of fewer than two dimensions
    double lo = 0.0;      ///< histogram range (symmetric around zero)
    double hi = 0.0;
    std::vector<std::uint64_t> counts;  ///< DeltaJob::kBins counts over [lo, hi]
    std::uint64_t nonFinite = 0;        ///< NaN/Inf deltas (not in the histogram)
    QString error;                      ///< why nothing could be computed
};

/// A float64 tensor of the element-wise B − A of two tensors, read lazily through DeltaReader;
/// laid out as A (its shape and storage order).
[[nodiscard]] std::shared_ptr<const core::Tensor> makeDeltaTensor(
    std::shared_ptr<const core::Tensor> a, std::shared_ptr<const core::Tensor> b);

/// The delta of one pair at a time, for the Compare window; its signals arrive on the owner's
/// thread.
class DeltaJob : public QObject {
    Q_OBJECT

public:
    /// Heatmap cells per side at most.
    static constexpr int kMaxSide = 160;
    /// Histogram bins.
    static constexpr int kBins = 60;

    explicit DeltaJob(QObject* parent = nullptr);
    ~DeltaJob() override;

    /// Computes the delta of row `row` of `result`'s report; a running computation is dropped.
    /// Rows without comparable values end at once with failed().
    void start(std::shared_ptr<const CompareResult> result, int row);
    /// Drops the running computation; nothing is reported for it.
    void cancel();
    /// True from start() until ready() or failed(), or cancel().
    [[nodiscard]] bool isRunning() const { return m_job.isRunning(); }

    /// The computation itself (the worker's body; tests call it directly too).
    [[nodiscard]] static DeltaView compute(const CompareResult& result, int row,
                                           const core::ProgressFn& progress = {});

signals:
    /// Per mille of the values read.
    void progress(int permille);
    /// The delta of the started pair.
    void ready(const ckpt::ui::DeltaView& view);
    /// No delta for the started pair: `message` says why (nothing compared yet, no values to
    /// compare, tensors gone, a read error).
    void failed(const QString& message);

private:
    BackgroundJob<DeltaView> m_job;
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::DeltaView)
