#include "core/analysis/stats_accumulator.h"

#include <algorithm>
#include <cmath>

#include "core/analysis/stats_kernels.h"

namespace ckpt::core {

template <typename T>
void StatsAccumulator::addBlock(const std::byte* data, std::size_t count) {
    stats_kernels::BlockScan s;
    bool allFinite = false;
#ifdef CKPT_STATS_SSE2_KERNELS
    allFinite = stats_kernels::scanFinite<T>(data, count, s);
#endif
    if (!allFinite) {
        s = stats_kernels::scan<T>(data, count);
    }
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
    const auto bins = m_histogram.binner();
    double sumD = 0.0;
    double sumD2 = 0.0;
#ifdef CKPT_STATS_SSE2_KERNELS
    if (allFinite && bins.inverseWidth >= 1.0) {
        stats_kernels::deviationsFinite<T, false>(data, count, roughMean, bins, sumD, sumD2);
    } else if (allFinite) {
        stats_kernels::deviationsFinite<T, true>(data, count, roughMean, bins, sumD, sumD2);
    } else
#endif
    {
        stats_kernels::deviations<T>(data, count, roughMean, bins, sumD, sumD2);
    }
    // Corrected two-pass: sumD / n is the rounding error of roughMean, kept apart from it.
    mergeMoments(s.finite, roughMean, sumD / n, std::max(0.0, sumD2 - sumD * sumD / n));
}

void StatsAccumulator::mergeMoments(std::uint64_t n, double meanHi, double meanLo, double m2) {
    if (n == 0) {
        return;
    }
    if (m_finite == 0) {
        m_finite = n;
        m_meanHi = meanHi;
        m_meanLo = meanLo;
        m_m2 = m2;
        return;
    }
    const double total = static_cast<double>(m_finite) + static_cast<double>(n);
    const double share = static_cast<double>(n) / total;
    // Nearby means subtract exactly (Sterbenz), so delta keeps the low parts' precision.
    const double delta = (meanHi - m_meanHi) + (meanLo - m_meanLo);
    const double lo = m_meanLo + delta * share;
    // Knuth's two-sum: hi + lo renormalised without losing lo's bits.
    const double hi = m_meanHi + lo;
    const double loVirtual = hi - m_meanHi;
    const double hiVirtual = hi - loVirtual;
    m_meanLo = (m_meanHi - hiVirtual) + (lo - loVirtual);
    m_meanHi = hi;
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
    mergeMoments(other.m_finite, other.m_meanHi, other.m_meanLo, other.m_m2);
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
        r.mean = m_meanHi + m_meanLo;
        r.std = std::sqrt(m_m2 / static_cast<double>(m_finite));
        r.histogram = m_histogram.finish(m_min, m_max, m_finite, forcedBins, integral);
    }
    return r;
}

}  // namespace ckpt::core
