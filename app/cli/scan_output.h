#pragma once
// What `ckpt scan` and `ckpt scan --merge` share: where the JSON lines go, the SARIF file,
// the summary line and its text form.

#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli/scan_record.h"
#include "core/model/json.h"
#include "core/validate/validator.h"

namespace ckpt::cli {

class Args;

/// The JSONL stream: --jsonl OUT, or standard output when OUT is absent or "-".
class LineSink {
public:
    /// Opens OUT (truncating it); returns false when it cannot be written.
    bool open(const std::optional<std::string>& path, std::ostream& stdOut);
    void write(const core::Json& line);
    /// Flushes; returns false when a write failed (disk full, closed pipe).
    bool finish();
    /// True when the lines go to standard output (the text summary then goes to stderr).
    [[nodiscard]] bool toStdout() const { return m_stream == m_stdout; }

private:
    std::ofstream m_file;
    std::ostream* m_stdout = nullptr;
    std::ostream* m_stream = nullptr;
};

/// Findings kept for --sarif: one report per file that has findings or suppressed ones.
class SarifCollector {
public:
    explicit SarifCollector(bool wanted) : m_wanted(wanted) {}
    void add(const core::Json& line);
    /// Writes the SARIF log (core's validationSarif, as `ckpt validate --format sarif`).
    /// Returns an error message, empty on success.
    [[nodiscard]] std::string write(const std::string& path) const;

private:
    bool m_wanted;
    std::vector<core::ValidationReport> m_reports;
};

/// "1,000 files: 820 checkpoints, 180 other; 12 unreadable; findings 30 error(s) ..."
void printScanSummary(const ScanTally& tally, std::uint64_t skipped, double seconds,
                      std::ostream& out);

/// Parses --fail-on (default error); nullopt when it is not a severity name.
[[nodiscard]] std::optional<core::Severity> failOnOption(const Args& args);

/// `ckpt scan --merge A.jsonl B.jsonl ... [--jsonl OUT] [--sarif OUT] [--fail-on S]`.
int runScanMerge(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace ckpt::cli
