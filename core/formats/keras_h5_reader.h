#pragma once
/// Keras legacy HDF5: full models (model.save("x.h5"), Keras 1 to 3) and weights-only files
/// (save_weights("x.h5")).

#include "core/formats/reader.h"

namespace ckpt::core {

class KerasH5Reader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "keras-h5"; }
    [[nodiscard]] std::string_view description() const override {
        return "Keras legacy HDF5 model";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".h5", ".hdf5", ".keras"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "HDF5 with a model_config or layer_names attribute (Keras 1/2)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
