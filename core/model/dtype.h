#pragma once
/// Element types of tensors, named as numpy names them (8-bit floats as ml_dtypes and torch do).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt::core {

enum class DType : std::uint8_t {
    Bool,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float16,
    BFloat16,
    Float32,
    Float64,
    Complex64,
    Complex128,
    /// 8-bit floats (OCP FP8 and the FNUZ variants of arXiv 2206.02915), stored as one byte
    /// each and decoded exactly through a 256-entry table (float8ToFloat).
    Float8E4M3FN,    ///< bias 7, no Inf, NaN = S.1111.111, max 448
    Float8E5M2,      ///< bias 15, IEEE-like: Inf and NaN at exponent 31, max 57344
    Float8E4M3FNUZ,  ///< bias 8, no Inf, no -0, NaN = 0x80 only, max 240
    Float8E5M2FNUZ,  ///< bias 16, no Inf, no -0, NaN = 0x80 only, max 57344
    Float8E8M0FNU,   ///< exponent only (MX scales): 2^(code-127), 0xFF = NaN, no sign, no zero
    String,          ///< fixed or variable-length strings; no numeric view
    Other,           ///< anything else (compound, opaque without a known tag); no numeric view
};

enum class ByteOrder : std::uint8_t { Little, Big };

/// numpy's name: "float32", "bfloat16", "bool", "int64", ...
[[nodiscard]] std::string_view dtypeName(DType t);
/// Inverse of dtypeName; nullopt for unknown names.
[[nodiscard]] std::optional<DType> dtypeFromName(std::string_view name);
/// Bytes per element; 0 for String/Other (variable).
[[nodiscard]] std::size_t dtypeSize(DType t);
/// True for the types whose elements convert to a double (bool, ints, floats, 8-bit floats).
[[nodiscard]] bool dtypeIsNumeric(DType t);
/// True for the floating-point types, 8-bit floats included.
[[nodiscard]] bool dtypeIsFloat(DType t);
/// True for the 8-bit float types (Float8E4M3FN ... Float8E8M0FNU).
[[nodiscard]] bool dtypeIsFloat8(DType t);
/// True for Complex64 and Complex128.
[[nodiscard]] bool dtypeIsComplex(DType t);

/// Converts IEEE half and bfloat16 bit patterns to float.
[[nodiscard]] float halfToFloat(std::uint16_t bits);
[[nodiscard]] float bfloat16ToFloat(std::uint16_t bits);
/// The value of 8-bit float code `code` of type `t` (dtypeIsFloat8(t)), exact (every value of
/// these types is a float); NaN codes give a quiet NaN. Reads a table built once.
[[nodiscard]] float float8ToFloat(DType t, std::uint8_t code);

/// Converts `count` native-order elements of type `t` at `src` to doubles in `dst`.
/// Complex types convert their real part. Requires dtypeIsNumeric(t) or a complex type.
void convertToDouble(DType t, const std::byte* src, std::size_t count, double* dst);

/// Converts `count` native-order complex elements of type `t` (dtypeIsComplex) to their
/// magnitudes |z| (NaN when a part is NaN, +Inf when a part is infinite and none is NaN).
void complexMagnitudes(DType t, const std::byte* src, std::size_t count, double* dst);

/// Reverses the byte order of `count` elements of `elementSize` bytes in place.
void byteSwap(std::byte* data, std::size_t count, std::size_t elementSize);

}  // namespace ckpt::core
