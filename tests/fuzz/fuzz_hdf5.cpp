// HDF5 from an in-memory file image (Hdf5File opens a MemorySource through the file-image
// driver): the group tree, attributes (Keras configs, name lists) and datasets, through every
// HDF5-based reader of the registry (Keras legacy, Keras 3 weights, generic HDF5).

#include "core/formats/registry.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const auto c = core::openCheckpoint(fuzz::bytes(data, size, "fuzz.h5"), "fuzz.h5");
        fuzz::exercise(*c);
    });
    return 0;
}
