#pragma once
/// GGUF (llama.cpp, ggml) header parsing: the key-values and the tensor infos, every count and
/// length checked against the bytes that remain before it is used (FORMATS.md §7).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/model/json.h"

namespace ckpt::core {

/// GGUF metadata value types.
enum class GgufValueType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

/// "u32", "string", "array", ... for a valid type.
[[nodiscard]] std::string ggufValueTypeName(GgufValueType t);

/// Elements of an array value kept for display and comparison; longer arrays keep this many
/// first elements and their count (a tokenizer's 100k-token list is never held whole).
inline constexpr std::uint64_t kGgufArrayPreview = 16;

/// One metadata key-value.
struct GgufKeyValue {
    std::string key;
    GgufValueType type = GgufValueType::U8;
    /// Arrays: the element type and count.
    GgufValueType elementType = GgufValueType::U8;
    std::uint64_t count = 0;
    /// Scalars: the value (strings as read, not necessarily UTF-8). Arrays: the first
    /// min(count, kGgufArrayPreview) elements (nested arrays the same way, recursively).
    Json value;
    std::uint64_t offset = 0;  ///< where the key-value starts in the file
};

/// One tensor info, as stored.
struct GgufTensorInfo {
    std::string name;
    /// Dimensions as GGUF stores them: innermost (fastest-varying) first, ne[0] the row length.
    /// The numpy/PyTorch shape is this reversed.
    std::vector<std::uint64_t> ne;
    std::uint32_t type = 0;        ///< ggml type id (may be one ggml does not define)
    std::uint64_t offset = 0;      ///< relative to the start of the tensor-data section
    std::uint64_t infoOffset = 0;  ///< where the info starts in the file
};

struct GgufHeader {
    std::uint32_t version = 0;
    std::vector<GgufKeyValue> metadata;   ///< in file order
    std::vector<GgufTensorInfo> tensors;  ///< in file order
    std::uint64_t alignment = 32;
    bool alignmentFromFile = false;
    /// Where the tensor-data section starts: the end of the tensor infos, rounded up to the
    /// alignment. May lie past the end of a file that holds no tensor data.
    std::uint64_t dataStart = 0;
};

/// Default alignment of the tensor data when general.alignment is absent.
inline constexpr std::uint64_t kGgufDefaultAlignment = 32;
/// ggml's GGML_MAX_DIMS: tensor infos with more dimensions are refused.
inline constexpr std::uint32_t kGgufMaxDims = 4;

/// True when `bytes` starts with the magic "GGUF".
[[nodiscard]] bool hasGgufMagic(std::span<const std::byte> bytes);

/// Parses the header of a whole file held in `bytes`. Throws CorruptDataError (with the byte
/// offset), UnsupportedError (v1, big-endian files) or LimitError (limits gguf-tensors,
/// gguf-kv, gguf-array-depth).
[[nodiscard]] GgufHeader parseGgufHeader(std::span<const std::byte> bytes);

}  // namespace ckpt::core
