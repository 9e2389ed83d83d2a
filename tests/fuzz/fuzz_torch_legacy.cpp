// Legacy torch.save files (before 1.6): magic number, protocol and sys_info pickles, the object
// pickle with persistent storages, the storage key list and the raw storages after it.

#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ckpt::fuzz::throughReader("torch-legacy", data, size, "fuzz.pt");
    return 0;
}
