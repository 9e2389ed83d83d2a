#pragma once
/// Partial sums of the element-wise comparison of two tensors, over any number of chunks.

#include <cstddef>
#include <cstdint>

#include "core/diff/diff_report.h"
#include "core/model/dtype.h"

namespace ckpt::core {

/// A double sum with Neumaier compensation: exact to about one rounding whatever the count.
class CompensatedSum {
public:
    void add(double x);
    /// Adds another compensated sum (its value and its compensation).
    void add(const CompensatedSum& other);
    [[nodiscard]] double value() const { return m_sum + m_compensation; }

private:
    double m_sum = 0.0;
    double m_compensation = 0.0;
};

/// Compares pairs of elements chunk by chunk. One accumulator per chunk (or per thread) is
/// filled with add()/addIdentical() and the partials are merged in element order, so the result
/// does not depend on how the work was split. Blocks of 2048 elements are summed in double with
/// vector lanes, block sums are added with compensation.
class DiffAccumulator {
public:
    explicit DiffAccumulator(DiffTolerance tolerance = {});

    /// Compares `n` elements: a[i] of type `ta` with b[i] of type `tb` (native byte order, any
    /// numeric type; complex types by their real parts). `firstIndex` is the storage-order index
    /// of a[0] in the tensor, for maxAbsDiffIndex.
    void add(DType ta, const std::byte* a, DType tb, const std::byte* b, std::size_t n,
             std::uint64_t firstIndex);

    /// Same as add(t, a, t, a, n, firstIndex), for chunks known to be bitwise equal: only the
    /// squares of a are summed.
    void addIdentical(DType t, const std::byte* a, std::size_t n, std::uint64_t firstIndex);

    /// Adds the counts and sums of `later`, which covers elements after this one's.
    void merge(const DiffAccumulator& later);

    /// The metrics of everything added; `identical` is stored as given.
    [[nodiscard]] TensorMetrics result(bool identical) const;

    [[nodiscard]] std::uint64_t count() const { return m_numel; }

private:
    template <typename T>
    void addBlock(const std::byte* a, const std::byte* b, std::size_t n, std::uint64_t first);
    template <typename T>
    void addIdenticalBlock(const std::byte* a, std::size_t n, std::uint64_t first);
    template <typename T>
    void addCareful(const std::byte* a, const std::byte* b, std::size_t n, std::uint64_t first);

    DiffTolerance m_tolerance;
    std::uint64_t m_numel = 0;
    std::uint64_t m_finite = 0;
    std::uint64_t m_mismatched = 0;
    std::uint64_t m_nanMismatched = 0;
    std::uint64_t m_infMismatched = 0;
    CompensatedSum m_sumAbs;
    CompensatedSum m_sumSq;
    CompensatedSum m_sumA2;
    CompensatedSum m_sumB2;
    CompensatedSum m_dot;
    double m_maxAbs = -1.0;  // < 0: no finite pair yet
    std::uint64_t m_maxIndex = 0;
};

}  // namespace ckpt::core
