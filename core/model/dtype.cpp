#include "core/model/dtype.h"

#include <algorithm>
#include <array>
#include <bit>
#include <complex>
#include <cstring>
#include <utility>

namespace ckpt::core {
namespace {

constexpr std::array<std::pair<DType, std::string_view>, 17> kNames{{
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
    {DType::String, "str"},
    {DType::Other, "void"},
}};

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
           t == DType::Float64;
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
        case DType::String:
        case DType::Other:
            std::fill(dst, dst + count, 0.0);
            return;
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
