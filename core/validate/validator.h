#pragma once
/// The validator: every rule over one opened checkpoint, and the JSON and SARIF forms of its
/// report.

#include <set>
#include <string>
#include <vector>

#include "core/model/json.h"
#include "core/util/progress.h"
#include "core/validate/finding.h"
#include "core/validate/policy.h"

namespace ckpt::core {

class Checkpoint;

struct ValidateOptions {
    bool readData = true;  ///< read tensor data to find NaN/Inf (integrity); off: metadata only
    ProgressFn progress;   ///< bytes of tensor data read; return false to cancel
    const Policy* policy = nullptr;  ///< allow, deny, severities, suppressions (may be null)
    PolicyDate today = todayUtc();   ///< for suppression expiry
};

struct ValidationReport {
    std::string file;
    std::string format;
    std::vector<Finding> findings;
    std::vector<Finding> suppressed;    ///< matched a suppression of the policy
    std::size_t disabled = 0;           ///< findings of rules the policy turned off
    std::size_t knownFromBaseline = 0;  ///< findings dropped because the baseline has them

    [[nodiscard]] std::size_t count(Severity s) const;
    /// True when some finding is at least as severe as `threshold`.
    [[nodiscard]] bool reaches(Severity threshold) const;
};

/// Runs every rule: the pickle scan of each pickle stream, the Keras config rules, and (with
/// readData) NaN/Inf in the weights. Findings are grouped by member (groupFindingsByMember),
/// the policy is applied, and they come sorted by category, then severity.
[[nodiscard]] ValidationReport validateCheckpoint(const Checkpoint& checkpoint,
                                                  const ValidateOptions& options = {});

/// For a file that no reader could open: the validator's own sweep of its zip members (if it is
/// a zip), so that pickles hidden where no format looks are still judged. `format` is
/// "unreadable"; no findings when it is not a zip or holds nothing. Never throws.
[[nodiscard]] ValidationReport validateUnopenedFile(const std::string& path,
                                                    const ValidateOptions& options = {});

/// {findings: [{file, rule, category, severity, path, symbol, offset, member, message,
/// advice, parts: [{path, symbol, offset, message}]}], summary: {files, errors, warnings, infos,
/// by_category, suppressed, disabled, known_from_baseline}}.
[[nodiscard]] Json validationJson(const std::vector<ValidationReport>& reports);

/// A SARIF 2.1.0 log with one run: the rules that fired (id, name, help from docs/rules.md),
/// and one result per finding: message and advice apart (advice in properties), located by an
/// artifact URI and its member path (logicalLocations) plus byte offset; parts as
/// relatedLocations. Relative input paths are URIs against the base id SRCROOT (the current
/// directory, given in originalUriBaseIds); absolute ones are file:// URIs.
[[nodiscard]] Json validationSarif(const std::vector<ValidationReport>& reports);

/// The help text of a rule: its section of docs/rules.md (Markdown), built in at compile time.
[[nodiscard]] std::string ruleHelp(const std::string& rule);

/// The findings a baseline file (an earlier `ckpt validate --format json`) already holds,
/// keyed by file, rule, path, symbol and member (not the offset, which moves when a file is
/// re-saved). Throws core::Error when the file is not such a report.
struct Baseline {
    std::multiset<std::string> keys;
    std::string source;
};
[[nodiscard]] Baseline loadBaseline(const std::string& path);
/// Removes the findings the baseline holds (each baseline entry absorbs one finding) and
/// counts them in report.knownFromBaseline.
void dropKnownFindings(ValidationReport& report, Baseline& baseline);

/// Short description of a rule id ("code that runs on load"), for help texts and SARIF.
[[nodiscard]] std::string ruleTitle(const std::string& rule);

}  // namespace ckpt::core
