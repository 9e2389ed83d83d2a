#pragma once
/// What the validator reports: one finding per problem, with evidence and advice.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt::core {

enum class FindingCategory : std::uint8_t { Unserializable, Portability, Security, Integrity };
enum class Severity : std::uint8_t { Error, Warning, Info };

[[nodiscard]] std::string_view categoryName(FindingCategory c);
[[nodiscard]] std::string_view severityName(Severity s);
/// Inverse of severityName; nullopt for unknown text.
[[nodiscard]] std::optional<Severity> severityFromName(std::string_view name);

struct Finding {
    std::string rule;  ///< stable id, e.g. "CKPT-S001" (documented in docs/rules.md)
    FindingCategory category = FindingCategory::Security;
    Severity severity = Severity::Warning;
    std::string path;                     ///< member path: "<root>.lock", "model_config/layers[2]"
    std::string symbol;                   ///< the global involved: "dill._dill._create_rlock"
    std::optional<std::uint64_t> offset;  ///< byte offset of the evidence in its stream
    std::string member;   ///< archive member or stream holding it ("data.pkl"), if any
    std::string message;  ///< what it is, and what plain pickle would raise
    std::string advice;   ///< what to do about it
};

}  // namespace ckpt::core
