#pragma once
/// The two passes over one cache-resident block of elements, for StatsAccumulator: a general
/// scalar version that classifies NaN/Inf, and an SSE2 version for blocks without them.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/analysis/adaptive_histogram.h"

namespace ckpt::core::stats_kernels {

/// Element `i` of native-order `T` data at any alignment, as a double.
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
    double sum = 0.0;  ///< of the finite values
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    void addFinite(double x) {
        ++finite;
        sum += x;
        min = std::min(min, x);
        max = std::max(max, x);
        zeros += x == 0.0;
    }
    void add(double x) {
        if (std::isfinite(x)) {
            addFinite(x);
        } else if (std::isnan(x)) {
            ++nans;
        } else if (x > 0) {
            ++posInf;
        } else {
            ++negInf;
        }
    }
};

/// First pass, any values: counts, sum, extremes.
template <typename T>
BlockScan scan(const std::byte* data, std::size_t n) {
    BlockScan s;
    for (std::size_t i = 0; i < n; ++i) {
        s.add(loadAt<T>(data, i));
    }
    return s;
}

/// Second pass, any values: sums of deviations from `mean` and of their squares over the finite
/// values, which it also counts into the histogram.
template <typename T>
void deviations(const std::byte* data, std::size_t n, double mean, AdaptiveHistogram::Binner bins,
                double& sumD, double& sumD2) {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = loadAt<T>(data, i);
        if (std::isfinite(x)) {
            const double d = x - mean;
            sumD += d;
            sumD2 += d * d;
            bins.add(x);
        }
    }
}

#if defined(__SSE2__)
// SSE2 is part of every x86-64 CPU, so these need no runtime dispatch. Other targets use the
// scalar passes above.
#define CKPT_STATS_SSE2_KERNELS 1

/// Elements i and i+1 as doubles.
template <typename T>
__m128d load2(const std::byte* data, std::size_t i) {
    const std::byte* p = data + i * sizeof(T);
    if constexpr (std::is_same_v<T, double>) {
        return _mm_loadu_pd(reinterpret_cast<const double*>(p));
    } else if constexpr (std::is_same_v<T, float>) {
        return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        return _mm_cvtepi32_pd(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
    } else {
        return _mm_set_pd(loadAt<T>(data, i + 1), loadAt<T>(data, i));
    }
}

inline double lane0(__m128d v) {
    return _mm_cvtsd_f64(v);
}
inline double lane1(__m128d v) {
    return _mm_cvtsd_f64(_mm_unpackhi_pd(v, v));
}

/// First pass for blocks expected to hold only finite values. Returns false, leaving `s`
/// unspecified, when the block holds a NaN or Inf (or its sum overflows): a NaN or Inf makes the
/// sum non-finite, so one test at the end replaces a test per element.
template <typename T>
bool scanFinite(const std::byte* data, std::size_t n, BlockScan& s) {
    const __m128d zero = _mm_setzero_pd();
    __m128d sum0 = zero, sum1 = zero;
    __m128d min0 = _mm_set1_pd(std::numeric_limits<double>::infinity()), min1 = min0;
    __m128d max0 = _mm_set1_pd(-std::numeric_limits<double>::infinity()), max1 = max0;
    __m128i zeros = _mm_setzero_si128();
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m128d x0 = load2<T>(data, i);
        const __m128d x1 = load2<T>(data, i + 2);
        sum0 = _mm_add_pd(sum0, x0);
        sum1 = _mm_add_pd(sum1, x1);
        min0 = _mm_min_pd(min0, x0);
        min1 = _mm_min_pd(min1, x1);
        max0 = _mm_max_pd(max0, x0);
        max1 = _mm_max_pd(max1, x1);
        // A true comparison is all ones, i.e. -1 as an integer.
        zeros = _mm_sub_epi64(zeros, _mm_castpd_si128(_mm_cmpeq_pd(x0, zero)));
        zeros = _mm_sub_epi64(zeros, _mm_castpd_si128(_mm_cmpeq_pd(x1, zero)));
    }
    s = BlockScan{};
    for (; i < n; ++i) {
        s.addFinite(loadAt<T>(data, i));
    }
    const __m128d sum = _mm_add_pd(sum0, sum1);
    s.sum += lane0(sum) + lane1(sum);
    if (!std::isfinite(s.sum)) {
        return false;
    }
    const __m128d min = _mm_min_pd(min0, min1);
    const __m128d max = _mm_max_pd(max0, max1);
    s.min = std::min({s.min, lane0(min), lane1(min)});
    s.max = std::max({s.max, lane0(max), lane1(max)});
    s.zeros += static_cast<std::uint64_t>(_mm_cvtsi128_si64(zeros)) +
               static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(zeros, zeros)));
    s.finite = n;
    return true;
}

/// Second pass for blocks of finite values only; as deviations(), two values at a time. The bin
/// index is floor(x / w) computed exactly as in Binner::index(): round to an integer by adding
/// and removing 1.5 * 2^52 (exact since |x / w| < 2^51), then step down where that rounded up,
/// and, when the grid is wider than 1 (`kMayUnderflow`), where a tiny negative x underflowed to
/// -0.
template <typename T, bool kMayUnderflow>
void deviationsFinite(const std::byte* data, std::size_t n, double mean,
                      AdaptiveHistogram::Binner bins, double& sumD, double& sumD2) {
    const __m128d m = _mm_set1_pd(mean);
    const __m128d inverse = _mm_set1_pd(bins.inverseWidth);
    const __m128d magic = _mm_set1_pd(0x1.8p52);
    const __m128d start = _mm_set1_pd(static_cast<double>(bins.start));
    const __m128d one = _mm_set1_pd(1.0);
    const __m128d zero = _mm_setzero_pd();
    __m128d a = zero, b = zero;
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        const __m128d x = load2<T>(data, i);
        const __m128d d = _mm_sub_pd(x, m);
        a = _mm_add_pd(a, d);
        b = _mm_add_pd(b, _mm_mul_pd(d, d));
        const __m128d u = _mm_mul_pd(x, inverse);
        const __m128d rounded = _mm_sub_pd(_mm_add_pd(u, magic), magic);
        __m128d down = _mm_cmpgt_pd(rounded, u);
        if constexpr (kMayUnderflow) {
            down = _mm_or_pd(down, _mm_and_pd(_mm_cmpeq_pd(u, zero), _mm_cmplt_pd(x, zero)));
        }
        const __m128d floor = _mm_sub_pd(rounded, _mm_and_pd(down, one));
        const __m128i index = _mm_cvttpd_epi32(_mm_sub_pd(floor, start));
        ++bins.counts[_mm_cvtsi128_si32(index)];
        ++bins.counts[_mm_cvtsi128_si32(_mm_shuffle_epi32(index, 1))];
    }
    double tailD = 0.0;
    double tailD2 = 0.0;
    deviations<T>(data + i * sizeof(T), n - i, mean, bins, tailD, tailD2);
    sumD += lane0(a) + lane1(a) + tailD;
    sumD2 += lane0(b) + lane1(b) + tailD2;
}
#endif

}  // namespace ckpt::core::stats_kernels
