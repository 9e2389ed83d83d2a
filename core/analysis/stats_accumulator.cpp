#include "core/analysis/stats_accumulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace ckpt::core {
namespace {

template <typename T>
double loadAt(const std::byte* data, std::size_t i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    return static_cast<double>(v);
}

/// Results of the first pass over one block.
struct BlockScan {
    std::uint64_t finite = 0;
    std::uint64_t zeros = 0;
    std::uint64_t nans = 0;
    std::uint64_t posInf = 0;
    std::uint64_t negInf = 0;
    double sum = 0.0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
};

/// Four independent lanes, so the additions do not wait on each other.
struct Lanes {
    double sum[4] = {0.0, 0.0, 0.0, 0.0};
    double min[4];
    double max[4];
    std::uint64_t zeros[4] = {0, 0, 0, 0};

    Lanes() {
        std::fill(std::begin(min), std::end(min), std::numeric_limits<double>::infinity());
        std::fill(std::begin(max), std::end(max), -std::numeric_limits<double>::infinity());
    }
    void add(int lane, double x) {
        sum[lane] += x;
        min[lane] = x < min[lane] ? x : min[lane];
        max[lane] = x > max[lane] ? x : max[lane];
        zeros[lane] += x == 0.0;
    }
    void addTo(BlockScan& s) const {
        s.sum += (sum[0] + sum[1]) + (sum[2] + sum[3]);
        s.min = std::min({s.min, min[0], min[1], min[2], min[3]});
        s.max = std::max({s.max, max[0], max[1], max[2], max[3]});
        s.zeros += zeros[0] + zeros[1] + zeros[2] + zeros[3];
    }
};

void classify(double x, Lanes& lanes, BlockScan& s) {
    if (std::isfinite(x)) {
        ++s.finite;
        lanes.add(0, x);
    } else if (std::isnan(x)) {
        ++s.nans;
    } else if (x > 0) {
        ++s.posInf;
    } else {
        ++s.negInf;
    }
}

template <typename T>
BlockScan scan(const std::byte* data, std::size_t n) {
    BlockScan s;
    Lanes lanes;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const double x0 = loadAt<T>(data, i);
        const double x1 = loadAt<T>(data, i + 1);
        const double x2 = loadAt<T>(data, i + 2);
        const double x3 = loadAt<T>(data, i + 3);
        if constexpr (std::is_floating_point_v<T>) {
            if (!(std::isfinite(x0) && std::isfinite(x1) && std::isfinite(x2) &&
                  std::isfinite(x3))) {
                classify(x0, lanes, s);
                classify(x1, lanes, s);
                classify(x2, lanes, s);
                classify(x3, lanes, s);
                continue;
            }
        }
        s.finite += 4;
        lanes.add(0, x0);
        lanes.add(1, x1);
        lanes.add(2, x2);
        lanes.add(3, x3);
    }
    for (; i < n; ++i) {
        classify(loadAt<T>(data, i), lanes, s);
    }
    lanes.addTo(s);
    return s;
}

/// Sums of deviations from `mean` and of their squares over the finite values, which it also
/// counts into `histogram`.
template <typename T>
void deviations(const std::byte* data, std::size_t n, double mean, bool allFinite,
                AdaptiveHistogram& histogram, double& sumD, double& sumD2) {
    double a[2] = {0.0, 0.0};
    double b[2] = {0.0, 0.0};
    std::size_t i = 0;
    if (allFinite) {
        for (; i + 2 <= n; i += 2) {
            const double x0 = loadAt<T>(data, i);
            const double x1 = loadAt<T>(data, i + 1);
            const double d0 = x0 - mean;
            const double d1 = x1 - mean;
            a[0] += d0;
            a[1] += d1;
            b[0] += d0 * d0;
            b[1] += d1 * d1;
            histogram.add(x0);
            histogram.add(x1);
        }
    }
    for (; i < n; ++i) {
        const double x = loadAt<T>(data, i);
        if (std::isfinite(x)) {
            const double d = x - mean;
            a[0] += d;
            b[0] += d * d;
            histogram.add(x);
        }
    }
    sumD = a[0] + a[1];
    sumD2 = b[0] + b[1];
}

}  // namespace

template <typename T>
void StatsAccumulator::addBlock(const std::byte* data, std::size_t count) {
    const BlockScan s = scan<T>(data, count);
    m_count += count;
    m_zeros += s.zeros;
    m_nans += s.nans;
    m_posInf += s.posInf;
    m_negInf += s.negInf;
    if (s.finite == 0) {
        return;
    }
    m_min = std::min(m_min, s.min);
    m_max = std::max(m_max, s.max);
    m_histogram.include(s.min, s.max);
    const auto n = static_cast<double>(s.finite);
    const double roughMean = s.sum / n;
    double sumD = 0.0;
    double sumD2 = 0.0;
    deviations<T>(data, count, roughMean, s.finite == count, m_histogram, sumD, sumD2);
    // Corrected two-pass: the sumD terms remove the rounding error of roughMean.
    mergeMoments(s.finite, roughMean + sumD / n, std::max(0.0, sumD2 - sumD * sumD / n));
}

void StatsAccumulator::mergeMoments(std::uint64_t n, double mean, double m2) {
    if (n == 0) {
        return;
    }
    if (m_finite == 0) {
        m_finite = n;
        m_mean = mean;
        m_m2 = m2;
        return;
    }
    const double total = static_cast<double>(m_finite) + static_cast<double>(n);
    const double share = static_cast<double>(n) / total;
    const double delta = mean - m_mean;
    m_mean += delta * share;
    m_m2 += m2 + delta * delta * static_cast<double>(m_finite) * share;
    m_finite += n;
}

void StatsAccumulator::add(DType type, const std::byte* data, std::size_t count) {
    const std::size_t size = dtypeSize(type);
    double converted[kBlockElements];
    for (std::size_t first = 0; first < count; first += kBlockElements) {
        const std::size_t n = std::min(kBlockElements, count - first);
        const std::byte* block = data + first * size;
        switch (type) {
            case DType::Int8:
                addBlock<std::int8_t>(block, n);
                break;
            case DType::UInt8:
                addBlock<std::uint8_t>(block, n);
                break;
            case DType::Int16:
                addBlock<std::int16_t>(block, n);
                break;
            case DType::UInt16:
                addBlock<std::uint16_t>(block, n);
                break;
            case DType::Int32:
                addBlock<std::int32_t>(block, n);
                break;
            case DType::UInt32:
                addBlock<std::uint32_t>(block, n);
                break;
            case DType::Int64:
                addBlock<std::int64_t>(block, n);
                break;
            case DType::UInt64:
                addBlock<std::uint64_t>(block, n);
                break;
            case DType::Float32:
                addBlock<float>(block, n);
                break;
            case DType::Float64:
                addBlock<double>(block, n);
                break;
            default:  // bool, half, bfloat16, complex: convert first
                convertToDouble(type, block, n, converted);
                addBlock<double>(reinterpret_cast<const std::byte*>(converted), n);
                break;
        }
    }
}

void StatsAccumulator::merge(const StatsAccumulator& other) {
    m_count += other.m_count;
    m_zeros += other.m_zeros;
    m_nans += other.m_nans;
    m_posInf += other.m_posInf;
    m_negInf += other.m_negInf;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
    mergeMoments(other.m_finite, other.m_mean, other.m_m2);
    m_histogram.merge(other.m_histogram);
}

TensorStats StatsAccumulator::result(int forcedBins, bool integral) const {
    TensorStats r;
    r.count = m_count;
    r.finite = m_finite;
    r.zeros = m_zeros;
    r.nans = m_nans;
    r.posInf = m_posInf;
    r.negInf = m_negInf;
    if (m_finite > 0) {
        r.min = m_min;
        r.max = m_max;
        r.mean = m_mean;
        r.std = std::sqrt(m_m2 / static_cast<double>(m_finite));
        r.histogram = m_histogram.finish(m_min, m_max, m_finite, forcedBins, integral);
    }
    return r;
}

}  // namespace ckpt::core
