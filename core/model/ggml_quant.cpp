#include "core/model/ggml_quant.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <vector>

#include "core/io/byte_source.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

constexpr std::uint32_t kQK = 32;    // elements per block of the Q4_0 ... Q8_1 family
constexpr std::uint32_t kQKK = 256;  // elements per super-block of the K and IQ families

// Bytes per block, from ggml-common.h's block structs (ggml_half is 2 bytes, no padding).
// clang-format off
constexpr std::array<GgmlType, 30> kGgmlTypes{{
    {0, "F32", 1, 4, DType::Float32, false},
    {1, "F16", 1, 2, DType::Float16, false},
    {2, "Q4_0", kQK, 2 + 16, DType::Float32, true},          // d, qs[16]
    {3, "Q4_1", kQK, 2 + 2 + 16, DType::Float32, true},      // d, m, qs[16]
    {6, "Q5_0", kQK, 2 + 4 + 16, DType::Float32, true},      // d, qh[4], qs[16]
    {7, "Q5_1", kQK, 2 + 2 + 4 + 16, DType::Float32, true},  // d, m, qh[4], qs[16]
    {8, "Q8_0", kQK, 2 + 32, DType::Float32, true},          // d, qs[32]
    {9, "Q8_1", kQK, 2 + 2 + 32, DType::Other, false},       // d, s, qs[32]
    {10, "Q2_K", kQKK, 16 + 64 + 2 + 2, DType::Other, false},
    {11, "Q3_K", kQKK, 32 + 64 + 12 + 2, DType::Other, false},
    {12, "Q4_K", kQKK, 2 + 2 + 12 + 128, DType::Float32, true},       // d, dmin, scales, qs
    {13, "Q5_K", kQKK, 2 + 2 + 12 + 32 + 128, DType::Float32, true},  // + qh[32]
    {14, "Q6_K", kQKK, 128 + 64 + 16 + 2, DType::Float32, true},      // ql, qh, scales, d
    {15, "Q8_K", kQKK, 4 + 256 + 32, DType::Float32, true},           // f32 d, qs, bsums
    {16, "IQ2_XXS", kQKK, 2 + 64, DType::Other, false},
    {17, "IQ2_XS", kQKK, 2 + 64 + 8, DType::Other, false},
    {18, "IQ3_XXS", kQKK, 2 + 96, DType::Other, false},
    {19, "IQ1_S", kQKK, 2 + 32 + 16, DType::Other, false},
    {20, "IQ4_NL", kQK, 2 + 16, DType::Other, false},
    {21, "IQ3_S", kQKK, 2 + 64 + 8 + 32 + 4, DType::Other, false},
    {22, "IQ2_S", kQKK, 2 + 64 + 8 + 8, DType::Other, false},
    {23, "IQ4_XS", kQKK, 2 + 2 + 4 + 128, DType::Other, false},
    {24, "I8", 1, 1, DType::Int8, false},
    {25, "I16", 1, 2, DType::Int16, false},
    {26, "I32", 1, 4, DType::Int32, false},
    {27, "I64", 1, 8, DType::Int64, false},
    {28, "F64", 1, 8, DType::Float64, false},
    {29, "IQ1_M", kQKK, 32 + 16 + 8, DType::Other, false},
    {30, "BF16", 1, 2, DType::BFloat16, false},
    {34, "TQ1_0", kQKK, 48 + 4 + 2, DType::Other, false},
}};
// clang-format on
constexpr GgmlType kTq2_0{35, "TQ2_0", kQKK, 64 + 2, DType::Other, false};
constexpr GgmlType kMxfp4{39, "MXFP4", kQK, 1 + 16, DType::Other, false};

float f16At(const std::uint8_t* p) {
    return halfToFloat(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
}

float f32At(const std::uint8_t* p) {
    const std::uint32_t bits = static_cast<std::uint32_t>(p[0]) | (std::uint32_t{p[1]} << 8) |
                               (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
    float f = 0;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Q4_0: y[j] = d * (low nibble of qs[j] - 8), y[j + 16] = d * (high nibble - 8).
void q4_0(const std::uint8_t* b, float* y) {
    const float d = f16At(b);
    const std::uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
        y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
    }
}

// Q4_1: y = d * nibble + m.
void q4_1(const std::uint8_t* b, float* y) {
    const float d = f16At(b);
    const float m = f16At(b + 2);
    const std::uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = static_cast<float>(qs[j] & 0x0F) * d + m;
        y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
    }
}

// Q5_0/Q5_1: the fifth bit of element j is bit j of the little-endian u32 qh (elements 0-15
// from the low nibbles, 16-31 from the high nibbles use bits 16-31).
void q5(const std::uint8_t* b, float* y, bool withMin) {
    const float d = f16At(b);
    const float m = withMin ? f16At(b + 2) : 0.0f;
    const std::uint8_t* h = b + (withMin ? 4 : 2);
    const std::uint32_t qh = static_cast<std::uint32_t>(h[0]) | (std::uint32_t{h[1]} << 8) |
                             (std::uint32_t{h[2]} << 16) | (std::uint32_t{h[3]} << 24);
    const std::uint8_t* qs = h + 4;
    const int offset = withMin ? 0 : 16;
    for (int j = 0; j < 16; ++j) {
        const int x0 = ((qs[j] & 0x0F) | (((qh >> j) & 1) << 4)) - offset;
        const int x1 = ((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - offset;
        y[j] = withMin ? static_cast<float>(x0) * d + m : static_cast<float>(x0) * d;
        y[j + 16] = withMin ? static_cast<float>(x1) * d + m : static_cast<float>(x1) * d;
    }
}

// Q8_0: y = d * int8.
void q8_0(const std::uint8_t* b, float* y) {
    const float d = f16At(b);
    for (int j = 0; j < 32; ++j) {
        y[j] = static_cast<float>(static_cast<std::int8_t>(b[2 + j])) * d;
    }
}

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block, packed in 12 bytes:
// sub-blocks 0-3 in the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); 4-7 in the nibbles of
// bytes 8-11 with their top two bits in the top bits of bytes 0-3 and 4-7.
void scaleMinK4(int j, const std::uint8_t* q, std::uint8_t& sc, std::uint8_t& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = static_cast<std::uint8_t>((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
        m = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K/Q5_K: 8 sub-blocks of 32; y = (d * scale) * q - (dmin * min). Each 32 bytes of qs hold two
// sub-blocks (low nibbles, then high nibbles); Q5_K's fifth bit of element l of sub-block s is
// bit s of qh[l].
void qk45(const std::uint8_t* b, float* y, bool five) {
    const float d = f16At(b);
    const float dmin = f16At(b + 2);
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* qh = b + 16;
    const std::uint8_t* q = b + (five ? 48 : 16);
    for (int pair = 0; pair < 4; ++pair) {
        std::uint8_t sc = 0;
        std::uint8_t m = 0;
        scaleMinK4(2 * pair, scales, sc, m);
        const float d1 = d * static_cast<float>(sc);
        const float m1 = dmin * static_cast<float>(m);
        scaleMinK4(2 * pair + 1, scales, sc, m);
        const float d2 = d * static_cast<float>(sc);
        const float m2 = dmin * static_cast<float>(m);
        for (int l = 0; l < 32; ++l) {
            int lo = q[l] & 0x0F;
            int hi = q[l] >> 4;
            if (five) {
                lo += ((qh[l] >> (2 * pair)) & 1) << 4;
                hi += ((qh[l] >> (2 * pair + 1)) & 1) << 4;
            }
            y[l] = d1 * static_cast<float>(lo) - m1;
            y[l + 32] = d2 * static_cast<float>(hi) - m2;
        }
        q += 32;
        y += 64;
    }
}

// Q6_K: two halves of 128; in each, element l + 32k (k = 0..3) takes 4 low bits from ql (l or
// l + 32, low or high nibble) and 2 high bits from qh[l] (bits 2k, 2k+1), minus 32, times
// d * scales[8 * half + l / 16 + 2k] (int8).
void q6_k(const std::uint8_t* b, float* y) {
    const std::uint8_t* ql = b;
    const std::uint8_t* qh = b + 128;
    const auto* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    const float d = f16At(b + 208);
    for (int half = 0; half < 2; ++half) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

// Q8_K: a float32 d, then 256 int8; the 16 int16 bsums are only for dot products.
void q8_k(const std::uint8_t* b, float* y) {
    const float d = f32At(b);
    for (int j = 0; j < 256; ++j) {
        y[j] = d * static_cast<float>(static_cast<std::int8_t>(b[4 + j]));
    }
}

}  // namespace

std::optional<GgmlType> ggmlType(std::uint32_t id) {
    for (const auto& t : kGgmlTypes) {
        if (t.id == id) {
            return t;
        }
    }
    if (id == kTq2_0.id) {
        return kTq2_0;
    }
    if (id == kMxfp4.id) {
        return kMxfp4;
    }
    return std::nullopt;
}

void dequantizeGgmlBlocks(const GgmlType& type, const std::byte* src, std::size_t blocks,
                          float* dst) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(src);
    for (std::size_t i = 0; i < blocks; ++i, b += type.blockBytes, dst += type.blockElements) {
        switch (type.id) {
            case 2:
                q4_0(b, dst);
                break;
            case 3:
                q4_1(b, dst);
                break;
            case 6:
                q5(b, dst, false);
                break;
            case 7:
                q5(b, dst, true);
                break;
            case 8:
                q8_0(b, dst);
                break;
            case 12:
                qk45(b, dst, false);
                break;
            case 13:
                qk45(b, dst, true);
                break;
            case 14:
                q6_k(b, dst);
                break;
            case 15:
                q8_k(b, dst);
                break;
            default:
                throw UnsupportedError("ggml type " + std::string(type.name) + " is not decoded");
        }
    }
}

GgmlTensorSource::GgmlTensorSource(std::shared_ptr<const ByteSource> bytes, std::uint64_t offset,
                                   GgmlType type, std::uint64_t numel)
    : m_bytes(std::move(bytes)), m_offset(offset), m_type(type), m_numel(numel) {}

void GgmlTensorSource::read(std::uint64_t first, std::uint64_t count, std::byte* out) const {
    if (first > m_numel || count > m_numel - first) {
        throw CorruptDataError("element range outside the tensor");
    }
    const std::uint64_t per = m_type.blockElements;
    std::uint64_t block = first / per;
    const std::uint64_t endBlock = (first + count + per - 1) / per;
    std::vector<std::byte> raw;
    std::vector<float> decoded;
    auto* dst = reinterpret_cast<float*>(out);
    std::uint64_t next = first;  // the next element to hand out
    while (block < endBlock) {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(endBlock - block, kGgmlReadBlocks));
        raw.resize(n * m_type.blockBytes);
        decoded.resize(n * per);
        m_bytes->read(m_offset + block * m_type.blockBytes, std::span<std::byte>(raw));
        dequantizeGgmlBlocks(m_type, raw.data(), n, decoded.data());
        const std::uint64_t base = block * per;
        const std::uint64_t stop = std::min<std::uint64_t>(base + n * per, first + count);
        std::memcpy(dst + (next - first), decoded.data() + (next - base),
                    static_cast<std::size_t>(stop - next) * sizeof(float));
        next = stop;
        block += n;
    }
}

std::string GgmlTensorSource::storageDescription() const {
    const std::uint64_t bytes = m_numel / m_type.blockElements * m_type.blockBytes;
    return std::string(m_type.name) + " blocks of " + std::to_string(m_type.blockElements) +
           " elements in " + std::to_string(m_type.blockBytes) + " bytes, " +
           std::to_string(bytes) + " bytes at offset " +
           std::to_string(m_bytes->fileOffset() + m_offset) + ", dequantised to float32";
}

}  // namespace ckpt::core
