#pragma once
/// A validation policy (`ckpt validate --policy FILE`, docs/policy.md): globals the user trusts
/// or forbids, severities per rule, and suppressions of reviewed findings with an expiry date.
/// Read from TOML (toml++) or JSON; applied by the scanner (allow, deny) and to the report
/// (severities, suppressions).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/validate/finding.h"

namespace ckpt::core {

struct ValidationReport;

/// A calendar day, compared as yyyymmdd.
struct PolicyDate {
    int year = 0, month = 0, day = 0;
    [[nodiscard]] int key() const { return year * 10000 + month * 100 + day; }
    [[nodiscard]] std::string text() const;
};

struct Suppression {
    std::string rule;                   ///< exact rule id ("CKPT-U001")
    std::string path;                   ///< member path; '*' matches any run of characters
    std::string member;                 ///< archive member or stream; empty: any
    std::string sha256;                 ///< lower-case hex of the file; empty: any file
    std::optional<PolicyDate> expires;  ///< last day it applies; none: never expires
    std::string reason;                 ///< why it was accepted (shown with the suppressed count)
};

struct Policy {
    std::string source;  ///< the file it came from, for messages
    /// Globals ("module.name", '*' wildcards: "mypkg.*") the user trusts: loading may call
    /// them without CKPT-S007, CKPT-P002 or CKPT-P003. They never silence what the built-in
    /// deny-list knows runs code (CKPT-S001 to S006): that takes a suppression.
    std::vector<std::string> allow;
    /// Globals that are an error wherever a pickle names them (CKPT-S009).
    std::vector<std::string> deny;
    /// Per-rule severity; nullopt turns the rule off.
    std::vector<std::pair<std::string, std::optional<Severity>>> severities;
    std::vector<Suppression> suppressions;

    [[nodiscard]] bool allows(std::string_view qualifiedName) const;
    [[nodiscard]] bool denies(std::string_view qualifiedName) const;
};

/// Reads a policy from TOML or JSON (by extension: .json is JSON, anything else TOML). Throws
/// core::Error naming the file, the line where known, and the key that is wrong.
[[nodiscard]] Policy loadPolicy(const std::string& path);
/// Same, from text (tests); `name` ends in ".json" for JSON.
[[nodiscard]] Policy parsePolicy(std::string_view text, const std::string& name);

/// True when `text` matches `pattern`, where '*' matches any run of characters.
[[nodiscard]] bool wildcardMatch(std::string_view pattern, std::string_view text);

/// Applies severities and suppressions to `report`: overridden severities, findings of rules
/// turned off removed, suppressed findings moved to report.suppressed, and one CKPT-V001
/// warning per expired suppression that matched (its finding stays reported). `fileSha256`
/// is computed only when a suppression names a hash (pass a function to compute it lazily).
void applyPolicy(ValidationReport& report, const Policy& policy, const PolicyDate& today,
                 const std::string& fileSha256);

/// Today's date (UTC).
[[nodiscard]] PolicyDate todayUtc();

/// True when a suppression of `policy` names a file hash (the caller then hashes the file).
[[nodiscard]] bool policyNeedsHash(const Policy& policy);

}  // namespace ckpt::core
