#pragma once
/// Internal to the cleaned pickle export: one pass over the opcodes of a pickle that tracks, for
/// every stack value, the byte span of the opcodes that built it, and records the edits that
/// take flagged values out of their owners (dict entries removed, other places set to None).

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/pickle/byte_range.h"

namespace ckpt::core::pickle_clean {

/// Bytes [begin, end) of the stream left out; `none` puts a NONE in their place.
struct Edit {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    bool none = false;
    int finding = -1;     ///< index of the finding behind it
    bool popped = false;  ///< a value the pickle builds and discards (e.g. a state setter)
};

/// A memo definition (PUT/BINPUT/LONG_BINPUT/MEMOIZE) and how to rebuild the value it stores
/// when the definition falls inside an edit.
struct MemoDef {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
    std::uint64_t slot = 0;
    bool flagged = false;
    bool replayable = false;
    std::string replay;  ///< opcodes that push an equal immutable value
};

struct MemoGet {
    std::uint64_t offset = 0;
    std::uint64_t slot = 0;
};

/// What the walk found in one pickle.
struct WalkResult {
    std::vector<Edit> edits;  ///< sorted by begin, nested edits dropped
    std::vector<MemoDef> defs;
    std::vector<MemoGet> gets;
    bool framed = false;  ///< the pickle used FRAME opcodes
};

/// Walks the pickle [begin, end) of `bytes`, stepping over `skipped` raw ranges. `flaggedAt` maps
/// the offset of the opcode that builds a flagged value to its finding index. Throws
/// UnsupportedError when a flagged value is the pickle's root.
[[nodiscard]] WalkResult walkPickle(std::span<const std::byte> bytes, std::uint64_t begin,
                                    const std::vector<pickle::ByteRange>& skipped,
                                    const std::map<std::uint64_t, int>& flaggedAt, bool replace);

}  // namespace ckpt::core::pickle_clean
