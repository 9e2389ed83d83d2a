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
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
