#pragma once
// A second look at a distribution whose outliers squeeze the full-range histogram into a few
// bars: the central values (mean ± 4 std) in fine bins, with the values outside counted.

#include <QMetaType>
#include <cstdint>
#include <vector>

namespace ckpt::core {
struct TensorStats;
}

namespace ckpt::ui {

/// Equal-width bins over [lo, hi] with the finite values outside counted apart. No bins: nothing to
/// refine.
struct FocusHistogram {
    double lo = 0.0;                    ///< lower edge of the first bin
    double hi = 0.0;                    ///< upper edge of the last bin
    std::vector<std::uint64_t> counts;  ///< values per bin
    std::uint64_t below = 0;            ///< finite values under lo
    std::uint64_t above = 0;            ///< finite values over hi

    [[nodiscard]] bool isEmpty() const { return counts.empty(); }
    /// Counts one value; NaN and Inf are ignored.
    void add(double v);

    /// An empty histogram over mean ± 4 std (clipped to [min, max]) when the full-range
    /// histogram of `stats` holds 90 % of the values in at most 3 of its bins; otherwise an
    /// empty, zero-bin one (nothing to refine).
    [[nodiscard]] static FocusHistogram planFor(const core::TensorStats& stats, int bins = 80);
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::FocusHistogram)
