#pragma once
/// A fine histogram that grows with the data in one pass and is rebinned exactly at the end.

#include <cstdint>
#include <vector>

#include "core/analysis/tensor_stats.h"

namespace ckpt::core {

/// Counts finite values on a grid of kBins fine bins of width w = 2^e, aligned to multiples of w:
/// value x falls in the bin with absolute index floor(x / w). Because w is a power of two, that
/// index is exact, and so is every edge of a histogram rebinned from whole fine bins.
///
/// The width starts as small as the first values allow and doubles (merging pairs of bins) only
/// when the values seen so far no longer fit; the final width is thus the smallest one that fits
/// all data, whatever order the values arrived in or how they were split between accumulators.
/// Not thread-safe; use one per thread and merge().
class AdaptiveHistogram {
public:
    static constexpr std::int64_t kBins = 4096;

    /// True until a range was included.
    [[nodiscard]] bool empty() const { return m_empty; }

    /// Makes room for the finite range [lo, hi] (lo <= hi), coarsening the grid when needed.
    /// Must precede counting values of that range through binner().
    void include(double lo, double hi);

    /// Counts values into the current grid. Valid until the next include() or merge(); holds the
    /// grid in plain members so a hot loop keeps it in registers.
    struct Binner {
        double inverseWidth;  ///< 2^-e
        std::int64_t start;   ///< absolute index of counts[0]
        std::uint64_t* counts;

        /// Counts one finite value that lies inside a range passed to include().
        void add(double x) const { ++counts[index(x) - start]; }
        /// floor(x / w), exact: x * 2^-e is exact and the correction turns truncation into floor.
        [[nodiscard]] std::int64_t index(double x) const {
            const double u = x * inverseWidth;
            auto t = static_cast<std::int64_t>(u);
            // A tiny negative x can underflow to -0.0, whose floor must still be -1.
            t -= static_cast<std::int64_t>((static_cast<double>(t) > u) | ((u == 0.0) & (x < 0.0)));
            return t;
        }
    };
    /// The grid as it stands, to count values of ranges already included.
    [[nodiscard]] Binner binner() { return {m_inverseWidth, m_start, m_counts.data()}; }

    /// Adds the counts of `other` (any grid) to this one.
    void merge(const AdaptiveHistogram& other);

    /// Rebins onto a histogram covering [min, max] of `finite` values. `forcedBins` > 0 fixes the
    /// bin count; 0 chooses it (Freedman-Diaconis, at least Sturges, clamped to 10..128).
    /// `integral` data (bool, integer types) with at most 128 distinct values gets one bin per
    /// value, [v - 0.5, v + 0.5), and bins a whole number wide otherwise (centred on whole
    /// numbers while the fine grid is finer than 1/2). min == max gives one bin [min, max]. No
    /// data gives no bins.
    [[nodiscard]] Histogram finish(double min, double max, std::uint64_t finite, int forcedBins,
                                   bool integral) const;

private:
    [[nodiscard]] std::int64_t index(double x) const {
        return Binner{m_inverseWidth, 0, nullptr}.index(x);
    }
    [[nodiscard]] double width() const;
    [[nodiscard]] bool fits(std::int64_t lo, std::int64_t hi) const { return hi - lo < kBins; }
    void setExponent(int e);
    void coarsen();
    void moveWindow(std::int64_t start);
    [[nodiscard]] int autoBinCount(double min, double max, std::uint64_t finite) const;
    [[nodiscard]] std::uint64_t countAt(std::int64_t absolute) const;

    bool m_empty = true;
    int m_exponent = 0;           ///< fine bin width is 2^m_exponent
    double m_inverseWidth = 1.0;  ///< 2^-m_exponent
    std::int64_t m_start = 0;     ///< absolute index of m_counts[0]
    std::int64_t m_occupiedLo = 0;
    std::int64_t m_occupiedHi = -1;  ///< absolute indices of the included range, inclusive
    std::vector<std::uint64_t> m_counts;
};

}  // namespace ckpt::core
