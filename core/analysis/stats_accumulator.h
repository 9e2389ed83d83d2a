#pragma once
/// The mergeable state of one statistics pass: counts, moments, extremes and a fine histogram.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/analysis/adaptive_histogram.h"
#include "core/analysis/tensor_stats.h"
#include "core/model/dtype.h"

namespace ckpt::core {

/// Accumulates elements block by block. Each block of at most kBlockElements is reduced in two
/// passes while it sits in L1 cache (sum, extremes; then deviations from the block mean and
/// histogram), and the block moments are combined with Chan's parallel formula. This keeps the
/// variance accurate for data far from zero (1e9 + noise) in a single pass over memory.
///
/// Elements of 1-byte types, and of 2-byte types in large tensors, are instead counted per bit
/// pattern (at most 65536 of them) and reduced from those counts at the end: exact, and several
/// times faster than converting each element.
/// Not thread-safe; use one per thread and merge().
class StatsAccumulator {
public:
    static constexpr std::size_t kBlockElements = 4096;
    /// 2-byte types are counted per value from this many elements on: below it, clearing and
    /// reducing a 65536-entry table costs more than converting the elements.
    static constexpr std::uint64_t kCountValuesFrom = std::uint64_t{1} << 18;

    /// Accumulates elements of `type` (numeric or complex: magnitude |z|), about `expectedElements`
    /// of them in all (0 if unknown). Accumulators that will be merged need the same arguments.
    explicit StatsAccumulator(DType type, std::uint64_t expectedElements = 0);

    /// Adds `count` native-order elements at `data` (no alignment needed).
    void add(const std::byte* data, std::size_t count);

    /// Adds everything `other` accumulated.
    void merge(const StatsAccumulator& other);

    /// The statistics so far; bool and integer types get whole-number histogram bins.
    [[nodiscard]] TensorStats result(int forcedBins) const;

private:
    template <typename T>
    void addBlock(const std::byte* data, std::size_t count);
    void countValues(const std::byte* data, std::size_t count);
    /// Folds the per-value counts into the moments and histogram and clears them.
    void addValueCounts();
    /// result() once the per-value counts are folded in.
    [[nodiscard]] TensorStats summary(int forcedBins) const;
    /// Folds in moments of `n` finite values with mean `meanHi + meanLo` and squared deviations
    /// `m2`.
    void mergeMoments(std::uint64_t n, double meanHi, double meanLo, double m2);

    DType m_type;
    /// Per bit pattern when counting values: 65536 entries for 2-byte types, 4 interleaved
    /// tables of 256 for 1-byte types (so repeated values do not wait on each other).
    std::vector<std::uint64_t> m_valueCounts;
    std::uint64_t m_count = 0;
    std::uint64_t m_finite = 0;
    std::uint64_t m_zeros = 0;
    std::uint64_t m_nans = 0;
    std::uint64_t m_posInf = 0;
    std::uint64_t m_negInf = 0;
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
    /// The mean is kept as an unevaluated sum hi + lo (double-double): far from zero (1e9 + noise)
    /// a rounded double mean would put its rounding error into every Chan update.
    double m_meanHi = 0.0;
    double m_meanLo = 0.0;
    double m_m2 = 0.0;  ///< sum of squared deviations from the mean
    AdaptiveHistogram m_histogram;
};

}  // namespace ckpt::core
