#include "ui/jobs/tensor_analysis.h"

#include "core/model/tensor.h"
#include "ui/models/tensor_matrix_view.h"

namespace ckpt::ui {

TensorAnalysis::TensorAnalysis(QObject* parent)
    : QObject(parent),
      m_stats([](const core::Tensor& t, const core::ProgressFn& p) {
          return core::computeStats(t, p);
      }),
      m_statsJob(
          this, tr("summarise the tensor"), [this](int v) { emit statsProgress(v); },
          [this](BackgroundJob<core::TensorStats>::Outcome out) { onStats(std::move(out)); }),
      m_scanJob(
          this, tr("draw the heatmap"), [this](int v) { emit heatmapProgress(v); },
          [this](BackgroundJob<Scan>::Outcome out) { onScan(std::move(out)); }) {
    qRegisterMetaType<core::TensorStats>();
    qRegisterMetaType<HeatmapData>();
    qRegisterMetaType<FocusHistogram>();
    m_pool.setMaxThreadCount(1);
}

TensorAnalysis::~TensorAnalysis() {
    cancel();
    m_pool.waitForDone();
}

void TensorAnalysis::cancel() {
    m_statsJob.cancel();
    m_scanJob.cancel();
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
    const bool complex = core::dtypeIsComplex(tensor->dtype());
    if (!tensor->readable() || (!core::dtypeIsNumeric(tensor->dtype()) && !complex)) {
        emit statsFailed(tr("%1 values cannot be summarised")
                             .arg(QString::fromUtf8(tensor->typeLabel().c_str())));
        emit finished();
        return;
    }
    m_statsPending = true;
    m_statsJob.start([stats = m_stats, tensor, keepAlive](
                         const core::ProgressFn& progress) { return stats(*tensor, progress); },
                     &m_pool);
    // Complex statistics are of |z|; the heatmap and the focused histogram read one double per
    // element (the real part), so they are not drawn rather than drawn from another quantity.
    m_scanAllowed = !complex;
    if (complex && tensor->shape().size() >= 2) {
        emit heatmapFailed(tr("complex values are not drawn (the statistics are of |z|)"));
    }
    // The scan waits for the statistics: they decide whether a focused histogram is worth it.
    m_wantGrid = m_scanAllowed && tensor->shape().size() >= 2 && tensor->numel() > 0;
    m_heatmapPending = m_wantGrid;
    m_tensor = std::move(tensor);
    m_keepAlive = std::move(keepAlive);
}

void TensorAnalysis::startScan(const FocusHistogram& focusPlan) {
    if (!m_scanAllowed || (!m_wantGrid && focusPlan.isEmpty())) {
        return;
    }
    m_heatmapPending = true;
    const int side = m_wantGrid ? kHeatmapSide : 0;
    m_scanJob.start(
        [tensor = m_tensor, keepAlive = m_keepAlive, side,
         focusPlan](const core::ProgressFn& progress) {
            Scan out;
            const TensorMatrixView view(tensor);
            out.focus = focusPlan;
            out.heatmap = HeatmapData::scan(view, side, &out.focus, progress);
            return out;
        },
        &m_pool);
}

void TensorAnalysis::onStats(BackgroundJob<core::TensorStats>::Outcome out) {
    m_statsPending = false;
    if (out.value) {
        emit statsReady(*out.value);
        startScan(FocusHistogram::planFor(*out.value));
    } else {
        emit statsFailed(out.failure.error);
        startScan({});
    }
    checkFinished();
}

void TensorAnalysis::onScan(BackgroundJob<Scan>::Outcome out) {
    m_heatmapPending = false;
    if (!out.value) {
        emit heatmapFailed(out.failure.error);
    } else {
        if (!out.value->focus.isEmpty()) {
            emit focusHistogramReady(out.value->focus);
        }
        if (!out.value->heatmap.isEmpty()) {
            emit heatmapReady(out.value->heatmap);
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
