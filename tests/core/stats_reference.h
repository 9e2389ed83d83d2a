#pragma once
// Reference values for test_tensor_stats: each dtype's elements decoded from their definitions,
// independently of core/model/dtype.cpp (half, bfloat16), and random inputs per dtype with NaN,
// Inf and the other special values mixed in.

#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/model/dtype.h"

namespace ckpt::test::stats {

using core::DType;
using core::dtypeSize;

inline constexpr double kRefNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kRefInf = std::numeric_limits<double>::infinity();

/// Half and bfloat16 decoded from their definitions, independently of dtype.cpp.
inline double decodeBinary16(std::uint16_t bits, int mantissaBits, int bias) {
    const int exponentMask = (1 << (15 - mantissaBits)) - 1;
    const int e = (bits >> mantissaBits) & exponentMask;
    const int m = bits & ((1 << mantissaBits) - 1);
    const double sign = (bits & 0x8000) ? -1.0 : 1.0;
    if (e == exponentMask) {
        return m != 0 ? kRefNaN : sign * kRefInf;
    }
    if (e == 0) {
        return sign * std::ldexp(m, 1 - bias - mantissaBits);
    }
    return sign * std::ldexp(m + (1 << mantissaBits), e - bias - mantissaBits);
}

/// |z| of complex parts: NaN when a part is NaN, else the hypotenuse (Inf for an infinite part).
inline double magnitude(double re, double im) {
    return std::isnan(re) || std::isnan(im) ? kRefNaN : std::hypot(re, im);
}

/// Element values as the statistics should see them (complex: magnitude |z|; 8-bit floats:
/// convertToDouble, whose 256 codes test_dtypes_float8 checks against Python).
inline std::vector<double> referenceValues(DType t, const std::vector<std::byte>& bytes) {
    const std::size_t size = dtypeSize(t);
    std::vector<double> out(bytes.size() / size);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::byte* p = bytes.data() + i * size;
        auto as = [p]<typename T>(T) {
            T v;
            std::memcpy(&v, p, sizeof(T));
            return static_cast<double>(v);
        };
        std::uint16_t h = 0;
        std::memcpy(&h, p, std::min<std::size_t>(2, size));
        switch (t) {
            case DType::Bool:
                out[i] = *p != std::byte{0} ? 1.0 : 0.0;
                break;
            case DType::Int8:
                out[i] = as(std::int8_t{});
                break;
            case DType::UInt8:
                out[i] = as(std::uint8_t{});
                break;
            case DType::Int16:
                out[i] = as(std::int16_t{});
                break;
            case DType::UInt16:
                out[i] = as(std::uint16_t{});
                break;
            case DType::Int32:
                out[i] = as(std::int32_t{});
                break;
            case DType::UInt32:
                out[i] = as(std::uint32_t{});
                break;
            case DType::Int64:
                out[i] = as(std::int64_t{});
                break;
            case DType::UInt64:
                out[i] = as(std::uint64_t{});
                break;
            case DType::Float16:
                out[i] = decodeBinary16(h, 10, 15);
                break;
            case DType::BFloat16:
                out[i] = decodeBinary16(h, 7, 127);
                break;
            case DType::Float32:
                out[i] = as(float{});
                break;
            case DType::Float64:
                out[i] = as(double{});
                break;
            case DType::Complex64: {
                float parts[2];
                std::memcpy(parts, p, 8);
                out[i] = magnitude(parts[0], parts[1]);
                break;
            }
            case DType::Complex128: {
                double parts[2];
                std::memcpy(parts, p, 16);
                out[i] = magnitude(parts[0], parts[1]);
                break;
            }
            case DType::Float8E4M3FN:
            case DType::Float8E5M2:
            case DType::Float8E4M3FNUZ:
            case DType::Float8E5M2FNUZ:
            case DType::Float8E8M0FNU:
                convertToDouble(t, p, 1, &out[i]);
                break;
            default:
                QTest::qFail("no reference for this dtype", __FILE__, __LINE__);
                break;
        }
    }
    return out;
}

/// Random elements: all bit patterns for integers and 16-bit floats (so NaN and Inf appear),
/// scaled normal values with a few specials for float32/64 and complex.
inline std::vector<std::byte> randomBytes(DType t, std::size_t n, std::mt19937_64& rng) {
    std::vector<std::byte> out(n * dtypeSize(t));
    for (auto& b : out) {
        b = static_cast<std::byte>(rng());
    }
    std::normal_distribution<double> normal(-3.0, 25.0);
    auto putFloat = [&](std::size_t i, double v, std::size_t stride) {
        if (i % 97 == 5) {
            v = (i % 3 == 0) ? kRefNaN : (i % 3 == 1 ? kRefInf : -kRefInf);
        } else if (i % 89 == 7) {
            v = 0.0;
        }
        if (t == DType::Float32 || t == DType::Complex64) {
            const auto f = static_cast<float>(v);
            std::memcpy(out.data() + i * stride, &f, sizeof f);
        } else {
            std::memcpy(out.data() + i * stride, &v, sizeof v);
        }
    };
    switch (t) {
        case DType::Bool:
            for (std::size_t i = 0; i < n; ++i) {
                out[i] = std::byte(rng() % 3 == 0 ? 0 : (i % 50 == 0 ? 0xff : 1));
            }
            break;
        case DType::Float32:
        case DType::Float64:
            for (std::size_t i = 0; i < n; ++i) {
                putFloat(i, normal(rng), dtypeSize(t));
            }
            break;
        case DType::Complex64:
        case DType::Complex128:
            for (std::size_t i = 0; i < n; ++i) {  // real parts with specials, then imaginary
                putFloat(i, normal(rng), dtypeSize(t));
            }
            for (std::size_t i = 0; i < n; ++i) {
                const double im = i % 101 == 3 ? kRefNaN : normal(rng);
                if (t == DType::Complex64) {
                    const auto f = static_cast<float>(im);
                    std::memcpy(out.data() + i * 8 + 4, &f, 4);
                } else {
                    std::memcpy(out.data() + i * 16 + 8, &im, 8);
                }
            }
            break;
        default:
            break;
    }
    return out;
}

}  // namespace ckpt::test::stats
