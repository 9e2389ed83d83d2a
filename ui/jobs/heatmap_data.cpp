#include "ui/jobs/heatmap_data.h"

#include <cmath>
#include <limits>

#include "ui/jobs/focus_histogram.h"
#include "ui/models/tensor_matrix_view.h"

namespace ckpt::ui {

HeatmapData HeatmapData::build(const TensorMatrixView& view, int maxSide,
                               const core::ProgressFn& progress, std::uint64_t chunkElements) {
    return scan(view, maxSide, nullptr, progress, chunkElements);
}

HeatmapData HeatmapData::scan(const TensorMatrixView& view, int maxSide, FocusHistogram* focus,
                              const core::ProgressFn& progress, std::uint64_t chunkElements) {
    HeatmapData d;
    d.sourceRows = view.rows();
    d.sourceCols = view.cols();
    d.layout = view.layoutDescription();
    if (d.sourceRows == 0 || d.sourceCols == 0) {
        return d;
    }
    if (focus != nullptr && focus->isEmpty()) {
        focus = nullptr;
    }
    // Without a grid the blocks cover everything: one cell, which nobody reads.
    const auto side = static_cast<std::uint64_t>(maxSide > 0 ? maxSide : 1);
    d.blockRows = (d.sourceRows + side - 1) / side;
    d.blockCols = (d.sourceCols + side - 1) / side;
    d.rows = static_cast<int>((d.sourceRows + d.blockRows - 1) / d.blockRows);
    d.cols = static_cast<int>((d.sourceCols + d.blockCols - 1) / d.blockCols);
    const std::size_t cells = static_cast<std::size_t>(d.rows) * static_cast<std::size_t>(d.cols);
    std::vector<double> sum(cells, 0.0);
    std::vector<std::uint32_t> count(cells, 0);

    const std::uint64_t total = d.sourceRows * d.sourceCols;
    const std::uint64_t chunkRows = std::max<std::uint64_t>(1, chunkElements / d.sourceCols);
    std::vector<double> buf;
    core::reportProgress(progress, 0, total);
    for (std::uint64_t r0 = 0; r0 < d.sourceRows; r0 += chunkRows) {
        const std::uint64_t nr = std::min(chunkRows, d.sourceRows - r0);
        buf.resize(static_cast<std::size_t>(nr * d.sourceCols));
        view.readTile(r0, nr, 0, d.sourceCols, buf.data());
        for (std::uint64_t i = 0; i < nr; ++i) {
            const std::size_t gridRow =
                static_cast<std::size_t>((r0 + i) / d.blockRows) * static_cast<std::size_t>(d.cols);
            const double* row = buf.data() + i * d.sourceCols;
            for (std::uint64_t c = 0; c < d.sourceCols; ++c) {
                const double v = row[c];
                if (focus != nullptr) {
                    focus->add(v);
                }
                if (!std::isfinite(v)) {
                    // Cells past the end of a wrapped vector are NaN too; they are not data.
                    if (view.contains(r0 + i, c)) {
                        ++d.nonFinite;
                    }
                    continue;
                }
                const std::size_t cell = gridRow + static_cast<std::size_t>(c / d.blockCols);
                sum[cell] += v;
                ++count[cell];
            }
        }
        core::reportProgress(progress, (r0 + nr) * d.sourceCols, total);
    }
    if (maxSide <= 0) {
        d.rows = d.cols = 0;  // no grid was asked for
        return d;
    }
    d.values.resize(cells);
    for (std::size_t i = 0; i < cells; ++i) {
        if (count[i] == 0) {
            d.values[i] = std::numeric_limits<float>::quiet_NaN();
            continue;
        }
        const double mean = sum[i] / count[i];
        d.values[i] = static_cast<float>(mean);
        d.maxAbs = std::max(d.maxAbs, std::fabs(mean));
    }
    return d;
}

}  // namespace ckpt::ui
