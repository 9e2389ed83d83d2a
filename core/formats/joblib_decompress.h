#pragma once
/// The compressors of joblib.dump(compress=...) (FORMATS.md §5.3): the whole file is one
/// compressed stream of the plain joblib bytes. zlib and gzip use zlib, bz2 libbz2, xz and
/// lzma liblzma. Output is bounded: a stream that expands past the limit is refused.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace ckpt::core {

class ByteSource;

/// "zlib", "gzip", "bz2", "xz", "lzma", "lz4" by the magic bytes at the start; "" otherwise.
[[nodiscard]] std::string joblibCompression(std::span<const std::byte> head);

/// Decompresses all of `source` with `method` into memory. Throws CorruptDataError for damaged
/// or truncated streams, UnsupportedError for lz4 and for output above `maxBytes`.
[[nodiscard]] std::shared_ptr<const ByteSource> decompressJoblib(
    const ByteSource& source, const std::string& method,
    std::uint64_t maxBytes = std::uint64_t{4} << 30);

/// Decompresses at most `maxBytes` from the start (for probes); never throws.
[[nodiscard]] std::string decompressPrefix(const ByteSource& source, const std::string& method,
                                           std::size_t maxBytes);

}  // namespace ckpt::core
