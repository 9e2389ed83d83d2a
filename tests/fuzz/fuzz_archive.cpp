// The validator's archive pass (libarchive: 7z, tar, gzip, bz2, xz, zstd, lz4, nested archives)
// and the zip pass it hands nested zips to.

#include "core/validate/archive_sweep.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] { (void)core::sweepArchiveForPickles(fuzz::bytes(data, size, "fuzz.7z")); });
    return 0;
}
