#include "ui/jobs/focus_histogram.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/analysis/tensor_stats.h"

namespace ckpt::ui {

void FocusHistogram::add(double v) {
    if (!std::isfinite(v) || counts.empty()) {
        return;
    }
    if (v < lo) {
        ++below;
    } else if (v > hi) {
        ++above;
    } else {
        const auto n = counts.size();
        const auto bin = std::min(
            n - 1, static_cast<std::size_t>((v - lo) / (hi - lo) * static_cast<double>(n)));
        ++counts[bin];
    }
}

FocusHistogram FocusHistogram::planFor(const core::TensorStats& stats, int bins) {
    FocusHistogram plan;
    const auto& full = stats.histogram.counts;
    if (full.size() < 12 || stats.finite < 1000 || !(stats.std > 0.0)) {
        return plan;
    }
    std::vector<std::uint64_t> sorted(full);
    std::partial_sort(sorted.begin(), sorted.begin() + 3, sorted.end(), std::greater<>());
    const std::uint64_t top3 = sorted[0] + sorted[1] + sorted[2];
    if (static_cast<double>(top3) < 0.9 * static_cast<double>(stats.finite)) {
        return plan;
    }
    const double lo = std::max(stats.min, stats.mean - 4.0 * stats.std);
    const double hi = std::min(stats.max, stats.mean + 4.0 * stats.std);
    if (!(hi > lo) || (hi - lo) > 0.5 * (stats.max - stats.min)) {
        return plan;  // the outliers are not what squeezes the picture
    }
    plan.lo = lo;
    plan.hi = hi;
    plan.counts.assign(static_cast<std::size_t>(std::max(1, bins)), 0);
    return plan;
}

}  // namespace ckpt::ui
