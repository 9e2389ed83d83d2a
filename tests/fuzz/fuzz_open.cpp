// Every reader at once, as `ckpt info` meets a file: the registry's probes pick one by content.

#include "core/formats/registry.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const auto c = core::openCheckpoint(fuzz::bytes(data, size, "fuzz.bin"), "fuzz.bin");
        fuzz::exercise(*c);
    });
    return 0;
}
