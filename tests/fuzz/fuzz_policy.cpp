// Policy files (TOML through toml++, or JSON when the text starts with '{').

#include <string>

#include "core/validate/policy.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const std::string text(reinterpret_cast<const char*>(data), size);
        const bool json = !text.empty() && text.front() == '{';
        const core::Policy p = core::parsePolicy(text, json ? "fuzz.json" : "fuzz.toml");
        for (const auto& a : p.allow) {
            (void)core::wildcardMatch(a, text);
        }
    });
    return 0;
}
