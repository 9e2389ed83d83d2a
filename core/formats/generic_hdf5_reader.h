#pragma once
/// Any HDF5 file: groups, datasets and attributes, without Keras semantics.

#include "core/formats/reader.h"

namespace ckpt::core {

class GenericHdf5Reader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "hdf5"; }
    [[nodiscard]] std::string_view description() const override { return "HDF5 file"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".h5", ".hdf5", ".he5", ".hdf"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "HDF5 signature \\x89HDF\\r\\n\\x1a\\n at 0 or a user-block boundary";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
