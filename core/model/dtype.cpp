#include "core/model/dtype.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace ckpt::core {
namespace {

constexpr std::array<std::pair<DType, std::string_view>, 22> kNames{{
    {DType::Bool, "bool"},
    {DType::Int8, "int8"},
    {DType::UInt8, "uint8"},
    {DType::Int16, "int16"},
    {DType::UInt16, "uint16"},
    {DType::Int32, "int32"},
    {DType::UInt32, "uint32"},
    {DType::Int64, "int64"},
    {DType::UInt64, "uint64"},
    {DType::Float16, "float16"},
    {DType::BFloat16, "bfloat16"},
    {DType::Float32, "float32"},
    {DType::Float64, "float64"},
    {DType::Complex64, "complex64"},
    {DType::Complex128, "complex128"},
    {DType::Float8E4M3FN, "float8_e4m3fn"},
    {DType::Float8E5M2, "float8_e5m2"},
    {DType::Float8E4M3FNUZ, "float8_e4m3fnuz"},
    {DType::Float8E5M2FNUZ, "float8_e5m2fnuz"},
    {DType::Float8E8M0FNU, "float8_e8m0fnu"},
    {DType::String, "str"},
    {DType::Other, "void"},
}};

/// How an 8-bit float spends its bits and which codes are special.
struct Float8Layout {
    int exponentBits;
    int mantissaBits;
    int bias;
    enum class Specials {
        Ieee,       ///< exponent all ones: Inf (mantissa 0) or NaN
        FiniteNan,  ///< no Inf; only S.1111.111 is NaN (the "FN" types)
        Fnuz,       ///< no Inf, no -0: 0x80 is the only NaN
        Unsigned,   ///< no sign bit and no mantissa: 2^(code - bias), all ones NaN (E8M0)
    } specials;
};

Float8Layout float8Layout(DType t) {
    using S = Float8Layout::Specials;
    switch (t) {
        case DType::Float8E4M3FN:
            return {4, 3, 7, S::FiniteNan};
        case DType::Float8E5M2:
            return {5, 2, 15, S::Ieee};
        case DType::Float8E4M3FNUZ:
            return {4, 3, 8, S::Fnuz};
        case DType::Float8E5M2FNUZ:
            return {5, 2, 16, S::Fnuz};
        default:
            return {8, 0, 127, S::Unsigned};
    }
}

/// The value of one code, from the layout's definition (not on a hot path: tables use it).
float decodeFloat8(const Float8Layout& l, unsigned code) {
    using S = Float8Layout::Specials;
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    if (l.specials == S::Unsigned) {
        return code == 0xffu ? nan : std::ldexp(1.0f, static_cast<int>(code) - l.bias);
    }
    const bool negative = (code & 0x80u) != 0;
    const unsigned exponentMax = (1u << l.exponentBits) - 1;
    const unsigned mantissaMax = (1u << l.mantissaBits) - 1;
    const unsigned exponent = (code >> l.mantissaBits) & exponentMax;
    const unsigned mantissa = code & mantissaMax;
    if (l.specials == S::Fnuz && code == 0x80u) {
        return nan;
    }
    if (l.specials == S::FiniteNan && exponent == exponentMax && mantissa == mantissaMax) {
        return nan;
    }
    if (l.specials == S::Ieee && exponent == exponentMax) {
        if (mantissa != 0) {
            return nan;
        }
        return negative ? -std::numeric_limits<float>::infinity()
                        : std::numeric_limits<float>::infinity();
    }
    // Subnormals (exponent 0) have no implicit 1 and the exponent of code 1.
    const float significand =
        static_cast<float>(exponent == 0 ? mantissa : mantissa + mantissaMax + 1);
    const int scale = static_cast<int>(exponent == 0 ? 1 : exponent) - l.bias - l.mantissaBits;
    const float magnitude = std::ldexp(significand, scale);
    return negative ? -magnitude : magnitude;
}

using Float8Table = std::array<float, 256>;

Float8Table makeFloat8Table(DType t) {
    Float8Table table{};
    const Float8Layout layout = float8Layout(t);
    for (unsigned code = 0; code < 256; ++code) {
        table[code] = decodeFloat8(layout, code);
    }
    return table;
}

/// The decoding table of an 8-bit float type, built once (thread-safe static initialisation).
const Float8Table& float8Table(DType t) {
    static const std::array<Float8Table, 5> tables{
        makeFloat8Table(DType::Float8E4M3FN), makeFloat8Table(DType::Float8E5M2),
        makeFloat8Table(DType::Float8E4M3FNUZ), makeFloat8Table(DType::Float8E5M2FNUZ),
        makeFloat8Table(DType::Float8E8M0FNU)};
    switch (t) {
        case DType::Float8E4M3FN:
            return tables[0];
        case DType::Float8E5M2:
            return tables[1];
        case DType::Float8E4M3FNUZ:
            return tables[2];
        case DType::Float8E5M2FNUZ:
            return tables[3];
        default:
            return tables[4];
    }
}

template <typename T>
void convertAs(const std::byte* src, std::size_t count, double* dst) {
    for (std::size_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, src + i * sizeof(T), sizeof(T));
        dst[i] = static_cast<double>(v);
    }
}

}  // namespace

std::string_view dtypeName(DType t) {
    for (const auto& [type, name] : kNames) {
        if (type == t) {
            return name;
        }
    }
    return "void";
}

std::optional<DType> dtypeFromName(std::string_view name) {
    for (const auto& [type, n] : kNames) {
        if (n == name) {
            return type;
        }
    }
    return std::nullopt;
}

std::size_t dtypeSize(DType t) {
    switch (t) {
        case DType::Bool:
        case DType::Int8:
        case DType::UInt8:
        case DType::Float8E4M3FN:
        case DType::Float8E5M2:
        case DType::Float8E4M3FNUZ:
        case DType::Float8E5M2FNUZ:
        case DType::Float8E8M0FNU:
            return 1;
        case DType::Int16:
        case DType::UInt16:
        case DType::Float16:
        case DType::BFloat16:
            return 2;
        case DType::Int32:
        case DType::UInt32:
        case DType::Float32:
            return 4;
        case DType::Int64:
        case DType::UInt64:
        case DType::Float64:
        case DType::Complex64:
            return 8;
        case DType::Complex128:
            return 16;
        case DType::String:
        case DType::Other:
            return 0;
    }
    return 0;
}

bool dtypeIsNumeric(DType t) {
    return t != DType::String && t != DType::Other && t != DType::Complex64 &&
           t != DType::Complex128;
}

bool dtypeIsFloat(DType t) {
    return t == DType::Float16 || t == DType::BFloat16 || t == DType::Float32 ||
           t == DType::Float64 || dtypeIsFloat8(t);
}

bool dtypeIsFloat8(DType t) {
    return t == DType::Float8E4M3FN || t == DType::Float8E5M2 || t == DType::Float8E4M3FNUZ ||
           t == DType::Float8E5M2FNUZ || t == DType::Float8E8M0FNU;
}

bool dtypeIsComplex(DType t) {
    return t == DType::Complex64 || t == DType::Complex128;
}

float float8ToFloat(DType t, std::uint8_t code) {
    return float8Table(t)[code];
}

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits = 0;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ffu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}

float bfloat16ToFloat(std::uint16_t bits) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

void convertToDouble(DType t, const std::byte* src, std::size_t count, double* dst) {
    switch (t) {
        case DType::Bool:
            for (std::size_t i = 0; i < count; ++i) {
                dst[i] = src[i] != std::byte{0} ? 1.0 : 0.0;
            }
            return;
        case DType::Int8:
            return convertAs<std::int8_t>(src, count, dst);
        case DType::UInt8:
            return convertAs<std::uint8_t>(src, count, dst);
        case DType::Int16:
            return convertAs<std::int16_t>(src, count, dst);
        case DType::UInt16:
            return convertAs<std::uint16_t>(src, count, dst);
        case DType::Int32:
            return convertAs<std::int32_t>(src, count, dst);
        case DType::UInt32:
            return convertAs<std::uint32_t>(src, count, dst);
        case DType::Int64:
            return convertAs<std::int64_t>(src, count, dst);
        case DType::UInt64:
            return convertAs<std::uint64_t>(src, count, dst);
        case DType::Float32:
            return convertAs<float>(src, count, dst);
        case DType::Float64:
            return convertAs<double>(src, count, dst);
        case DType::Float16:
        case DType::BFloat16:
            for (std::size_t i = 0; i < count; ++i) {
                std::uint16_t b;
                std::memcpy(&b, src + 2 * i, 2);
                dst[i] = t == DType::Float16 ? halfToFloat(b) : bfloat16ToFloat(b);
            }
            return;
        case DType::Complex64:
            for (std::size_t i = 0; i < count; ++i) {
                float re;
                std::memcpy(&re, src + 8 * i, 4);
                dst[i] = re;
            }
            return;
        case DType::Complex128:
            for (std::size_t i = 0; i < count; ++i) {
                std::memcpy(&dst[i], src + 16 * i, 8);
            }
            return;
        case DType::Float8E4M3FN:
        case DType::Float8E5M2:
        case DType::Float8E4M3FNUZ:
        case DType::Float8E5M2FNUZ:
        case DType::Float8E8M0FNU: {
            const Float8Table& table = float8Table(t);
            for (std::size_t i = 0; i < count; ++i) {
                dst[i] = table[std::to_integer<std::size_t>(src[i])];
            }
            return;
        }
        case DType::String:
        case DType::Other:
            std::fill(dst, dst + count, 0.0);
            return;
    }
}

void complexMagnitudes(DType t, const std::byte* src, std::size_t count, double* dst) {
    const bool c64 = t == DType::Complex64;
    const std::size_t size = c64 ? 8 : 16;
    for (std::size_t i = 0; i < count; ++i) {
        double re = 0.0;
        double im = 0.0;
        if (c64) {
            float parts[2];
            std::memcpy(parts, src + size * i, 8);
            re = parts[0];
            im = parts[1];
        } else {
            std::memcpy(&re, src + size * i, 8);
            std::memcpy(&im, src + size * i + 8, 8);
        }
        // hypot(Inf, NaN) is Inf; a NaN part makes the element NaN here.
        dst[i] = std::isnan(re) || std::isnan(im) ? std::numeric_limits<double>::quiet_NaN()
                                                  : std::hypot(re, im);
    }
}

void byteSwap(std::byte* data, std::size_t count, std::size_t elementSize) {
    if (elementSize <= 1) {
        return;
    }
    for (std::size_t i = 0; i < count; ++i) {
        std::reverse(data + i * elementSize, data + (i + 1) * elementSize);
    }
}

}  // namespace ckpt::core
