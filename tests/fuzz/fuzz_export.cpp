// The export writers fed with fuzzed sources: the bytes are opened by whichever reader claims
// them (the first byte picks the file name, so name-based tie-breaks vary too), then exported to
// safetensors, weights HDF5 and a cleaned pickle in a scratch folder.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/export/export_common.h"
#include "core/formats/registry.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    namespace fs = std::filesystem;
    if (size < 1) {
        return 0;
    }
    static const char* const names[] = {"in.pkl", "in.safetensors", "in.npy",    "in.h5",
                                        "in.pt",  "in.keras",       "in.joblib", "in.npz"};
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("ckpt-fuzz-export-" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    const fs::path in = dir / names[data[0] % 8];
    {
        std::ofstream f(in, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(data + 1), std::streamsize(size - 1));
    }
    fuzz::guarded([&] {
        const auto c = core::openCheckpoint(in);
        core::ExportOptions options;
        options.chunkBytes = 1 << 16;
        for (const auto& target : {std::pair{core::ExportFormat::Safetensors, "out.safetensors"},
                                   std::pair{core::ExportFormat::WeightsH5, "out.weights.h5"},
                                   std::pair{core::ExportFormat::Pickle, "out.pkl"}}) {
            // No structured bindings here: clang 14 cannot capture them in a lambda.
            fuzz::guarded([&] {
                (void)core::exportCheckpoint(*c, target.first, dir / target.second, options);
            });
        }
    });
    std::error_code ec;
    fs::remove(in, ec);
    return 0;
}
