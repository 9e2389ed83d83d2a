#include "ui/widgets/axis_ticks.h"

#include <cmath>

namespace ckpt::ui {

double AxisTicks::step(double lo, double hi, int target) {
    const double span = hi - lo;
    if (!(span > 0) || !std::isfinite(span)) {
        return 0.0;
    }
    const double raw = span / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / mag;
    // The nearest of 1, 2, 2.5, 5 and 10, so the tick count stays close to the target.
    double nice = 10.0;
    if (norm < 1.5) {
        nice = 1.0;
    } else if (norm < 2.25) {
        nice = 2.0;
    } else if (norm < 3.5) {
        nice = 2.5;
    } else if (norm < 7.5) {
        nice = 5.0;
    }
    return nice * mag;
}

std::vector<double> AxisTicks::nice(double lo, double hi, int target) {
    const double s = step(lo, hi, target);
    if (s <= 0.0) {
        return std::isfinite(lo) ? std::vector<double>{lo} : std::vector<double>{};
    }
    std::vector<double> ticks;
    const double eps = s * 1e-9;
    for (double t = std::ceil((lo - eps) / s) * s; t <= hi + eps; t += s) {
        ticks.push_back(std::fabs(t) < eps ? 0.0 : t);
        if (ticks.size() > 100) {
            break;
        }
    }
    return ticks;
}

std::vector<double> AxisTicks::whole(double lo, double hi, int target) {
    double s = step(lo, hi, target);
    if (s <= 0.0) {
        return std::isfinite(lo) ? std::vector<double>{std::round(lo)} : std::vector<double>{};
    }
    s = std::max(1.0, s);
    if (std::fabs(s - std::round(s)) > 1e-9) {
        s = std::round(s * 0.8);  // 2.5 -> 2, 25 stays
    }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / s - 1e-9) * s; t <= hi + 1e-9; t += s) {
        ticks.push_back(std::round(t) == 0.0 ? 0.0 : std::round(t));
        if (ticks.size() > 100) {
            break;
        }
    }
    return ticks;
}

QString AxisTicks::label(double v, double step) {
    if (v == 0.0) {
        return QStringLiteral("0");
    }
    const double mag = std::max(std::fabs(v), std::fabs(step));
    if (mag >= 1e6 || (step > 0 && step < 1e-4) || (step == 0 && std::fabs(v) < 1e-4)) {
        return QString::number(v, 'e', 1);
    }
    int decimals = 0;
    if (step > 0) {
        decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
        // 2.5 x 10^k steps need one more digit.
        if (std::fabs(step / std::pow(10.0, -decimals) -
                      std::round(step / std::pow(10.0, -decimals))) > 1e-6) {
            ++decimals;
        }
    } else {
        return QString::number(v, 'g', 4);
    }
    return QString::number(v, 'f', std::min(decimals, 8));
}

QString AxisTicks::countLabel(double v) {
    const double a = std::fabs(v);
    if (a >= 1e9) {
        return QString::number(v / 1e9, 'g', 3) + QLatin1Char('G');
    }
    if (a >= 1e6) {
        return QString::number(v / 1e6, 'g', 3) + QLatin1Char('M');
    }
    if (a >= 1e4) {
        return QString::number(v / 1e3, 'g', 3) + QLatin1Char('k');
    }
    return QString::number(v, 'f', 0);
}

}  // namespace ckpt::ui
