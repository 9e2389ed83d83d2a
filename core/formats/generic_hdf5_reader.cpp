#include "core/formats/generic_hdf5_reader.h"

#include "core/formats/hdf5_tree.h"
#include "core/io/hdf5_file.h"

namespace ckpt::core {

int GenericHdf5Reader::probe(ProbeContext& context) const {
    if (!context.hasHdf5Signature()) {
        return probe::kNotMine;
    }
    (void)context.hdf5();  // a file HDF5 cannot open is not ours to claim
    return probe::kContainer;
}

std::unique_ptr<Checkpoint> GenericHdf5Reader::open(ProbeContext& context,
                                                    const OpenOptions& options) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    buildHdf5Tree(context.hdf5(), checkpoint->root(), options.progress);
    return checkpoint;
}

}  // namespace ckpt::core
