#pragma once
// `ckpt scan --cache DIR`: results stored by the content's SHA-256, and a per-path index of
// (size, mtime, ctime, inode, device) -> SHA-256 that spares re-hashing files that did not
// change. Every entry is its own small file written atomically (temporary + rename), so that
// workers on several machines may share one cache folder.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/model/json.h"

namespace ckpt::cli {

/// What stat() says of a file; equal stamps are taken to mean equal content.
struct FileStamp {
    std::uint64_t size = 0;
    std::uint64_t mtimeNs = 0;
    std::uint64_t ctimeNs = 0;  ///< changes on every write, and cannot be set back by a user
    std::uint64_t inode = 0;
    std::uint64_t device = 0;
    [[nodiscard]] bool operator==(const FileStamp&) const = default;
};

/// stat() of `path` (following a symlink), or nullopt when it fails.
[[nodiscard]] std::optional<FileStamp> stampOf(const std::string& path);

/// The cache folder. Reads and writes are safe from several threads and processes at once;
/// an entry that cannot be read or parsed counts as absent, and a failed write is only
/// counted (a scan never fails because of its cache).
class ScanCache {
public:
    /// Uses (and creates) `dir`; results live under results/<configKey>/, so that a scan with
    /// another version, policy or limits never reads them. Throws core::IoError when the folder
    /// cannot be created.
    ScanCache(std::filesystem::path dir, std::string configKey);

    /// The SHA-256 recorded for `path` when its stamp is still `stamp`.
    [[nodiscard]] std::optional<std::string> knownSha(const std::string& path,
                                                      const FileStamp& stamp) const;
    /// Records `sha` as the content of `path` at `stamp`. Returns false when the write failed.
    bool rememberSha(const std::string& path, const FileStamp& stamp, const std::string& sha) const;

    /// The stored result of the content `sha`, as storeResult was given it.
    [[nodiscard]] std::optional<core::Json> result(const std::string& sha) const;
    /// Stores `result` for the content `sha`. Returns false when the write failed.
    bool storeResult(const std::string& sha, const core::Json& result) const;

private:
    [[nodiscard]] std::filesystem::path indexFile(const std::string& absolutePath) const;
    [[nodiscard]] std::filesystem::path resultFile(const std::string& sha) const;

    std::filesystem::path m_dir;
    std::string m_configKey;
};

}  // namespace ckpt::cli
