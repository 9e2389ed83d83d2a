#pragma once
// One line of `ckpt scan`'s JSONL output: what one file is and what the validator found in it,
// and the counts that a scan and a merge of scans add up from those lines.

#include <cstdint>
#include <string>

#include "core/model/json.h"
#include "core/validate/finding.h"
#include "core/validate/validator.h"

namespace ckpt::cli {

class ScanCache;

struct ScanSettings {
    core::ValidateOptions validate;    ///< the options of `ckpt validate` (policy, --no-data)
    const ScanCache* cache = nullptr;  ///< --cache, or null
};

struct ScanOutcome {
    /// {path, size, sha256, format, checkpoint, tensors, parameters, findings_by_severity:
    /// {error, warning, info}, findings: [as `ckpt validate --json`, without file], suppressed,
    /// disabled, errors: [reader errors], elapsed_ms, cached}
    core::Json line;
    bool hashed = false;            ///< the file's content was hashed (no stamp in the cache)
    bool cacheWriteFailed = false;  ///< an entry could not be written to the cache
};

/// Scans one regular file: stat, SHA-256 (or the cache's record of it), then the cached result
/// of that content, else the file is opened by content (registry's detectReader) and checked by
/// the validator exactly as `ckpt validate` does (a file no reader opens is swept for hidden
/// pickles the same way). A file that no reader recognises and that is not an HDF5 file or a
/// zip is not a checkpoint: format null, no error. Never throws: every failure is an entry of
/// `errors` (such results are cached too, except I/O errors, which may pass).
[[nodiscard]] ScanOutcome scanFile(const std::string& path, const ScanSettings& settings);

/// A line for `path` that holds only the error `why` (a file that cannot even be stat'ed).
[[nodiscard]] core::Json errorLine(const std::string& path, const std::string& why);

/// The findings of a line as a validation report of its path (for the SARIF writer).
[[nodiscard]] core::ValidationReport reportFromLine(const core::Json& line);

/// Counts over lines, for the summary and the exit code.
struct ScanTally {
    std::uint64_t files = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t notCheckpoints = 0;
    std::uint64_t unreadable = 0;  ///< lines with reader errors
    std::uint64_t opened = 0;      ///< lines computed by opening the file
    std::uint64_t cached = 0;      ///< lines taken from the cache
    std::uint64_t hashed = 0;
    std::uint64_t bytes = 0;
    std::uint64_t errors = 0, warnings = 0, infos = 0;
    std::uint64_t suppressed = 0;

    /// Adds one line (throws core::FormatError when it lacks a field a line must have).
    void add(const core::Json& line);
    /// Adds another tally (a shard's summary read back by fromJson).
    void add(const ScanTally& other);
    /// {files, checkpoints, not_checkpoints, unreadable, opened, cached, hashed, bytes,
    /// findings: {error, warning, info}, suppressed}
    [[nodiscard]] core::Json json() const;
    /// Inverse of json(); throws core::FormatError on a field missing.
    [[nodiscard]] static ScanTally fromJson(const core::Json& j);
    /// `ckpt validate`'s rule: 2 when a file could not be read, 1 when a finding is at least
    /// as severe as `failOn`, else 0.
    [[nodiscard]] int exitCode(core::Severity failOn) const;
};

}  // namespace ckpt::cli
