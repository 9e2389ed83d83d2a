// The zip reader: the central directory (zip64 included), local headers, stored windows with
// their CRC check and inflated members, all with a 16 MiB bound per member.

#include "core/io/zip_archive.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const auto zip = core::ZipArchive::open(fuzz::bytes(data, size, "fuzz.zip"));
        std::size_t n = 0;
        for (const auto& entry : zip->entries()) {
            if (++n > 16) {
                break;
            }
            (void)zip->find(entry.name);
            fuzz::guarded([&] {
                const auto member = zip->member(entry, std::uint64_t{16} << 20);
                std::vector<std::byte> head(std::min<std::uint64_t>(member->size(), 4096));
                member->read(0, head);
            });
            fuzz::guarded([&] { (void)zip->readText(entry, std::uint64_t{1} << 20); });
        }
    });
    return 0;
}
