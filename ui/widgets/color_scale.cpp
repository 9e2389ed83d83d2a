#include "ui/widgets/color_scale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ckpt::ui {

QColor ColorScale::diverging(double t) {
    if (std::isnan(t)) {
        return invalid();
    }
    // RdBu_r stops, from -1 to +1.
    static const std::array<QColor, 11> stops = {
        QColor(0x05, 0x30, 0x61), QColor(0x21, 0x66, 0xAC), QColor(0x43, 0x93, 0xC3),
        QColor(0x92, 0xC5, 0xDE), QColor(0xD1, 0xE5, 0xF0), QColor(0xF7, 0xF7, 0xF7),
        QColor(0xFD, 0xDB, 0xC7), QColor(0xF4, 0xA5, 0x82), QColor(0xD6, 0x60, 0x4D),
        QColor(0xB2, 0x18, 0x2B), QColor(0x67, 0x00, 0x1F)};
    const double x = (std::clamp(t, -1.0, 1.0) + 1.0) / 2.0 * (stops.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(x), stops.size() - 2);
    const double f = x - static_cast<double>(i);
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * f),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * f),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * f));
}

QColor ColorScale::invalid() {
    return QColor(0x2E, 0xCC, 0x40);
}

}  // namespace ckpt::ui
