// The GGUF reader: header, metadata key-values (arrays, nested arrays, strings), tensor infos,
// alignment and offsets; exercise() then reads every tensor (dequantising the block types).

#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ckpt::fuzz::throughReader("gguf", data, size, "fuzz.gguf");
    return 0;
}
