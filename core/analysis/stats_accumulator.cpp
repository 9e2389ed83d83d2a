#include "core/analysis/stats_accumulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

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

StatsAccumulator::StatsAccumulator(DType type, std::uint64_t expectedElements) : m_type(type) {
    const std::size_t size = dtypeSize(type);
    if (size == 1) {
        m_valueCounts.assign(4 * 256, 0);
    } else if (size == 2 && dtypeIsNumeric(type) && expectedElements >= kCountValuesFrom) {
        m_valueCounts.assign(65536, 0);
    }
}

void StatsAccumulator::countValues(const std::byte* data, std::size_t count) {
    m_count += count;
    std::uint64_t* table = m_valueCounts.data();
    if (m_valueCounts.size() == 65536) {
        for (std::size_t i = 0; i < count; ++i) {
            std::uint16_t v;
            std::memcpy(&v, data + 2 * i, 2);
            ++table[v];
        }
        return;
    }
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        ++table[std::to_integer<std::size_t>(data[i])];
        ++table[256 + std::to_integer<std::size_t>(data[i + 1])];
        ++table[512 + std::to_integer<std::size_t>(data[i + 2])];
        ++table[768 + std::to_integer<std::size_t>(data[i + 3])];
    }
    for (; i < count; ++i) {
        ++table[std::to_integer<std::size_t>(data[i])];
    }
}

void StatsAccumulator::addValueCounts() {
    if (m_valueCounts.empty()) {
        return;
    }
    const bool byteTables = m_valueCounts.size() == 4 * 256;
    const std::size_t patterns = byteTables ? 256 : m_valueCounts.size();
    std::vector<double> values;  // of the patterns that occur
    std::vector<std::uint64_t> counts;
    for (std::size_t v = 0; v < patterns; ++v) {
        std::uint64_t c = m_valueCounts[v];
        if (byteTables) {
            c += m_valueCounts[256 + v] + m_valueCounts[512 + v] + m_valueCounts[768 + v];
        }
        if (c == 0) {
            continue;
        }
        const auto bits = static_cast<std::uint16_t>(v);
        std::byte raw[2];
        std::memcpy(raw, &bits, 2);
        double x = 0.0;
        convertToDouble(m_type, raw, 1, &x);
        values.push_back(x);
        counts.push_back(c);
    }
    std::fill(m_valueCounts.begin(), m_valueCounts.end(), 0);

    stats_kernels::BlockScan s;
    for (std::size_t k = 0; k < values.size(); ++k) {
        const double x = values[k];
        const std::uint64_t c = counts[k];
        if (std::isfinite(x)) {
            s.finite += c;
            s.sum += static_cast<double>(c) * x;
            s.min = std::min(s.min, x);
            s.max = std::max(s.max, x);
            s.zeros += x == 0.0 ? c : 0;
        } else {
            (std::isnan(x) ? s.nans : (x > 0 ? s.posInf : s.negInf)) += c;
        }
    }
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
    const auto bins = m_histogram.binner();
    const auto n = static_cast<double>(s.finite);
    const double roughMean = s.sum / n;
    double sumD = 0.0;
    double sumD2 = 0.0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (std::isfinite(values[k])) {
            const double d = values[k] - roughMean;
            const auto c = static_cast<double>(counts[k]);
            sumD += c * d;
            sumD2 += c * d * d;
            bins.counts[bins.index(values[k]) - bins.start] += counts[k];
        }
    }
    mergeMoments(s.finite, roughMean, sumD / n, std::max(0.0, sumD2 - sumD * sumD / n));
}

void StatsAccumulator::add(const std::byte* data, std::size_t count) {
    if (!m_valueCounts.empty()) {
        countValues(data, count);
        return;
    }
    const std::size_t size = dtypeSize(m_type);
    double converted[kBlockElements];
    for (std::size_t first = 0; first < count; first += kBlockElements) {
        const std::size_t n = std::min(kBlockElements, count - first);
        const std::byte* block = data + first * size;
        switch (m_type) {
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
            case DType::Complex64:
            case DType::Complex128:
                complexMagnitudes(m_type, block, n, converted);
                addBlock<double>(reinterpret_cast<const std::byte*>(converted), n);
                break;
            default:  // half and bfloat16 in small tensors: convert first
                convertToDouble(m_type, block, n, converted);
                addBlock<double>(reinterpret_cast<const std::byte*>(converted), n);
                break;
        }
    }
}

void StatsAccumulator::merge(const StatsAccumulator& other) {
    const StatsAccumulator* from = &other;
    std::optional<StatsAccumulator> flushed;
    if (m_valueCounts.size() == other.m_valueCounts.size()) {
        for (std::size_t v = 0; v < m_valueCounts.size(); ++v) {
            m_valueCounts[v] += other.m_valueCounts[v];
        }
    } else {  // built with different arguments: fold both tables first
        flushed = other;
        flushed->addValueCounts();
        addValueCounts();
        from = &*flushed;
    }
    m_count += from->m_count;
    m_zeros += from->m_zeros;
    m_nans += from->m_nans;
    m_posInf += from->m_posInf;
    m_negInf += from->m_negInf;
    m_min = std::min(m_min, from->m_min);
    m_max = std::max(m_max, from->m_max);
    mergeMoments(from->m_finite, from->m_meanHi, from->m_meanLo, from->m_m2);
    m_histogram.merge(from->m_histogram);
}

TensorStats StatsAccumulator::result(int forcedBins) const {
    if (!m_valueCounts.empty()) {
        StatsAccumulator flushed = *this;
        flushed.addValueCounts();
        return flushed.summary(forcedBins);
    }
    return summary(forcedBins);
}

TensorStats StatsAccumulator::summary(int forcedBins) const {
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
        const bool integral = !dtypeIsFloat(m_type) && !dtypeIsComplex(m_type);
        r.histogram = m_histogram.finish(m_min, m_max, m_finite, forcedBins, integral);
    }
    r.complexMagnitude = dtypeIsComplex(m_type);
    r.boolean = m_type == DType::Bool;
    return r;
}

}  // namespace ckpt::core
