#include "core/diff/diff_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <type_traits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CKPT_DIFF_AVX2 1
#endif

namespace ckpt::core::diff_kernels {
namespace {

bool sumsFinite(const BlockSums& s) {
    return std::isfinite(s.sumAbs) && std::isfinite(s.sumSq) && std::isfinite(s.sumA2) &&
           std::isfinite(s.sumB2) && std::isfinite(s.dot);
}

/// Portable version; also the tail of the AVX2 one.
template <typename T>
void scalarSums(const std::byte* a, const std::byte* b, std::size_t n, double atol, double rtol,
                BlockSums& s) {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = loadAt<T>(a, i);
        const double y = loadAt<T>(b, i);
        const double d = x - y;
        const double ad = std::fabs(d);
        s.sumAbs += ad;
        s.sumSq += d * d;
        s.sumA2 += x * x;
        s.sumB2 += y * y;
        s.dot += x * y;
        s.maxAbs = std::max(s.maxAbs, ad);
        s.mismatched += ad > atol + rtol * std::fabs(y) ? 1 : 0;
    }
}

template <typename T>
double scalarSquares(const std::byte* a, std::size_t n) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = loadAt<T>(a, i);
        s += x * x;
    }
    return s;
}

#if defined(CKPT_DIFF_AVX2)

/// Four elements from `p` as doubles.
template <typename T>
__attribute__((target("avx2,fma"))) inline __m256d load4(const std::byte* p) {
    if constexpr (std::is_same_v<T, float>) {
        return _mm256_cvtps_pd(_mm_loadu_ps(reinterpret_cast<const float*>(p)));
    } else {
        return _mm256_loadu_pd(reinterpret_cast<const double*>(p));
    }
}

__attribute__((target("avx2,fma"))) inline double hsum(__m256d v) {
    const __m128d lo = _mm256_castpd256_pd128(v);
    const __m128d hi = _mm256_extractf128_pd(v, 1);
    const __m128d s = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

__attribute__((target("avx2,fma"))) inline double hmax(__m256d v) {
    const __m128d lo = _mm256_castpd256_pd128(v);
    const __m128d hi = _mm256_extractf128_pd(v, 1);
    const __m128d m = _mm_max_pd(lo, hi);
    return std::max(_mm_cvtsd_f64(m), _mm_cvtsd_f64(_mm_unpackhi_pd(m, m)));
}

/// Accumulators of one lane group.
struct Lanes {
    __m256d abs, sq, a2, b2, ab, max, mis;
};

template <typename T>
__attribute__((target("avx2,fma"))) inline void step(Lanes& l, __m256d x, __m256d y, __m256d atol,
                                                     __m256d rtol, __m256d sign, __m256d one) {
    const __m256d d = _mm256_sub_pd(x, y);
    const __m256d ad = _mm256_andnot_pd(sign, d);
    l.abs = _mm256_add_pd(l.abs, ad);
    l.sq = _mm256_fmadd_pd(d, d, l.sq);
    l.a2 = _mm256_fmadd_pd(x, x, l.a2);
    l.b2 = _mm256_fmadd_pd(y, y, l.b2);
    l.ab = _mm256_fmadd_pd(x, y, l.ab);
    l.max = _mm256_max_pd(l.max, ad);
    const __m256d tol = _mm256_fmadd_pd(rtol, _mm256_andnot_pd(sign, y), atol);
    l.mis = _mm256_add_pd(l.mis, _mm256_and_pd(_mm256_cmp_pd(ad, tol, _CMP_GT_OQ), one));
}

template <typename T>
__attribute__((target("avx2,fma"))) void avx2Sums(const std::byte* a, const std::byte* b,
                                                  std::size_t n, double atol, double rtol,
                                                  BlockSums& s) {
    const __m256d vAtol = _mm256_set1_pd(atol);
    const __m256d vRtol = _mm256_set1_pd(rtol);
    const __m256d sign = _mm256_set1_pd(-0.0);
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d zero = _mm256_setzero_pd();
    Lanes l0{zero, zero, zero, zero, zero, zero, zero};
    Lanes l1 = l0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const std::byte* pa = a + i * sizeof(T);
        const std::byte* pb = b + i * sizeof(T);
        step<T>(l0, load4<T>(pa), load4<T>(pb), vAtol, vRtol, sign, one);
        step<T>(l1, load4<T>(pa + 4 * sizeof(T)), load4<T>(pb + 4 * sizeof(T)), vAtol, vRtol, sign,
                one);
    }
    BlockSums tail;
    scalarSums<T>(a + i * sizeof(T), b + i * sizeof(T), n - i, atol, rtol, tail);
    s.sumAbs = hsum(_mm256_add_pd(l0.abs, l1.abs)) + tail.sumAbs;
    s.sumSq = hsum(_mm256_add_pd(l0.sq, l1.sq)) + tail.sumSq;
    s.sumA2 = hsum(_mm256_add_pd(l0.a2, l1.a2)) + tail.sumA2;
    s.sumB2 = hsum(_mm256_add_pd(l0.b2, l1.b2)) + tail.sumB2;
    s.dot = hsum(_mm256_add_pd(l0.ab, l1.ab)) + tail.dot;
    s.maxAbs = std::max(hmax(_mm256_max_pd(l0.max, l1.max)), tail.maxAbs);
    s.mismatched =
        static_cast<std::uint64_t>(hsum(_mm256_add_pd(l0.mis, l1.mis))) + tail.mismatched;
}

template <typename T>
__attribute__((target("avx2,fma"))) double avx2Squares(const std::byte* a, std::size_t n) {
    __m256d s0 = _mm256_setzero_pd();
    __m256d s1 = s0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256d x0 = load4<T>(a + i * sizeof(T));
        const __m256d x1 = load4<T>(a + (i + 4) * sizeof(T));
        s0 = _mm256_fmadd_pd(x0, x0, s0);
        s1 = _mm256_fmadd_pd(x1, x1, s1);
    }
    return hsum(_mm256_add_pd(s0, s1)) + scalarSquares<T>(a + i * sizeof(T), n - i);
}

#endif

}  // namespace

namespace {
std::atomic<bool> g_forceScalar{false};
}

void forceScalarKernels(bool scalar) {
    g_forceScalar = scalar;
}

bool haveAvx2() {
#if defined(CKPT_DIFF_AVX2)
    static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return have && !g_forceScalar.load(std::memory_order_relaxed);
#else
    return false;
#endif
}

template <typename T>
bool blockFinite(const std::byte* a, const std::byte* b, std::size_t n, double atol, double rtol,
                 BlockSums& s) {
    s = BlockSums{};
#if defined(CKPT_DIFF_AVX2)
    if (haveAvx2()) {
        avx2Sums<T>(a, b, n, atol, rtol, s);
        return sumsFinite(s);
    }
#endif
    scalarSums<T>(a, b, n, atol, rtol, s);
    return sumsFinite(s);
}

template <typename T>
bool squaresFinite(const std::byte* a, std::size_t n, double& sumA2) {
#if defined(CKPT_DIFF_AVX2)
    if (haveAvx2()) {
        sumA2 = avx2Squares<T>(a, n);
        return std::isfinite(sumA2);
    }
#endif
    sumA2 = scalarSquares<T>(a, n);
    return std::isfinite(sumA2);
}

template bool blockFinite<float>(const std::byte*, const std::byte*, std::size_t, double, double,
                                 BlockSums&);
template bool blockFinite<double>(const std::byte*, const std::byte*, std::size_t, double, double,
                                  BlockSums&);
template bool squaresFinite<float>(const std::byte*, std::size_t, double&);
template bool squaresFinite<double>(const std::byte*, std::size_t, double&);

}  // namespace ckpt::core::diff_kernels
