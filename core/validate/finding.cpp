#include "core/validate/finding.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace ckpt::core {

std::string_view categoryName(FindingCategory c) {
    switch (c) {
        case FindingCategory::Unserializable:
            return "unserializable";
        case FindingCategory::Portability:
            return "portability";
        case FindingCategory::Security:
            return "security";
        case FindingCategory::Integrity:
            return "integrity";
        case FindingCategory::Policy:
            return "policy";
    }
    return "security";
}

std::string_view severityName(Severity s) {
    switch (s) {
        case Severity::Error:
            return "error";
        case Severity::Warning:
            return "warning";
        case Severity::Info:
            return "info";
    }
    return "error";
}

std::optional<Severity> severityFromName(std::string_view name) {
    if (name == "error") {
        return Severity::Error;
    }
    if (name == "warning") {
        return Severity::Warning;
    }
    if (name == "info") {
        return Severity::Info;
    }
    return std::nullopt;
}

namespace {

/// Rules whose findings are about a member (not about a module or a name used once).
bool groups(const Finding& f) {
    return f.category == FindingCategory::Unserializable || f.rule == "CKPT-P001" ||
           f.rule == "CKPT-P005";
}

}  // namespace

void groupFindingsByMember(std::vector<Finding>& findings) {
    // For each finding, the outermost finding of the same rule and stream that contains it.
    // Candidates are indexed by (rule, member) so that the work stays near linear.
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> byKey;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (groups(findings[i]) && !findings[i].path.empty()) {
            byKey[{findings[i].rule, findings[i].member}].push_back(i);
        }
    }
    std::vector<std::size_t> owner(findings.size(), findings.size());
    for (auto& [key, idx] : byKey) {
        if (idx.size() < 2) {
            continue;
        }
        // Shortest paths first: an owner is always shorter than what it holds.
        std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            return findings[a].path.size() < findings[b].path.size();
        });
        std::unordered_map<std::string_view, std::size_t> tops;  // path -> finding
        for (const std::size_t i : idx) {
            const std::string& path = findings[i].path;
            // Every proper prefix that ends before '.', '[' or '(' may be an owner's path.
            for (std::size_t k = 1; k < path.size() && owner[i] == findings.size(); ++k) {
                if (path[k] == '.' || path[k] == '[' || path[k] == '(') {
                    if (const auto t = tops.find(std::string_view(path).substr(0, k));
                        t != tops.end()) {
                        owner[i] = t->second;
                    }
                }
            }
            if (owner[i] == findings.size()) {
                tops.emplace(path, i);
            }
        }
    }
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (owner[i] == findings.size()) {
            continue;
        }
        Finding& top = findings[owner[i]];
        Finding& part = findings[i];
        top.parts.push_back({part.path, part.symbol, part.offset, part.message});
        top.severity = std::min(top.severity, part.severity);  // Error < Warning < Info
    }
    for (auto& f : findings) {
        std::stable_sort(f.parts.begin(), f.parts.end(),
                         [](const FindingPart& a, const FindingPart& b) {
                             return a.offset.value_or(0) < b.offset.value_or(0);
                         });
    }
    std::vector<Finding> kept;
    kept.reserve(findings.size());
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (owner[i] == findings.size()) {
            kept.push_back(std::move(findings[i]));
        }
    }
    findings = std::move(kept);
}

}  // namespace ckpt::core
