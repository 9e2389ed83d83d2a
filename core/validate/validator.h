#pragma once
/// The validator: every rule over one opened checkpoint, and the JSON and SARIF forms of its
/// report.

#include <string>
#include <vector>

#include "core/model/json.h"
#include "core/util/progress.h"
#include "core/validate/finding.h"

namespace ckpt::core {

class Checkpoint;

struct ValidateOptions {
    bool readData = true;  ///< read tensor data to find NaN/Inf (integrity); off: metadata only
    ProgressFn progress;   ///< bytes of tensor data read; return false to cancel
};

struct ValidationReport {
    std::string file;
    std::string format;
    std::vector<Finding> findings;

    [[nodiscard]] std::size_t count(Severity s) const;
    /// True when some finding is at least as severe as `threshold`.
    [[nodiscard]] bool reaches(Severity threshold) const;
};

/// Runs every rule: the pickle scan of each pickle stream, the Keras config rules, and (with
/// readData) NaN/Inf in the weights. Findings come sorted by category, then severity.
[[nodiscard]] ValidationReport validateCheckpoint(const Checkpoint& checkpoint,
                                                  const ValidateOptions& options = {});

/// For a file that no reader could open: the validator's own sweep of its zip members (if it is
/// a zip), so that pickles hidden where no format looks are still judged. `format` is
/// "unreadable"; no findings when it is not a zip or holds nothing. Never throws.
[[nodiscard]] ValidationReport validateUnopenedFile(const std::string& path);

/// {findings: [{file, rule, category, severity, path, symbol, offset, member, message,
/// advice}], summary: {files, errors, warnings, infos, by_category}}.
[[nodiscard]] Json validationJson(const std::vector<ValidationReport>& reports);

/// A SARIF 2.1.0 log with one run: the rules that fired (id, name, help), and one result per
/// finding located by file URI and member path (logicalLocations) plus byte offset.
[[nodiscard]] Json validationSarif(const std::vector<ValidationReport>& reports);

/// Short description of a rule id ("code that runs on load"), for help texts and SARIF.
[[nodiscard]] std::string ruleTitle(const std::string& rule);

}  // namespace ckpt::core
