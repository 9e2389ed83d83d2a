#pragma once
/// Content hashes of input files (policy suppressions bound to one file, scan caches).

#include <string>

namespace ckpt::core {

/// SHA-256 of the file at `path` as 64 lower-case hex digits, read in 1 MiB blocks (OpenSSL's
/// libcrypto). Throws core::IoError when the file cannot be read.
[[nodiscard]] std::string sha256File(const std::string& path);

}  // namespace ckpt::core
