#include "core/validate/validator.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/analysis/tensor_stats.h"
#include "core/io/byte_source.h"
#include "core/io/file_hash.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/validate/archive_sweep.h"
#include "core/validate/keras_rules.h"
#include "core/validate/pickle_scan.h"
#include "core/validate/zip_sweep.h"

namespace ckpt::core {
namespace {

const std::map<std::string, std::string>& ruleTitles() {
    static const std::map<std::string, std::string> titles{
        {"CKPT-S001", "calls code that runs commands or code on load"},
        {"CKPT-S002", "loads another pickle or model on load"},
        {"CKPT-S003", "imports a module by name on load"},
        {"CKPT-S004", "reaches code through attribute lookup on load"},
        {"CKPT-S005", "calls a function rebuilt from bytecode on load"},
        {"CKPT-S006", "import target computed at load time"},
        {"CKPT-S007", "calls a standard-library callable outside the allow-list"},
        {"CKPT-S008", "zip member whose names disagree"},
        {"CKPT-S009", "global denied by the policy"},
        {"CKPT-S010", "content that could not be checked"},
        {"CKPT-U001", "member that plain pickle cannot serialize"},
        {"CKPT-P001", "function, code or class rebuilt from bytecode"},
        {"CKPT-P002", "class or function from __main__"},
        {"CKPT-P003", "module the loader must import"},
        {"CKPT-P004", "Keras Lambda layer"},
        {"CKPT-P005", "pickled Keras model"},
        {"CKPT-P006", "custom Keras layer"},
        {"CKPT-I001", "NaN or Inf in weights"},
        {"CKPT-I002", "weights disagree with the config"},
        {"CKPT-I003", "tensor data laid out wrongly"},
        {"CKPT-V001", "expired suppression in the policy"},
    };
    return titles;
}

void nanInfFindings(const Checkpoint& c, const ValidateOptions& options,
                    std::vector<Finding>& out) {
    std::uint64_t total = 0;
    for (const Node* n : c.tensorNodes()) {
        if (n->tensor()->readable() && dtypeIsFloat(n->tensor()->dtype())) {
            total += n->tensor()->nbytes();
        }
    }
    std::uint64_t done = 0;
    for (const Node* n : c.tensorNodes()) {
        const Tensor& t = *n->tensor();
        if (!t.readable() || !dtypeIsFloat(t.dtype()) || t.numel() == 0) {
            continue;
        }
        ProgressFn inner;
        if (options.progress) {
            const std::uint64_t base = done;
            const std::size_t size = dtypeSize(t.dtype());
            inner = [&, base, size](std::uint64_t elements, std::uint64_t) {
                return options.progress(base + elements * size, total);
            };
        }
        const TensorStats s = computeStats(t, inner);
        done += t.nbytes();
        const std::uint64_t bad = s.nans + s.posInf + s.negInf;
        if (bad == 0) {
            continue;
        }
        Finding f;
        f.rule = "CKPT-I001";
        f.category = FindingCategory::Integrity;
        f.severity = Severity::Warning;
        f.path = n->path();
        f.symbol = std::string(dtypeName(t.dtype()));
        f.message = n->path() + " holds " + std::to_string(s.nans) + " NaN, " +
                    std::to_string(s.posInf) + " +Inf and " + std::to_string(s.negInf) +
                    " -Inf of " + std::to_string(s.count) +
                    " values: training diverged or "
                    "the file is damaged";
        f.advice =
            "Go back to an earlier checkpoint, or find the layer where the values first "
            "went non-finite with `ckpt stats`.";
        out.push_back(std::move(f));
    }
}

std::vector<Finding> sweepFile(const std::string& path, const std::set<std::string>& scanned,
                               const Policy* policy) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return {};
    }
    try {
        return sweepZipForPickles(FileSource::open(path), scanned, policy);
    } catch (const std::exception&) {
        return {};  // the reader already read this file; the sweep adds, it never fails
    }
}

/// Groups by member, applies the policy, sorts by category then severity.
void finish(ValidationReport& report, const ValidateOptions& options) {
    groupFindingsByMember(report.findings);
    if (options.policy != nullptr) {
        std::string sha;
        if (policyNeedsHash(*options.policy) && !report.file.empty()) {
            try {
                sha = sha256File(report.file);
            } catch (const Error&) {
                // unhashable: hash-bound suppressions simply do not match
            }
        }
        applyPolicy(report, *options.policy, options.today, sha);
    }
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [](const Finding& a, const Finding& b) {
                         if (a.category != b.category) {
                             return a.category < b.category;
                         }
                         return a.severity < b.severity;
                     });
}

}  // namespace

ValidationReport validateUnopenedFile(const std::string& path, const ValidateOptions& options) {
    ValidationReport report;
    report.file = path;
    report.format = "unreadable";
    report.findings = sweepFile(path, {}, options.policy);
    if (report.findings.empty()) {
        // 7z, tar and compressed wrappers that a loader or a user unpacks first.
        try {
            report.findings = sweepArchiveForPickles(FileSource::open(path), options.policy);
        } catch (const std::exception&) {
        }
    }
    if (report.findings.empty()) {
        // A pickle that breaks after its payload: what a loader ran before failing.
        try {
            report.findings = scanBrokenPickle(FileSource::open(path), options.policy);
        } catch (const std::exception&) {
        }
    }
    finish(report, options);
    return report;
}

std::size_t ValidationReport::count(Severity s) const {
    return static_cast<std::size_t>(std::count_if(
        findings.begin(), findings.end(), [s](const Finding& f) { return f.severity == s; }));
}

bool ValidationReport::reaches(Severity threshold) const {
    return std::any_of(findings.begin(), findings.end(), [threshold](const Finding& f) {
        return static_cast<int>(f.severity) <= static_cast<int>(threshold);
    });
}

std::string ruleTitle(const std::string& rule) {
    const auto it = ruleTitles().find(rule);
    return it == ruleTitles().end() ? rule : it->second;
}

ValidationReport validateCheckpoint(const Checkpoint& checkpoint, const ValidateOptions& options) {
    ValidationReport report;
    report.file = checkpoint.filePath();
    report.format = checkpoint.format();
    for (const auto& stream : checkpoint.pickleStreams()) {
        if (!stream.graph) {
            continue;
        }
        auto fs = scanPickleGraph(*stream.graph, stream.roots, stream.member, options.policy);
        report.findings.insert(report.findings.end(), fs.begin(), fs.end());
    }
    if (!checkpoint.filePath().empty()) {
        // Every zip member, whatever its name: pickles a reader did not open are judged too.
        std::set<std::string> scanned;
        for (const auto& stream : checkpoint.pickleStreams()) {
            scanned.insert(stream.member);
        }
        auto swept = sweepFile(checkpoint.filePath(), scanned, options.policy);
        report.findings.insert(report.findings.end(), swept.begin(), swept.end());
    }
    for (const auto& part : checkpoint.uncheckedParts()) {
        report.findings.push_back(uncheckedFinding(part.where, part.why));
    }
    for (const auto& p : checkpoint.layoutProblems()) {
        Finding f;
        f.rule = "CKPT-I003";
        f.category = FindingCategory::Integrity;
        f.severity = p.error ? Severity::Error : Severity::Warning;
        f.path = p.path;
        f.offset = p.offset;
        f.message = (p.path.empty() ? std::string("the file") : p.path) + ": " + p.what;
        f.advice = p.error ? "Loaders may read other bytes than the writer meant, or refuse the "
                             "file: convert it again from the original weights."
                           : "Loaders differ on this; rewrite the file with a current writer "
                             "to be safe.";
        report.findings.push_back(std::move(f));
    }
    const std::string label =
        checkpoint.format() == "keras-archive" ? "config.json" : "model_config";
    auto keras = kerasConfigFindings(checkpoint, label);
    report.findings.insert(report.findings.end(), keras.begin(), keras.end());
    if (options.readData) {
        try {
            nanInfFindings(checkpoint, options, report.findings);
        } catch (const Error&) {
            // A tensor that cannot be read (a damaged chunk) is an error about this file.
            rethrowWithContext({checkpoint.filePath(), checkpoint.format()});
        }
    }
    finish(report, options);
    return report;
}

}  // namespace ckpt::core
