#pragma once
/// safetensors: an 8-byte header length, a JSON header, then the tensor bytes. The header is
/// validated as the reference implementation does: offsets tile the data buffer exactly.

#include "core/formats/reader.h"

namespace ckpt::core {

class SafetensorsReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "safetensors"; }
    [[nodiscard]] std::string_view description() const override { return "safetensors"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".safetensors"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "8-byte little-endian header length, then a JSON header starting with {";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
