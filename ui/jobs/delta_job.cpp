#include "ui/jobs/delta_job.h"

#include <cmath>
#include <cstring>
#include <new>

#include "core/diff/delta_reader.h"
#include "core/model/checkpoint.h"
#include "core/model/tensor.h"
#include "core/util/error.h"
#include "ui/compare/compare_style.h"
#include "ui/jobs/background_job.h"
#include "ui/jobs/compare_job.h"
#include "ui/jobs/focus_histogram.h"
#include "ui/models/tensor_matrix_view.h"

namespace ckpt::ui {
namespace {

class DeltaSource final : public core::TensorSource {
public:
    DeltaSource(std::shared_ptr<const core::Tensor> a, std::shared_ptr<const core::Tensor> b)
        : m_reader(std::move(a), std::move(b)) {}

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        std::vector<double> delta(static_cast<std::size_t>(count));
        m_reader.read(first, count, delta.data());
        std::memcpy(out, delta.data(), delta.size() * sizeof(double));
    }
    [[nodiscard]] std::string storageDescription() const override { return "B − A"; }

private:
    core::DeltaReader m_reader;
};

}  // namespace

std::shared_ptr<const core::Tensor> makeDeltaTensor(std::shared_ptr<const core::Tensor> a,
                                                    std::shared_ptr<const core::Tensor> b) {
    auto shape = a->shape();
    const bool fortran = a->fortranOrder();
    auto source = std::make_shared<DeltaSource>(std::move(a), std::move(b));
    auto delta = std::make_shared<core::Tensor>(core::DType::Float64, std::move(shape), source);
    delta->setFortranOrder(fortran);
    return delta;
}

DeltaView DeltaJob::compute(const CompareResult& result, int row,
                            const core::ProgressFn& progress) {
    DeltaView view;
    const auto& tensors = result.report.tensors;
    if (row < 0 || static_cast<std::size_t>(row) >= tensors.size()) {
        view.error = QObject::tr("no such pair");
        return view;
    }
    const core::TensorDiff& t = tensors[static_cast<std::size_t>(row)];
    view.key = t.key;
    if (!t.metrics) {
        view.error = t.note.empty()
                         ? QObject::tr("no delta: the tensor is %1")
                               .arg(compare_style::sv(core::tensorDiffStatusName(t.status)))
                         : QString::fromStdString(t.note);
        return view;
    }
    const core::Node* na = result.a->findTensor(t.aPath);
    const core::Node* nb = result.b->findTensor(t.bPath);
    if (na == nullptr || nb == nullptr) {
        view.error = QObject::tr("the tensors of this pair are no longer available");
        return view;
    }
    const double range = std::isfinite(t.metrics->maxAbsDiff) && t.metrics->maxAbsDiff > 0.0
                             ? t.metrics->maxAbsDiff
                             : 1.0;
    FocusHistogram histogram;
    histogram.lo = -range;
    histogram.hi = range;
    histogram.counts.assign(kBins, 0);
    const TensorMatrixView matrix(makeDeltaTensor(na->tensor(), nb->tensor()));
    const bool grid = t.aShape.size() >= 2;
    view.heatmap = HeatmapData::scan(matrix, grid ? kMaxSide : 0, &histogram, progress);
    view.lo = histogram.lo;
    view.hi = histogram.hi;
    view.counts = std::move(histogram.counts);
    view.nonFinite = view.heatmap.nonFinite;
    return view;
}

DeltaJob::DeltaJob(QObject* parent)
    : QObject(parent),
      m_job(
          this, tr("show the delta"), [this](int v) { emit progress(v); },
          [this](BackgroundJob<DeltaView>::Outcome out) {
              if (!out.value) {
                  emit failed(out.failure.error);
              } else if (!out.value->error.isEmpty()) {
                  emit failed(out.value->error);
              } else {
                  emit ready(*out.value);
              }
          }) {
    qRegisterMetaType<DeltaView>();
}

DeltaJob::~DeltaJob() = default;

void DeltaJob::cancel() {
    m_job.cancel();
}

void DeltaJob::start(std::shared_ptr<const CompareResult> result, int row) {
    cancel();
    if (!result) {
        emit failed(tr("nothing compared yet"));
        return;
    }
    m_job.start([result, row](const core::ProgressFn& progress) {
        return compute(*result, row, progress);
    });
}

}  // namespace ckpt::ui
