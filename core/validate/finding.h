#pragma once
/// What the validator reports: one finding per problem, with evidence and advice.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt::core {

enum class FindingCategory : std::uint8_t {
    Unserializable,
    Portability,
    Security,
    Integrity,
    Policy,  ///< about the policy file itself (an expired suppression)
};
enum class Severity : std::uint8_t { Error, Warning, Info };

[[nodiscard]] std::string_view categoryName(FindingCategory c);
[[nodiscard]] std::string_view severityName(Severity s);
/// Inverse of severityName; nullopt for unknown text.
[[nodiscard]] std::optional<Severity> severityFromName(std::string_view name);

/// A part of a finding: a member inside the finding's member that the same rule flagged (a
/// Queue's mutex and its three Conditions are parts of one finding about the Queue).
struct FindingPart {
    std::string path;
    std::string symbol;
    std::optional<std::uint64_t> offset;
    std::string message;
};

struct Finding {
    std::string rule;  ///< stable id, e.g. "CKPT-S001" (documented in docs/rules.md)
    FindingCategory category = FindingCategory::Security;
    Severity severity = Severity::Warning;
    std::string path;                     ///< member path: "<root>.lock", "model_config/layers[2]"
    std::string symbol;                   ///< the global involved: "dill._dill._create_rlock"
    std::optional<std::uint64_t> offset;  ///< byte offset of the evidence in its stream
    std::string member;              ///< archive member or stream holding it ("data.pkl"), if any
    std::string message;             ///< what it is, and what plain pickle would raise
    std::string advice;              ///< what to do about it
    std::vector<FindingPart> parts;  ///< members inside `path` flagged by the same rule
};

/// Folds each finding about a member (unserializable, code rebuilt from bytecode, a pickled
/// Keras model) into the finding of the same rule and stream whose path contains it
/// (`<root>.queue.mutex` into `<root>.queue`), so that there is one finding per member. Security
/// findings stay one per call (each is a separate thing that runs), and findings about a module
/// or a name (CKPT-P002, P003) are never folded. Keeps the order of the remaining findings.
void groupFindingsByMember(std::vector<Finding>& findings);

}  // namespace ckpt::core
