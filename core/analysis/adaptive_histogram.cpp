#include "core/analysis/adaptive_histogram.h"

#include <algorithm>
#include <cmath>

namespace ckpt::core {
namespace {

/// Finest grid allowed: 2^-1000 keeps 2^-e finite.
constexpr int kMinExponent = -1000;
/// The grid never resolves finer than 2^-50 of the largest magnitude, so |x / w| < 2^51 and bin
/// indices stay exact integers.
constexpr int kPrecisionBits = 50;
constexpr std::int64_t kMaxDistinctValueBins = 128;
constexpr int kMinAutoBins = 10;
constexpr int kMaxAutoBins = 128;
constexpr int kMaxForcedBins = 1 << 16;

int precisionFloor(double lo, double hi) {
    const double maxAbs = std::max(std::fabs(lo), std::fabs(hi));
    if (maxAbs == 0.0) {
        return kMinExponent;
    }
    return std::max(kMinExponent, std::ilogb(maxAbs) - kPrecisionBits);
}

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

}  // namespace

double AdaptiveHistogram::width() const {
    return std::ldexp(1.0, m_exponent);
}

void AdaptiveHistogram::setExponent(int e) {
    m_exponent = e;
    m_inverseWidth = std::ldexp(1.0, -e);
}

void AdaptiveHistogram::include(double lo, double hi) {
    const int floorExponent = precisionFloor(lo, hi);
    if (m_empty) {
        // Start at or below the smallest fitting width; the loop below climbs to it.
        int e = floorExponent;
        const double halfRange = 0.5 * hi - 0.5 * lo;  // halves first: hi - lo may overflow
        if (halfRange > 0.0) {
            e = std::max(e, std::ilogb(halfRange) - 12);
        }
        setExponent(e);
        while (!fits(index(lo), index(hi))) {
            setExponent(m_exponent + 1);
        }
        m_empty = false;
        m_occupiedLo = index(lo);
        m_occupiedHi = index(hi);
        m_counts.assign(static_cast<std::size_t>(kBins), 0);
        m_start = m_occupiedLo - (kBins - (m_occupiedHi - m_occupiedLo + 1)) / 2;
        return;
    }
    while (m_exponent < floorExponent) {
        coarsen();
    }
    std::int64_t newLo = 0;
    std::int64_t newHi = 0;
    for (;;) {
        newLo = std::min(m_occupiedLo, index(lo));
        newHi = std::max(m_occupiedHi, index(hi));
        if (fits(newLo, newHi)) {
            break;
        }
        coarsen();
    }
    if (newLo < m_start || newHi >= m_start + kBins) {
        moveWindow(newLo - (kBins - (newHi - newLo + 1)) / 2);
    }
    m_occupiedLo = newLo;
    m_occupiedHi = newHi;
}

void AdaptiveHistogram::coarsen() {
    // >> on a negative int64 is a floor division by 2 (C++20), so floor(x/2w) = floor(x/w) >> 1.
    const std::int64_t newStart = m_start >> 1;
    std::vector<std::uint64_t> merged(static_cast<std::size_t>(kBins), 0);
    for (std::int64_t a = m_occupiedLo; a <= m_occupiedHi; ++a) {
        merged[static_cast<std::size_t>((a >> 1) - newStart)] += countAt(a);
    }
    m_counts.swap(merged);
    m_start = newStart;
    m_occupiedLo >>= 1;
    m_occupiedHi >>= 1;
    setExponent(m_exponent + 1);
}

void AdaptiveHistogram::moveWindow(std::int64_t start) {
    std::vector<std::uint64_t> moved(static_cast<std::size_t>(kBins), 0);
    for (std::int64_t a = m_occupiedLo; a <= m_occupiedHi; ++a) {
        moved[static_cast<std::size_t>(a - start)] = countAt(a);
    }
    m_counts.swap(moved);
    m_start = start;
}

std::uint64_t AdaptiveHistogram::countAt(std::int64_t absolute) const {
    return m_counts[static_cast<std::size_t>(absolute - m_start)];
}

void AdaptiveHistogram::merge(const AdaptiveHistogram& other) {
    if (other.m_empty) {
        return;
    }
    if (m_empty) {
        *this = other;
        return;
    }
    AdaptiveHistogram o = other;
    while (o.m_exponent < m_exponent) {
        o.coarsen();
    }
    while (m_exponent < o.m_exponent) {
        coarsen();
    }
    while (!fits(std::min(m_occupiedLo, o.m_occupiedLo), std::max(m_occupiedHi, o.m_occupiedHi))) {
        coarsen();
        o.coarsen();
    }
    const std::int64_t newLo = std::min(m_occupiedLo, o.m_occupiedLo);
    const std::int64_t newHi = std::max(m_occupiedHi, o.m_occupiedHi);
    if (newLo < m_start || newHi >= m_start + kBins) {
        moveWindow(newLo - (kBins - (newHi - newLo + 1)) / 2);
    }
    m_occupiedLo = newLo;
    m_occupiedHi = newHi;
    for (std::int64_t a = o.m_occupiedLo; a <= o.m_occupiedHi; ++a) {
        m_counts[static_cast<std::size_t>(a - m_start)] += o.countAt(a);
    }
}

int AdaptiveHistogram::autoBinCount(double min, double max, std::uint64_t finite) const {
    const double n = static_cast<double>(finite);
    const double sturges = std::ceil(std::log2(n)) + 1.0;
    // Quartiles at fine-bin resolution are plenty to choose a bin width.
    std::int64_t q1 = m_occupiedLo;
    std::int64_t q3 = m_occupiedLo;
    std::uint64_t cumulative = 0;
    for (std::int64_t a = m_occupiedLo; a <= m_occupiedHi; ++a) {
        const std::uint64_t before = cumulative;
        cumulative += countAt(a);
        if (static_cast<double>(before) < 0.25 * n && static_cast<double>(cumulative) >= 0.25 * n) {
            q1 = a;
        }
        if (static_cast<double>(before) < 0.75 * n && static_cast<double>(cumulative) >= 0.75 * n) {
            q3 = a;
        }
    }
    const double iqr = static_cast<double>(q3 - q1) * width();
    double freedmanDiaconis = 0.0;
    if (iqr > 0.0) {
        freedmanDiaconis = std::ceil((max - min) / (2.0 * iqr / std::cbrt(n)));
    }
    const double bins = std::max(sturges, freedmanDiaconis);
    return static_cast<int>(std::clamp(bins, double{kMinAutoBins}, double{kMaxAutoBins}));
}

Histogram AdaptiveHistogram::finish(double min, double max, std::uint64_t finite, int forcedBins,
                                    bool integral) const {
    Histogram h;
    if (finite == 0 || m_empty) {
        return h;
    }
    if (!(min < max)) {
        h.lo = min;
        h.hi = max;
        h.counts = {finite};
        return h;
    }
    forcedBins = std::min(forcedBins, kMaxForcedBins);
    const std::int64_t lo = index(min);
    const std::int64_t span = index(max) - lo + 1;
    std::int64_t start = 0;
    std::int64_t binFine = 0;  // fine bins per output bin
    std::int64_t bins = 0;
    if (integral && m_exponent < 0 && m_exponent > -30) {
        // Whole numbers: bins are whole numbers wide and centred on them, [v - 0.5, v + 0.5).
        const std::int64_t unit = std::int64_t{1} << -m_exponent;
        const auto distinct = static_cast<std::int64_t>(max - min) + 1;
        std::int64_t valuesPerBin = 1;
        if (forcedBins > 0) {
            bins = forcedBins;
            valuesPerBin = ceilDiv(distinct, bins);
        } else if (distinct <= kMaxDistinctValueBins) {
            bins = distinct;
        } else {
            valuesPerBin = ceilDiv(distinct, autoBinCount(min, max, finite));
            bins = ceilDiv(distinct, valuesPerBin);
        }
        binFine = valuesPerBin * unit;
        start = lo - unit / 2;
    } else {
        const std::int64_t target = forcedBins > 0 ? forcedBins : autoBinCount(min, max, finite);
        binFine = ceilDiv(span, target);
        bins = forcedBins > 0 ? forcedBins : ceilDiv(span, binFine);
        start = lo - (bins * binFine - span) / 2;
    }
    h.counts.assign(static_cast<std::size_t>(bins), 0);
    for (std::int64_t a = m_occupiedLo; a <= m_occupiedHi; ++a) {
        h.counts[static_cast<std::size_t>((a - start) / binFine)] += countAt(a);
    }
    h.lo = static_cast<double>(start) * width();
    h.hi = static_cast<double>(start + bins * binFine) * width();
    return h;
}

}  // namespace ckpt::core
