// The config diff: two model configs and two training configs (the input split at NUL bytes),
// compared layer by layer and field by field.

#include "core/diff/config_diff.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    std::vector<std::string> parts(4);
    std::size_t k = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0 && k < 3) {
            ++k;
        } else {
            parts[k].push_back(char(data[i]));
        }
    }
    auto parse = [](const std::string& s) {
        const core::Json j = core::Json::parse(s, nullptr, false);
        return j.is_discarded() ? core::Json() : j;
    };
    core::Checkpoint a("keras-h5", "a"), b("keras-h5", "b");
    a.config() = parse(parts[0]);
    b.config() = parse(parts[1]);
    a.trainingConfig() = parse(parts[2]);
    b.trainingConfig() = parse(parts[3]);
    fuzz::guarded([&] {
        const auto diff = core::diffConfigs(a, b);
        std::vector<core::ConfigChange> out;
        core::diffJson(a.config(), b.config(), "", "", out);
    });
    return 0;
}
