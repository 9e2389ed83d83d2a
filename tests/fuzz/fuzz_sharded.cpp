// The shard index reader: the index JSON (weight_map, metadata, shard names, hostile paths), and
// the join of real shards: the index is read as if it sat in tests/fixtures/sharded/st, so the
// names it gives reach the three safetensors shards there (and nothing outside that folder).

#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ckpt::fuzz::throughReader("sharded", data, size,
                              CKPT_FUZZ_SHARD_DIR "/fuzz.safetensors.index.json");
    return 0;
}
