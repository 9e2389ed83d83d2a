#pragma once
/// Internal to the cleaned pickle export: joblib's compressors (the same method as the input)
/// and a stored-zip writer for torch archives (members copied as they are, 64-byte aligned data
/// like torch.save writes).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace ckpt::core {

class AtomicFile;
class ZipArchive;
struct ZipEntry;

/// Compresses `data` like joblib.dump(compress=method): "zlib", "gzip", "bz2", "xz", "lzma".
/// UnsupportedError for others (lz4).
[[nodiscard]] std::vector<std::byte> compressLikeJoblib(std::span<const std::byte> data,
                                                        const std::string& method);

/// Writes a zip with the entries of `zip` in their order: every member's stored bytes copied as
/// they are (method, CRC and sizes kept), except `replacedName`, written stored with
/// `replacement`. Data starts 64-byte aligned. `onBytes` is told each block's size. Throws
/// UnsupportedError past 4 GiB (zip64 output is not written).
void writeZipWithReplacement(const ZipArchive& zip, const std::string& replacedName,
                             std::span<const std::byte> replacement, AtomicFile& out,
                             const std::function<void(std::uint64_t)>& onBytes);

}  // namespace ckpt::core
