#pragma once
/// PyTorch zip (torch.save, 1.6+).

#include "core/formats/reader.h"

namespace ckpt::core {

class TorchZipReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "torch-zip"; }
    [[nodiscard]] std::string_view description() const override {
        return "PyTorch zip (torch.save, 1.6+)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".pt", ".pth", ".bin", ".ckpt"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "zip with <name>/data.pkl and <name>/data/<key> storages (torch.save since 1.6)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
