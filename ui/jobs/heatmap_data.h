#pragma once
// A tensor reduced to a grid of block means for the heatmap: at most a few hundred cells a
// side, whatever the tensor's size.

#include <QMetaType>
#include <QString>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/util/progress.h"

namespace ckpt::ui {

class TensorMatrixView;
struct FocusHistogram;

/// The grid HeatmapWidget draws, built off the GUI thread from a TensorMatrixView.
struct HeatmapData {
    int rows = 0;  ///< grid rows
    int cols = 0;
    std::vector<float> values;     ///< rows*cols block means; NaN where a block had no finite
    std::uint64_t sourceRows = 0;  ///< rows of the matrix view
    std::uint64_t sourceCols = 0;
    std::uint64_t blockRows = 1;  ///< matrix rows per grid row
    std::uint64_t blockCols = 1;
    double maxAbs = 0.0;          ///< largest |value| in the grid (the colour scale's end)
    std::uint64_t nonFinite = 0;  ///< NaN/Inf elements met
    QString layout;               ///< how the tensor was laid out as a matrix

    /// True without a grid: an empty matrix, or a scan that asked for none.
    [[nodiscard]] bool isEmpty() const { return rows == 0 || cols == 0; }
    /// The block mean of grid cell (r, c); not range-checked.
    [[nodiscard]] float at(int r, int c) const {
        return values[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) +
                      static_cast<std::size_t>(c)];
    }

    /// Reads the whole matrix in row chunks of about `chunkElements` and averages blocks so the
    /// grid has at most `maxSide` rows and columns. Reports progress in elements; throws
    /// core::CancelledError when `progress` returns false.
    [[nodiscard]] static HeatmapData build(const TensorMatrixView& view, int maxSide,
                                           const core::ProgressFn& progress,
                                           std::uint64_t chunkElements = 1u << 20);
    /// The same pass, optionally without the grid (`maxSide` 0) and feeding every value to
    /// `focus` when it is non-null and planned (see FocusHistogram::planFor).
    [[nodiscard]] static HeatmapData scan(const TensorMatrixView& view, int maxSide,
                                          FocusHistogram* focus, const core::ProgressFn& progress,
                                          std::uint64_t chunkElements = 1u << 20);
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::HeatmapData)
