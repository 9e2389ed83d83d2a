#include "core/validate/policy.h"

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/model/json.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

namespace ckpt::core {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& what) {
    throw FormatError(what, {source, "policy", {}, {}});
}

std::optional<PolicyDate> parseDate(std::string_view s) {
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (s.size() != 10 ||
        std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31) {
        return std::nullopt;
    }
    return PolicyDate{y, m, d};
}

std::optional<Severity> parseSeverity(const std::string& source, const std::string& rule,
                                      const std::string& text) {
    if (text == "off") {
        return std::nullopt;
    }
    const auto s = severityFromName(text);
    if (!s) {
        fail(source,
             "severity of " + rule + " must be error, warning, info or off, not '" + text + "'");
    }
    return s;
}

/// Both front ends fill the same neutral form: the policy is Json either way.
Policy fromJson(const Json& j, const std::string& source) {
    if (!j.is_object()) {
        fail(source, "the top level must be a table (TOML) or an object (JSON)");
    }
    static const std::vector<std::string> kKeys{"allow", "deny", "severity", "suppress"};
    for (const auto& [key, value] : j.items()) {
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
            fail(source, "unknown key '" + key + "' (expected allow, deny, severity, suppress)");
        }
    }
    Policy p;
    p.source = source;
    const auto names = [&](const char* key, std::vector<std::string>& out) {
        if (!j.contains(key)) {
            return;
        }
        // allow = [...] or [allow] globals = [...]
        const Json& v =
            j[key].is_object() && j[key].contains("globals") ? j[key]["globals"] : j[key];
        if (!v.is_array()) {
            fail(source, std::string(key) + " must be a list of \"module.name\" strings");
        }
        for (const auto& e : v) {
            if (!e.is_string() || e.get<std::string>().find('.') == std::string::npos) {
                fail(source, std::string(key) +
                                 " entries are \"module.name\" strings, e.g. "
                                 "\"mypkg.models.*\"");
            }
            out.push_back(e.get<std::string>());
        }
    };
    names("allow", p.allow);
    names("deny", p.deny);
    if (j.contains("severity")) {
        if (!j["severity"].is_object()) {
            fail(source, "severity must be a table of rule = \"error|warning|info|off\"");
        }
        for (const auto& [rule, value] : j["severity"].items()) {
            if (!value.is_string()) {
                fail(source, "severity of " + rule + " must be a string");
            }
            p.severities.emplace_back(rule, parseSeverity(source, rule, value.get<std::string>()));
        }
    }
    if (j.contains("suppress")) {
        if (!j["suppress"].is_array()) {
            fail(source, "suppress must be a list of tables ([[suppress]] in TOML)");
        }
        for (const auto& e : j["suppress"]) {
            if (!e.is_object() || !e.contains("rule") || !e["rule"].is_string()) {
                fail(source, "every suppression needs rule = \"CKPT-...\"");
            }
            Suppression s;
            const auto str = [&](const char* key) -> std::string {
                if (!e.contains(key)) {
                    return {};
                }
                if (!e[key].is_string()) {
                    fail(source, std::string("suppression key '") + key + "' must be a string");
                }
                return e[key].get<std::string>();
            };
            for (const auto& [key, value] : e.items()) {
                if (key != "rule" && key != "path" && key != "member" && key != "sha256" &&
                    key != "expires" && key != "reason") {
                    fail(source, "unknown suppression key '" + key +
                                     "' (expected rule, path, member, sha256, expires, reason)");
                }
            }
            s.rule = str("rule");
            s.path = e.contains("path") ? str("path") : "*";
            s.member = str("member");
            s.sha256 = str("sha256");
            std::transform(s.sha256.begin(), s.sha256.end(), s.sha256.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (!s.sha256.empty() &&
                (s.sha256.size() != 64 ||
                 s.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)) {
                fail(source, "sha256 of a suppression must be 64 hex digits");
            }
            if (const auto ex = str("expires"); !ex.empty()) {
                s.expires = parseDate(ex);
                if (!s.expires) {
                    fail(source, "expires must be a date YYYY-MM-DD, not '" + ex + "'");
                }
            }
            s.reason = str("reason");
            p.suppressions.push_back(std::move(s));
        }
    }
    return p;
}

Json tomlToJson(const toml::node& n) {
    if (const auto* t = n.as_table()) {
        Json j = Json::object();
        for (const auto& [k, v] : *t) {
            j[std::string(k.str())] = tomlToJson(v);
        }
        return j;
    }
    if (const auto* a = n.as_array()) {
        Json j = Json::array();
        for (const auto& v : *a) {
            j.push_back(tomlToJson(v));
        }
        return j;
    }
    if (const auto* d = n.as_date()) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d->get().year),
                      static_cast<int>(d->get().month), static_cast<int>(d->get().day));
        return std::string(buf);
    }
    if (const auto* s = n.as_string()) {
        return s->get();
    }
    if (const auto* b = n.as_boolean()) {
        return b->get();
    }
    if (const auto* i = n.as_integer()) {
        return i->get();
    }
    return nullptr;  // floats, times: not used by a policy, rejected by the checks above
}

bool matchesSuppression(const Suppression& s, const Finding& f, const std::string& sha) {
    return s.rule == f.rule && wildcardMatch(s.path, f.path) &&
           (s.member.empty() || s.member == f.member) && (s.sha256.empty() || s.sha256 == sha);
}

}  // namespace

std::string PolicyDate::text() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

bool wildcardMatch(std::string_view pattern, std::string_view text) {
    // Iterative glob with backtracking to the last '*': linear in practice, no recursion.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

bool Policy::allows(std::string_view name) const {
    return std::any_of(allow.begin(), allow.end(),
                       [&](const std::string& a) { return wildcardMatch(a, name); });
}

bool Policy::denies(std::string_view name) const {
    return std::any_of(deny.begin(), deny.end(),
                       [&](const std::string& d) { return wildcardMatch(d, name); });
}

Policy parsePolicy(std::string_view text, const std::string& name) {
    const bool json = name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0;
    if (json) {
        Json j = Json::parse(text, nullptr, false);
        if (j.is_discarded()) {
            fail(name, "not valid JSON");
        }
        return fromJson(j, name);
    }
    try {
        const toml::table t = toml::parse(text, name);
        return fromJson(tomlToJson(t), name);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << "line " << e.source().begin.line << ", column " << e.source().begin.column << ": "
              << e.description();
        fail(name, where.str());
    }
}

Policy loadPolicy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read policy file " + path, {path, "policy", {}, {}});
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (ss.str().size() > (1u << 20)) {
        fail(path, "larger than 1 MiB; a policy is a short list of rules");
    }
    return parsePolicy(ss.str(), path);
}

bool policyNeedsHash(const Policy& policy) {
    return std::any_of(policy.suppressions.begin(), policy.suppressions.end(),
                       [](const Suppression& s) { return !s.sha256.empty(); });
}

PolicyDate todayUtc() {
    const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    const std::chrono::year_month_day ymd{now};
    return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

void applyPolicy(ValidationReport& report, const Policy& policy, const PolicyDate& today,
                 const std::string& fileSha256) {
    std::vector<Finding> kept;
    std::vector<const Suppression*> expiredUsed;
    for (auto& f : report.findings) {
        bool off = false;
        for (const auto& [rule, sev] : policy.severities) {
            if (rule == f.rule) {
                off = !sev.has_value();
                if (sev) {
                    f.severity = *sev;
                }
            }
        }
        if (off) {
            ++report.disabled;
            continue;
        }
        const Suppression* hit = nullptr;
        for (const auto& s : policy.suppressions) {
            if (matchesSuppression(s, f, fileSha256)) {
                hit = &s;
                break;
            }
        }
        if (hit != nullptr && hit->expires && hit->expires->key() < today.key()) {
            if (std::find(expiredUsed.begin(), expiredUsed.end(), hit) == expiredUsed.end()) {
                expiredUsed.push_back(hit);
            }
            hit = nullptr;  // expired: the finding is reported again
        }
        if (hit != nullptr) {
            report.suppressed.push_back(std::move(f));
        } else {
            kept.push_back(std::move(f));
        }
    }
    for (const Suppression* s : expiredUsed) {
        Finding w;
        w.rule = "CKPT-V001";
        w.category = FindingCategory::Policy;
        w.severity = Severity::Warning;
        w.path = s->path;
        w.symbol = s->rule;
        w.member = s->member;
        w.message = "the suppression of " + s->rule + " at " + s->path + " in " + policy.source +
                    " expired on " + s->expires->text() + "; its findings are reported again" +
                    (s->reason.empty() ? std::string() : " (accepted because: " + s->reason + ")");
        w.advice =
            "Review the finding again, then extend the expiry date or remove the "
            "suppression from the policy file.";
        kept.push_back(std::move(w));
    }
    report.findings = std::move(kept);
}

}  // namespace ckpt::core
