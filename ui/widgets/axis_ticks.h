#pragma once
// "Nice" axis ticks (1, 2, 2.5, 5 x 10^k steps) and their labels, for the QPainter plots.

#include <QString>
#include <vector>

namespace ckpt::ui {

class AxisTicks {
public:
    /// Ticks inside [lo, hi] with about `target` intervals; a degenerate range gives one tick.
    [[nodiscard]] static std::vector<double> nice(double lo, double hi, int target = 5);
    /// The step between the ticks nice() returns for the same arguments.
    [[nodiscard]] static double step(double lo, double hi, int target = 5);
    /// A label for tick `v` that shows as many decimals as `step` needs, using exponent form
    /// for very large or very small magnitudes.
    [[nodiscard]] static QString label(double v, double step);
    /// A label for an integer count: 1200 -> "1.2k", 3000000 -> "3M".
    [[nodiscard]] static QString countLabel(double v);
};

}  // namespace ckpt::ui
