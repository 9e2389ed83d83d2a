#pragma once
/// Keras 3 `.weights.h5` (and Keras 2.12-2.15 tf.keras): the vars layout,
/// layers/<name>/vars/<i>, with no architecture config.

#include "core/formats/reader.h"

namespace ckpt::core {

class Keras3WeightsReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "keras3-weights-h5"; }
    [[nodiscard]] std::string_view description() const override {
        return "Keras 3 weights (.weights.h5)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".weights.h5"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "HDF5 with layers/<name>/vars groups (Keras 3 weights)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
