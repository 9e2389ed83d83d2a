#pragma once
/// PyTorch legacy torch.save (before 1.6).

#include "core/formats/reader.h"

namespace ckpt::core {

class TorchLegacyReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "torch-legacy"; }
    [[nodiscard]] std::string_view description() const override {
        return "PyTorch legacy torch.save (before 1.6)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".pt", ".pth", ".bin", ".tar", ".ckpt"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "pickle with torch's magic number 0x1950a86a20f9469cfc6c (torch < 1.6), or a tar "
               "holding sys_info/pickle/storages";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
