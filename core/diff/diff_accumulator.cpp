#include "core/diff/diff_accumulator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/diff/diff_kernels.h"

namespace ckpt::core {
namespace {

/// Elements per block: two blocks of doubles stay in L1.
constexpr std::size_t kBlock = 2048;

using diff_kernels::loadAt;

/// Lets add() convert any other type pair to double blocks.
void toDouble(DType t, const std::byte* src, std::size_t n, double* dst) {
    if (t == DType::Float64) {
        std::memcpy(dst, src, n * sizeof(double));
    } else {
        convertToDouble(t, src, n, dst);
    }
}

}  // namespace

void CompensatedSum::add(double x) {
    const double t = m_sum + x;
    if (std::fabs(m_sum) >= std::fabs(x)) {
        m_compensation += (m_sum - t) + x;
    } else {
        m_compensation += (x - t) + m_sum;
    }
    m_sum = t;
}

void CompensatedSum::add(const CompensatedSum& other) {
    add(other.m_sum);
    m_compensation += other.m_compensation;
}

DiffAccumulator::DiffAccumulator(DiffTolerance tolerance) : m_tolerance(tolerance) {}

template <typename T>
void DiffAccumulator::addCareful(const std::byte* a, const std::byte* b, std::size_t n,
                                 std::uint64_t first) {
    const double atol = m_tolerance.atol;
    const double rtol = m_tolerance.rtol;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = loadAt<T>(a, i);
        const double y = loadAt<T>(b, i);
        if (std::isfinite(x) && std::isfinite(y)) {
            const double d = x - y;
            const double ad = std::fabs(d);
            ++m_finite;
            m_sumAbs.add(ad);
            m_sumSq.add(d * d);
            m_sumA2.add(x * x);
            m_sumB2.add(y * y);
            m_dot.add(x * y);
            if (ad > m_maxAbs) {
                m_maxAbs = ad;
                m_maxIndex = first + i;
            }
            m_mismatched += ad <= atol + rtol * std::fabs(y) ? 0 : 1;
        } else if (std::isnan(x) || std::isnan(y)) {
            if (!(std::isnan(x) && std::isnan(y))) {
                ++m_nanMismatched;
                ++m_mismatched;
            }
        } else if (x != y) {  // an infinity against a finite value or the other infinity
            ++m_infMismatched;
            ++m_mismatched;
        }
    }
}

template <typename T>
void DiffAccumulator::addBlock(const std::byte* a, const std::byte* b, std::size_t n,
                               std::uint64_t first) {
    diff_kernels::BlockSums s;
    if (!diff_kernels::blockFinite<T>(a, b, n, m_tolerance.atol, m_tolerance.rtol, s)) {
        addCareful<T>(a, b, n, first);
        return;
    }
    m_finite += n;
    m_sumAbs.add(s.sumAbs);
    m_sumSq.add(s.sumSq);
    m_sumA2.add(s.sumA2);
    m_sumB2.add(s.sumB2);
    m_dot.add(s.dot);
    m_mismatched += s.mismatched;
    if (s.maxAbs > m_maxAbs) {  // rare after the first blocks: find where
        for (std::size_t i = 0; i < n; ++i) {
            if (std::fabs(loadAt<T>(a, i) - loadAt<T>(b, i)) == s.maxAbs) {
                m_maxIndex = first + i;
                break;
            }
        }
        m_maxAbs = s.maxAbs;
    }
}

template <typename T>
void DiffAccumulator::addIdenticalBlock(const std::byte* a, std::size_t n, std::uint64_t first) {
    double squares = 0.0;
    if (!diff_kernels::squaresFinite<T>(a, n, squares)) {
        addCareful<T>(a, a, n, first);
        return;
    }
    m_finite += n;
    m_sumA2.add(squares);
    m_sumB2.add(squares);
    m_dot.add(squares);
    if (m_maxAbs < 0.0 && n > 0) {
        m_maxAbs = 0.0;
        m_maxIndex = first;
    }
}

void DiffAccumulator::add(DType ta, const std::byte* a, DType tb, const std::byte* b, std::size_t n,
                          std::uint64_t firstIndex) {
    const std::size_t sa = dtypeSize(ta);
    const std::size_t sb = dtypeSize(tb);
    std::array<double, kBlock> ca;  // filled before use; no need to clear 32 KiB per call
    std::array<double, kBlock> cb;
    for (std::size_t done = 0; done < n; done += kBlock) {
        const std::size_t m = std::min(kBlock, n - done);
        const std::byte* pa = a + done * sa;
        const std::byte* pb = b + done * sb;
        const std::uint64_t first = firstIndex + done;
        if (ta == DType::Float32 && tb == DType::Float32) {
            addBlock<float>(pa, pb, m, first);
        } else if (ta == DType::Float64 && tb == DType::Float64) {
            addBlock<double>(pa, pb, m, first);
        } else {
            toDouble(ta, pa, m, ca.data());
            toDouble(tb, pb, m, cb.data());
            addBlock<double>(reinterpret_cast<const std::byte*>(ca.data()),
                             reinterpret_cast<const std::byte*>(cb.data()), m, first);
        }
    }
    m_numel += n;
}

void DiffAccumulator::addIdentical(DType t, const std::byte* a, std::size_t n,
                                   std::uint64_t firstIndex) {
    const std::size_t size = dtypeSize(t);
    std::array<double, kBlock> ca;
    for (std::size_t done = 0; done < n; done += kBlock) {
        const std::size_t m = std::min(kBlock, n - done);
        const std::byte* pa = a + done * size;
        const std::uint64_t first = firstIndex + done;
        if (t == DType::Float32) {
            addIdenticalBlock<float>(pa, m, first);
        } else if (t == DType::Float64) {
            addIdenticalBlock<double>(pa, m, first);
        } else {
            toDouble(t, pa, m, ca.data());
            addIdenticalBlock<double>(reinterpret_cast<const std::byte*>(ca.data()), m, first);
        }
    }
    m_numel += n;
}

void DiffAccumulator::merge(const DiffAccumulator& later) {
    m_numel += later.m_numel;
    m_finite += later.m_finite;
    m_mismatched += later.m_mismatched;
    m_nanMismatched += later.m_nanMismatched;
    m_infMismatched += later.m_infMismatched;
    m_sumAbs.add(later.m_sumAbs);
    m_sumSq.add(later.m_sumSq);
    m_sumA2.add(later.m_sumA2);
    m_sumB2.add(later.m_sumB2);
    m_dot.add(later.m_dot);
    if (later.m_maxAbs > m_maxAbs) {
        m_maxAbs = later.m_maxAbs;
        m_maxIndex = later.m_maxIndex;
    }
}

TensorMetrics DiffAccumulator::result(bool identical) const {
    TensorMetrics m;
    m.numel = m_numel;
    m.finite = m_finite;
    m.identical = identical;
    m.mismatched = m_mismatched;
    m.nanMismatched = m_nanMismatched;
    m.infMismatched = m_infMismatched;
    m.sumSqDiff = m_sumSq.value();
    m.sumSqA = m_sumA2.value();
    m.sumSqB = m_sumB2.value();
    m.dot = m_dot.value();
    if (m_finite > 0) {
        const auto n = static_cast<double>(m_finite);
        m.maxAbsDiff = m_maxAbs;
        m.maxAbsDiffIndex = m_maxIndex;
        m.meanAbsDiff = m_sumAbs.value() / n;
        m.rmsDiff = std::sqrt(m.sumSqDiff / n);
        const double normA = std::sqrt(m.sumSqA);
        const double normB = std::sqrt(m.sumSqB);
        const double normD = std::sqrt(m.sumSqDiff);
        if (normA > 0.0) {
            m.relL2 = normD / normA;
        } else {
            m.relL2 = normD > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
        }
        if (identical) {
            m.cosine = 1.0;  // a.b / (|a| |b|) would round to 1 - 2^-52 now and then
        } else if (normA > 0.0 && normB > 0.0) {
            // |cos| <= 1 mathematically; rounding may step past it by an ulp.
            m.cosine = std::clamp(m.dot / normA / normB, -1.0, 1.0);
        } else {
            m.cosine = normA == normB ? 1.0 : 0.0;
        }
    } else if (m_numel == 0) {  // two empty tensors are equal
        m.maxAbsDiff = 0.0;
        m.meanAbsDiff = 0.0;
        m.rmsDiff = 0.0;
        m.relL2 = 0.0;
        m.cosine = 1.0;
    }
    // Otherwise nothing finite was compared (all NaN/Inf): the metrics stay NaN and the counts
    // say it all.
    return m;
}

}  // namespace ckpt::core
