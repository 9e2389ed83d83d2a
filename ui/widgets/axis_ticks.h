#pragma once
// "Nice" axis ticks (1, 2, 2.5, 5 x 10^k steps) and their labels, for the QPainter plots.

#include <QString>
#include <vector>

namespace ckpt::ui {

/// Tick positions and labels; static functions only.
class AxisTicks {
public:
    /// Ticks inside [lo, hi] with about `target` intervals; a degenerate range gives one tick.
    [[nodiscard]] static std::vector<double> nice(double lo, double hi, int target = 5);
    /// The step between the ticks nice() returns for the same arguments.
    [[nodiscard]] static double step(double lo, double hi, int target = 5);
    /// A label for tick `v` that shows as many decimals as `step` needs, using exponent form
    /// for very large or very small magnitudes.
    [[nodiscard]] static QString label(double v, double step);
    /// Like nice(), but only whole numbers (a step of at least 1, never 2.5): for counts and for
    /// integer values, so small ranges do not get ticks at 0.25 or 0.5.
    [[nodiscard]] static std::vector<double> whole(double lo, double hi, int target = 5);
    /// A label for an integer count: 1200 -> "1.2k", 3000000 -> "3M".
    [[nodiscard]] static QString countLabel(double v);
};

}  // namespace ckpt::ui
