// joblib decompression (zlib, gzip, bz2, xz, lzma): the method comes from the magic bytes, or
// from the first byte when there is none, so every decoder sees arbitrary streams.

#include "core/formats/joblib_decompress.h"
#include "core/formats/joblib_reader.h"
#include "core/formats/reader.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    if (size == 0) {
        return 0;
    }
    static const char* const methods[] = {"zlib", "gzip", "bz2", "xz", "lzma"};
    std::string method = core::joblibCompression({reinterpret_cast<const std::byte*>(data), size});
    if (method.empty() || method == "lz4") {
        method = methods[data[0] % 5];
        ++data;
        --size;
    }
    const auto source = fuzz::bytes(data, size, "fuzz.joblib");
    (void)core::decompressPrefix(*source, method, 4096);
    fuzz::guarded([&] {
        const auto plain = core::decompressJoblib(*source, method, std::uint64_t{16} << 20);
        std::vector<std::byte> head(std::min<std::uint64_t>(plain->size(), 64));
        plain->read(0, head);
    });
    // The whole reader over the (compressed) bytes.
    fuzz::guarded([&] {
        core::ProbeContext context(source, "fuzz.joblib");
        const core::JoblibReader reader;
        if (reader.probe(context) > 0) {
            fuzz::exercise(*reader.open(context, {}));
        }
    });
    return 0;
}
