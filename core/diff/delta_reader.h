#pragma once
/// The element-wise difference of one tensor pair, read in chunks: what a compare view needs for
/// heatmaps, histograms and value tables of the delta.

#include <cstdint>
#include <memory>

namespace ckpt::core {

class Tensor;

/// Reads b - a for one pair of tensors with the same number of elements (as paired by
/// diffCheckpoints: same shape, dtypes may differ). Thread-safe; memory per call is the range
/// asked for.
class DeltaReader {
public:
    /// Throws UnsupportedError when the element counts differ or either tensor has no numeric,
    /// readable data.
    DeltaReader(std::shared_ptr<const Tensor> a, std::shared_ptr<const Tensor> b);

    [[nodiscard]] std::uint64_t numel() const { return m_numel; }

    /// Reads elements [first, first + count) in storage order: `delta[i] = b[i] - a[i]` as
    /// doubles, and, when the pointers are not null, the values of each side. Each non-null
    /// output holds `count` doubles. NaN and Inf pass through as IEEE arithmetic gives them.
    /// Throws the sources' errors (CorruptDataError, ...) and for a range past the end.
    void read(std::uint64_t first, std::uint64_t count, double* delta, double* a = nullptr,
              double* b = nullptr) const;

private:
    std::shared_ptr<const Tensor> m_a;
    std::shared_ptr<const Tensor> m_b;
    std::uint64_t m_numel = 0;
};

}  // namespace ckpt::core
