#pragma once
// The diverging colour scale shared by the heatmap, its legend and the value table's tint:
// blue for negative, a neutral centre at zero, red for positive (ColorBrewer RdBu, reversed).

#include <QColor>

namespace ckpt::ui {

/// Static functions only.
class ColorScale {
public:
    /// Colour for t in [-1, 1] (clamped); NaN gives a neutral grey-green marker colour.
    [[nodiscard]] static QColor diverging(double t);
    /// Colour used for NaN/Inf cells.
    [[nodiscard]] static QColor invalid();
};

}  // namespace ckpt::ui
