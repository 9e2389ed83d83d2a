#pragma once
/// Element types of tensors, named as numpy names them.

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
    String,  ///< fixed or variable-length strings; no numeric view
    Other,   ///< anything else (compound, opaque without a known tag); no numeric view
};

enum class ByteOrder : std::uint8_t { Little, Big };

/// numpy's name: "float32", "bfloat16", "bool", "int64", ...
[[nodiscard]] std::string_view dtypeName(DType t);
/// Inverse of dtypeName; nullopt for unknown names.
[[nodiscard]] std::optional<DType> dtypeFromName(std::string_view name);
/// Bytes per element; 0 for String/Other (variable).
[[nodiscard]] std::size_t dtypeSize(DType t);
/// True for the types whose elements convert to a double (bool, ints, floats).
[[nodiscard]] bool dtypeIsNumeric(DType t);
[[nodiscard]] bool dtypeIsFloat(DType t);

/// Converts IEEE half and bfloat16 bit patterns to float.
[[nodiscard]] float halfToFloat(std::uint16_t bits);
[[nodiscard]] float bfloat16ToFloat(std::uint16_t bits);

/// Converts `count` native-order elements of type `t` at `src` to doubles in `dst`.
/// Complex types convert their real part. Requires dtypeIsNumeric(t) or a complex type.
void convertToDouble(DType t, const std::byte* src, std::size_t count, double* dst);

/// Reverses the byte order of `count` elements of `elementSize` bytes in place.
void byteSwap(std::byte* data, std::size_t count, std::size_t elementSize);

}  // namespace ckpt::core
