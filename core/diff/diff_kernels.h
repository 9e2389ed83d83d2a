#pragma once
/// Block kernels of the element-wise comparison, for DiffAccumulator: sums over one
/// cache-resident block of a pair of float or double arrays, in a scalar version that handles
/// NaN and Inf and an AVX2 version for blocks without them (chosen at run time).

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ckpt::core::diff_kernels {

/// Sums over one block where every pair was finite.
struct BlockSums {
    double sumAbs = 0.0;  ///< sum |a - b|
    double sumSq = 0.0;   ///< sum (a - b)^2
    double sumA2 = 0.0;
    double sumB2 = 0.0;
    double dot = 0.0;
    double maxAbs = 0.0;  ///< max |a - b|
    std::uint64_t mismatched = 0;
};

/// Element `i` of native-order `T` data at any alignment, as a double.
template <typename T>
inline double loadAt(const std::byte* data, std::size_t i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    return static_cast<double>(v);
}

/// True when the AVX2/FMA kernels run: the CPU has them (checked once) and they are not
/// switched off.
[[nodiscard]] bool haveAvx2();

/// Switches the AVX2 kernels off (true) or back on, so tests can check the portable ones on the
/// same machine. Not meant to be toggled while comparisons run.
void forceScalarKernels(bool scalar);

/// Sums of the pairs (a[i], b[i]), i < n, of `T` (float or double) values, assuming all are
/// finite. Returns false, leaving `s` unspecified, when a NaN or Inf (or an overflow) made a
/// sum non-finite: the caller then redoes the block with care.
template <typename T>
bool blockFinite(const std::byte* a, const std::byte* b, std::size_t n, double atol, double rtol,
                 BlockSums& s);

/// Sum of a[i]^2 over a block assumed finite; false when it is not finite.
template <typename T>
bool squaresFinite(const std::byte* a, std::size_t n, double& sumA2);

extern template bool blockFinite<float>(const std::byte*, const std::byte*, std::size_t, double,
                                        double, BlockSums&);
extern template bool blockFinite<double>(const std::byte*, const std::byte*, std::size_t, double,
                                         double, BlockSums&);
extern template bool squaresFinite<float>(const std::byte*, std::size_t, double&);
extern template bool squaresFinite<double>(const std::byte*, std::size_t, double&);

}  // namespace ckpt::core::diff_kernels
