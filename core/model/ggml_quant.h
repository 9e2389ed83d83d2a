#pragma once
/// ggml tensor types (GGUF, llama.cpp): the block size and bytes per block of every type, so
/// that sizes and byte maps are right for types that are not decoded, and the dequantisation of
/// the common ones to float32. Layouts follow ggml's ggml-common.h block structs; each decoder
/// is written from the formula of ggml's reference dequantize_row_* (docs in ggml_quant.cpp).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/dtype.h"
#include "core/model/tensor.h"

namespace ckpt::core {

/// One ggml type: `blockElements` elements are stored in `blockBytes` bytes.
struct GgmlType {
    std::uint32_t id = 0;
    std::string_view name;  ///< ggml's spelling: "F32", "Q4_K", "IQ2_XXS"
    std::uint32_t blockElements = 1;
    std::uint32_t blockBytes = 0;
    /// How reads present the elements: a native dtype stored as is (F32, F16, BF16, I8...),
    /// Float32 for the dequantised block types, Other when the type is not decoded.
    DType readAs = DType::Other;
    /// True for block types decoded to float32 here (Q4_0 ... Q8_K).
    bool dequantised = false;
};

/// The type with ggml id `id`, or nullopt for ids ggml does not define (or has removed: 4, 5,
/// 31-33, 36-38, whose blocks had no fixed size in the file).
[[nodiscard]] std::optional<GgmlType> ggmlType(std::uint32_t id);

/// Dequantises `blocks` consecutive blocks of block type `type` (one with dequantised == true)
/// from `src` into `dst` (blocks * type.blockElements floats). Never reads past
/// blocks * type.blockBytes bytes.
void dequantizeGgmlBlocks(const GgmlType& type, const std::byte* src, std::size_t blocks,
                          float* dst);

/// Elements of a dequantised ggml tensor, read as float32 on demand: the blocks that hold the
/// asked range are read from `bytes` (at most kGgmlReadBlocks at a time) and decoded. The
/// tensor's element count is a whole number of blocks (the reader checks it).
class GgmlTensorSource final : public TensorSource {
public:
    GgmlTensorSource(std::shared_ptr<const ByteSource> bytes, std::uint64_t offset, GgmlType type,
                     std::uint64_t numel);
    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override;
    [[nodiscard]] std::string storageDescription() const override;

private:
    std::shared_ptr<const ByteSource> m_bytes;
    std::uint64_t m_offset;
    GgmlType m_type;
    std::uint64_t m_numel;
};

/// Blocks one GgmlTensorSource read decodes at a time (bounds its scratch memory).
inline constexpr std::size_t kGgmlReadBlocks = 4096;

}  // namespace ckpt::core
