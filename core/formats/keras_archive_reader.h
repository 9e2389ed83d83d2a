#pragma once
/// Keras `.keras` archives (Keras 3, and tf.keras 2.11-2.15): a zip of config.json,
/// metadata.json and model.weights.h5, read in place without extracting anything.

#include "core/formats/reader.h"

namespace ckpt::core {

class KerasArchiveReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "keras-archive"; }
    [[nodiscard]] std::string_view description() const override { return "Keras archive (.keras)"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {".keras"}; }
    [[nodiscard]] std::string_view signature() const override {
        return "zip holding config.json and model.weights.h5";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
