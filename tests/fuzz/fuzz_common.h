#pragma once
// Shared by the libFuzzer harnesses (see docs/fuzzing.md). A harness feeds the fuzzer's bytes to
// one parser and exercises what it built. Typed core errors (ckpt::core::Error) are the expected
// answer to bad input and are swallowed; anything else (another exception, a crash, a sanitizer
// report, a leak, a timeout, an allocation above -malloc_limit_mb) is a finding.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/json_dump.h"
#include "core/report/checkpoint_json.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

namespace ckpt::fuzz {

inline std::shared_ptr<const core::ByteSource> bytes(const std::uint8_t* data, std::size_t size,
                                                     const std::string& name) {
    const auto* b = reinterpret_cast<const std::byte*>(data);
    return std::make_shared<core::MemorySource>(std::vector<std::byte>(b, b + size), name);
}

/// What the CLI does with an opened checkpoint: the info JSON (serialised, as `--json` does)
/// and the validator's findings in both report formats.
inline void exercise(const core::Checkpoint& c) {
    // Printed as the product prints them (dumpJson: bytes that are not UTF-8 are replaced).
    (void)core::dumpJson(core::checkpointInfoJson(c));
    const auto report = core::validateCheckpoint(c);
    (void)core::dumpJson(core::validationJson({report}));
    (void)core::dumpJson(core::validationSarif({report}));
}

/// Runs `f`, swallowing the typed errors that are the right answer to bad bytes.
template <typename F>
void guarded(F&& f) {
    try {
        f();
    } catch (const core::Error&) {
    }
}

}  // namespace ckpt::fuzz
