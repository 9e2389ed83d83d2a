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

#include <nlohmann/json.hpp>

#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
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
    (void)core::checkpointInfoJson(c).dump();
    const auto report = core::validateCheckpoint(c);
    (void)core::validationJson({report}).dump();
    (void)core::validationSarif({report}).dump();
}

/// Runs `f`, swallowing the typed errors that are the right answer to bad bytes.
///
/// Known, fixed elsewhere (issue 13, helper h13a): JSON output throws nlohmann type_error 316 on
/// a string that is not UTF-8 (../shared/data/hostile/abort_json_nonutf8_global.pkl). Until
/// that fix is merged it is swallowed here so that the fuzzers reach the rest of the code;
/// build with -DCKPT_FUZZ_STRICT to count it as a finding again (then delete this branch).
template <typename F>
void guarded(F&& f) {
    try {
        f();
    } catch (const core::Error&) {
    }
#ifndef CKPT_FUZZ_STRICT
    catch (const nlohmann::json::type_error& e) {
        if (e.id != 316) {
            throw;
        }
    }
#endif
}

}  // namespace ckpt::fuzz
