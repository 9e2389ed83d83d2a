#pragma once
/// GGUF v2 and v3 (llama.cpp, ggml): metadata key-values, tensor infos and the aligned tensor
/// data. Block-quantised tensors of the common types read as float32 through dequantisation
/// (core/model/ggml_quant.h); the others are shown with their type and size, not decoded.

#include "core/formats/reader.h"

namespace ckpt::core {

class GgufReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "gguf"; }
    [[nodiscard]] std::string_view description() const override { return "GGUF (llama.cpp)"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {".gguf"}; }
    [[nodiscard]] std::string_view signature() const override {
        return "magic GGUF, then a little-endian u32 version (2 or 3)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
