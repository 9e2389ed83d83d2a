#pragma once
// A tensor seen as a matrix for tables and heatmaps: a 2-D tensor as itself, an n-D tensor as
// (product of the leading dims) x (last dim) (a conv kernel (kh, kw, in, out) becomes
// (kh*kw*in, out)), and a 1-D tensor wrapped into rows of a fixed width. Or, as in HDFView, one
// 2-D slice: any dim as rows, any other as columns, every other dim held at an index. Element
// reads go through Tensor::readAsDouble in the fewest contiguous runs, honouring Fortran order.

#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

namespace ckpt::core {
class Tensor;
}

namespace ckpt::ui {

/// Which 2-D slice of a tensor to show. `rowAxis` < 0: the default layout.
struct TensorSlice {
    int rowAxis = -1;                  ///< dim shown down the rows; < 0: the default layout
    int colAxis = -1;                  ///< dim shown across the columns
    std::vector<std::uint64_t> index;  ///< per dim; the row and column dims' entries unused

    /// True for the default layout; == compares axes and indices.
    [[nodiscard]] bool isDefault() const { return rowAxis < 0; }
    bool operator==(const TensorSlice&) const = default;
};

/// Shares the tensor; cheap to build. readTile() also runs on worker threads (the value table's
/// tiles, the heatmap scan).
class TensorMatrixView {
public:
    using Slice = TensorSlice;

    /// `wrapWidth`: columns used for 1-D tensors (at most that many). An invalid `slice` (axes
    /// out of range or equal, fewer than 2 dims) gives the default layout; indices are clamped.
    explicit TensorMatrixView(std::shared_ptr<const core::Tensor> tensor, int wrapWidth = 8,
                              Slice slice = TensorSlice());

    /// The matrix's size: 1 × 1 for a scalar, no rows for an empty tensor.
    [[nodiscard]] std::uint64_t rows() const { return m_rows; }
    [[nodiscard]] std::uint64_t cols() const { return m_cols; }
    /// True when a 1-D tensor is wrapped into rows (the last row may be partly empty).
    [[nodiscard]] bool wrapped() const { return m_wrapped; }
    /// False for the empty cells after the end of a wrapped 1-D tensor.
    [[nodiscard]] bool contains(std::uint64_t row, std::uint64_t col) const;
    /// Row header: "3" for 2-D, "[1, 2, 0]" (leading indices) for n-D, "16" (offset) for 1-D.
    [[nodiscard]] QString rowLabel(std::uint64_t row) const;
    /// Column header: the column index.
    [[nodiscard]] QString colLabel(std::uint64_t col) const;
    /// "rows = kh × kw × in (3 × 3 × 16), columns = out (32)" style explanation, or empty.
    [[nodiscard]] QString layoutDescription() const;

    /// Reads the tile [r0, r0+nr) x [c0, c0+nc) row-major into `out` (nr*nc doubles). Cells
    /// outside the tensor become NaN. Throws core errors from the tensor source.
    void readTile(std::uint64_t r0, std::uint64_t nr, std::uint64_t c0, std::uint64_t nc,
                  double* out) const;

    /// The tensor the view reads.
    [[nodiscard]] const core::Tensor& tensor() const { return *m_tensor; }
    /// The slice in use (default when the view shows the default layout).
    [[nodiscard]] const Slice& slice() const { return m_slice; }
    /// numpy-style text of the slice: "[:, 2, :]" (rows dim 0, columns dim 2, dim 1 at 2),
    /// with ".T" when the row dim comes after the column dim; empty for the default layout.
    [[nodiscard]] QString sliceText() const;
    /// The shape of what the view shows as an array: (rows, cols) for a matrix or slice,
    /// (numel) for a wrapped 1-D tensor, () for a scalar.
    [[nodiscard]] std::vector<std::uint64_t> shownShape() const;

private:
    [[nodiscard]] std::uint64_t storageIndex(std::uint64_t logical) const;
    [[nodiscard]] std::uint64_t logicalIndex(std::uint64_t row, std::uint64_t col) const;

    std::shared_ptr<const core::Tensor> m_tensor;
    std::vector<std::uint64_t> m_shape;
    std::uint64_t m_numel = 0;
    std::uint64_t m_rows = 0;
    std::uint64_t m_cols = 0;
    bool m_wrapped = false;
    bool m_fortran = false;
    Slice m_slice;
    std::vector<std::uint64_t> m_cStride;  ///< C-order strides in elements, sliced views only
    std::uint64_t m_sliceBase = 0;         ///< logical index of the slice's (0, 0)
};

}  // namespace ckpt::ui
