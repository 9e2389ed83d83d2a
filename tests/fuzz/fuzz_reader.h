#pragma once
// One reader of the registry over the fuzzer's bytes: probe, and open when the probe says yes.

#include "core/formats/reader.h"
#include "core/formats/registry.h"
#include "tests/fuzz/fuzz_common.h"

namespace ckpt::fuzz {

inline void throughReader(std::string_view id, const std::uint8_t* data, std::size_t size,
                          const std::string& name) {
    const core::Reader* reader = nullptr;
    for (const core::Reader* r : core::readers()) {
        reader = r->id() == id ? r : reader;
    }
    guarded([&] {
        core::ProbeContext context(bytes(data, size, name), name);
        if (reader->probe(context) > 0) {
            const auto c = reader->open(context, {});
            exercise(*c);
        }
    });
}

}  // namespace ckpt::fuzz
