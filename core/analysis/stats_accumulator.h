#pragma once
/// The mergeable state of one statistics pass: counts, moments, extremes and a fine histogram.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/analysis/adaptive_histogram.h"
#include "core/analysis/tensor_stats.h"
#include "core/model/dtype.h"

namespace ckpt::core {

/// Accumulates elements block by block. Each block of at most kBlockElements is reduced in two
/// passes while it sits in L1 cache (sum, extremes; then deviations from the block mean and
/// histogram), and the block moments are combined with Chan's parallel formula. This keeps the
/// variance accurate for data far from zero (1e9 + noise) in a single pass over memory.
/// Not thread-safe; use one per thread and merge().
class StatsAccumulator {
public:
    static constexpr std::size_t kBlockElements = 4096;

    /// Adds `count` native-order elements of type `type` at `data` (no alignment needed).
    /// `type` must be numeric or complex (real part).
    void add(DType type, const std::byte* data, std::size_t count);

    /// Adds everything `other` accumulated.
    void merge(const StatsAccumulator& other);

    /// The statistics so far; `integral` selects whole-number histogram bins.
    [[nodiscard]] TensorStats result(int forcedBins, bool integral) const;

private:
    template <typename T>
    void addBlock(const std::byte* data, std::size_t count);
    /// Folds in moments of `n` finite values with mean `meanHi + meanLo` and squared deviations
    /// `m2`.
    void mergeMoments(std::uint64_t n, double meanHi, double meanLo, double m2);

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
