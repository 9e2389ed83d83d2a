#pragma once
/// Cleaned pickle export: the pickle stream rewritten at the opcode level without the members the
/// validator flags `unserializable` (locks, queues, open files...) and, on request, `portability`
/// (functions and classes rebuilt from bytecode). Everything else is copied byte for byte: kept
/// opcodes, joblib's raw array bytes, torch storages. Nothing is executed.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/export/export_common.h"

namespace ckpt::core {

class ByteSource;

/// How cleanPickleStream treats one input stream.
struct StreamCleanOptions {
    bool replaceWithNone = false;  ///< replace flagged values with None instead of removing
    bool dropPortability = false;  ///< also take out functions/classes rebuilt from bytecode
    bool joblibArrays = true;      ///< step over joblib NumpyArrayWrapper bytes (copied verbatim)
    /// Pickles to read back to back (0: until the data ends); the bytes after them are copied.
    std::size_t maxPickles = 0;
    std::string member;   ///< stream name for findings ("data.pkl"), "" for a whole file
    ProgressFn progress;  ///< (offset reached, stream size); false cancels (CancelledError)
};

/// What cleanPickleStream produced.
struct StreamCleanResult {
    std::vector<std::byte> bytes;       ///< the rewritten stream (trailing bytes included)
    std::vector<std::string> cleaned;   ///< "path (type): removed" / ": replaced with None"
    std::vector<std::string> warnings;  ///< references to removed values set to None, ...
};

/// Rewrites the pickle(s) in `data` (memory-backed). Throws UnsupportedError when a flagged
/// value cannot be taken out (it is the root, or is used where no patch is possible), and when
/// the result would still run code on load (security findings outside removed members); the
/// rewritten stream is re-read and re-validated before it is returned.
[[nodiscard]] StreamCleanResult cleanPickleStream(const std::shared_ptr<const ByteSource>& data,
                                                  const StreamCleanOptions& options);

/// The export entry point for ExportFormat::Pickle: pickle/dill/cloudpickle files, joblib files
/// (re-compressed with the input's method), torch zip files (only `<root>/data.pkl` rewritten)
/// and legacy torch files. Atomic; UnsupportedError for other inputs.
[[nodiscard]] ExportReport exportCleanPickle(const Checkpoint& checkpoint,
                                             const std::filesystem::path& out,
                                             const ExportOptions& options);

}  // namespace ckpt::core
