#pragma once
// `ckpt scan`'s file list: the walk of its PATHs (no symlink leads out of a tree) and the
// deterministic shards that split it between independent workers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt::cli {

/// One regular file the walk found.
struct WalkedFile {
    std::string path;      ///< as printed: the PATH argument joined with the path below it
    std::string shardKey;  ///< what the shard is computed from: the path relative to its root
                           ///< (a FILE argument: the argument itself), so that every worker
                           ///< computes the same key whatever its current directory
};

/// What the walk left out, for notes on stderr and the summary.
struct WalkNote {
    std::string path;
    std::string why;  ///< "a symbolic link to a directory (not followed)", ...
};

struct WalkResult {
    std::vector<WalkedFile> files;  ///< sorted by path (byte order), each path once
    std::vector<WalkNote> skipped;  ///< symlinks not followed, special files, unreadable folders
    std::vector<WalkNote> missing;  ///< PATH arguments that do not exist or cannot be read
};

/// Walks `roots` (files or folders). A folder's regular files are listed; with `recursive`
/// also those of its sub-folders. Symbolic links: a PATH argument itself is followed (the user
/// named it); below it, a link to a directory is never followed, a link to a regular file is
/// followed only when its target lies inside the same PATH's tree (checked on the canonical
/// paths at walk time), and everything else (links out of the tree, dangling links, sockets,
/// FIFOs, devices) is skipped with a note.
[[nodiscard]] WalkResult walkPaths(const std::vector<std::string>& roots, bool recursive);

/// Removes from `files` the scan's own output files and everything inside its cache folder
/// (when they lie in the trees of `roots`), compared on canonical paths; returns how many.
std::size_t dropOwnFiles(std::vector<WalkedFile>& files, const std::vector<std::string>& roots,
                         const std::vector<std::string>& outputs, const std::string& cacheDir);

/// A hash of `text` that is the same on every machine and build (FNV-1a 64, then mixed).
[[nodiscard]] std::uint64_t stableHash(std::string_view text);

/// stableHash(text) as 16 lower-case hex digits (cache file and folder names).
[[nodiscard]] std::string stableHashHex(std::string_view text);

/// True when the file with `shardKey` belongs to shard `index` of `count` (0 <= index < count):
/// stableHash(key) mod count. Adding or removing a file never moves another file.
[[nodiscard]] bool inShard(std::string_view shardKey, std::uint64_t index, std::uint64_t count);

/// Parses "K/N" (0 <= K < N); returns false when `text` is not that.
[[nodiscard]] bool parseShard(std::string_view text, std::uint64_t& index, std::uint64_t& count);

}  // namespace ckpt::cli
