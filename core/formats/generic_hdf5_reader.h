#pragma once
/// Any HDF5 file: groups, datasets and attributes, without Keras semantics.

#include "core/formats/reader.h"

namespace ckpt::core {

class GenericHdf5Reader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "hdf5"; }
    [[nodiscard]] std::string_view description() const override { return "HDF5 file"; }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
