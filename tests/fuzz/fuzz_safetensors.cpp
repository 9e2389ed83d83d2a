// The safetensors header: the 8-byte length, the JSON, dtypes, shapes and data offsets.

#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ckpt::fuzz::throughReader("safetensors", data, size, "fuzz.safetensors");
    return 0;
}
