// The .npy header (magic, version, the Python-literal dict, dtype, shape) and .npz archives.

#include "core/formats/npy_format.h"
#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const auto source = fuzz::bytes(data, size, "fuzz.npy");
        if (core::isNpy(*source)) {
            const auto header = core::parseNpyHeader(*source);
            (void)core::npyTensor(source, header);
        }
    });
    fuzz::throughReader("npy", data, size, "fuzz.npy");
    fuzz::throughReader("npz", data, size, "fuzz.npz");
    return 0;
}
