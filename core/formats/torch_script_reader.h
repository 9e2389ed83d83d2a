#pragma once
/// TorchScript archive (torch.jit.save).

#include "core/formats/reader.h"

namespace ckpt::core {

class TorchScriptReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "torchscript"; }
    [[nodiscard]] std::string_view description() const override {
        return "TorchScript archive (torch.jit.save)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".pt", ".pth", ".zip"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "zip with <name>/code/ or constants.pkl (torch.jit.save)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
