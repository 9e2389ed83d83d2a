#include "ui/util/format.h"

#include <QLocale>
#include <cmath>

#include "core/util/percent.h"

namespace ckpt::ui::fmt {

QString count(std::uint64_t n) {
    return QLocale().toString(static_cast<qulonglong>(n));
}

QString bytes(std::uint64_t n) {
    if (n < 1024) {
        return QStringLiteral("%1 B").arg(n);
    }
    // Binary units, labelled as such: 1 KiB = 1024 B.
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = static_cast<double>(n);
    int unit = -1;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(v, 0, 'f', v < 10 ? 2 : 1).arg(QLatin1String(units[unit]));
}

QString number(double v, int precision) {
    if (std::isnan(v)) {
        return QStringLiteral("NaN");
    }
    if (std::isinf(v)) {
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    }
    if (v == 0.0) {
        return QStringLiteral("0");
    }
    const double mag = std::fabs(v);
    if (mag >= 1e6 || mag < 1e-4) {
        return QString::number(v, 'e', std::max(0, precision - 3));
    }
    return QString::number(v, 'g', precision);
}

QString shape(const std::vector<std::uint64_t>& shape) {
    if (shape.empty()) {
        return QStringLiteral("scalar");
    }
    QStringList parts;
    parts.reserve(static_cast<qsizetype>(shape.size()));
    for (const auto d : shape) {
        parts << QString::number(d);
    }
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString json(const core::Json& value) {
    return QString::fromStdString(value.dump(-1, ' ', false, core::Json::error_handler_t::replace));
}

QString percent(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) {
        return QStringLiteral("–");
    }
    return QString::fromStdString(core::percentText(part, whole)) + QStringLiteral(" %");
}

}  // namespace ckpt::ui::fmt
