// The machine-readable forms of a validation: JSON, SARIF 2.1.0, and the baseline that reads a
// JSON report back.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/util/error.h"
#include "core/util/version.h"
#include "core/validate/validator.h"

namespace ckpt::core {

extern const std::string_view kRulesMarkdown;  // generated from docs/rules.md

namespace {

Json offsetJson(const std::optional<std::uint64_t>& o) {
    return o ? Json(*o) : Json(nullptr);
}

/// RFC 3986: unreserved characters and '/' stay, everything else (bytes of any encoding
/// included) becomes %XX, so that the URI is valid whatever the file name holds.
std::string encodeUriPath(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : path) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

/// A relative input path becomes a URI relative to SRCROOT; an absolute one a file:// URI.
Json artifactLocation(const std::string& file) {
    const std::filesystem::path p(file);
    if (p.is_absolute()) {
        return {{"uri", "file://" + encodeUriPath(p.lexically_normal().string())}};
    }
    std::string rel = p.lexically_normal().generic_string();
    return {{"uri", encodeUriPath(rel)}, {"uriBaseId", "SRCROOT"}};
}

std::string srcRootUri() {
    std::error_code ec;
    std::string cwd = std::filesystem::current_path(ec).string();
    if (ec || cwd.empty()) {
        cwd = "/";
    }
    if (cwd.back() != '/') {
        cwd += '/';
    }
    return "file://" + encodeUriPath(cwd);
}

std::string baselineKey(const std::string& file, const std::string& rule, const std::string& path,
                        const std::string& symbol, const std::string& member) {
    std::string k;
    for (const auto* s : {&file, &rule, &path, &symbol, &member}) {
        k += *s;
        k += '\x1f';  // unit separator: never part of a name a report prints
    }
    return k;
}

const char* sarifLevel(Severity s) {
    return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

}  // namespace

std::string ruleHelp(const std::string& rule) {
    const std::string_view md = kRulesMarkdown;
    const auto head = md.find("### " + rule);
    if (rule.empty() || head == std::string_view::npos) {
        return ruleTitle(rule);
    }
    auto end = md.find("\n#", head + 4);  // the next heading of either level
    const auto body = md.substr(head + 4, end == std::string_view::npos ? md.npos : end - head - 4);
    std::string out(body);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    return out;
}

Json validationJson(const std::vector<ValidationReport>& reports) {
    Json findings = Json::array();
    std::map<std::string, std::size_t> byCategory;
    std::size_t errors = 0, warnings = 0, infos = 0, suppressed = 0, disabled = 0, known = 0;
    for (const auto& r : reports) {
        for (const auto& f : r.findings) {
            Json parts = Json::array();
            for (const auto& p : f.parts) {
                parts.push_back({{"path", p.path},
                                 {"symbol", p.symbol},
                                 {"offset", offsetJson(p.offset)},
                                 {"message", p.message}});
            }
            Json j = {{"file", r.file},
                      {"rule", f.rule},
                      {"category", std::string(categoryName(f.category))},
                      {"severity", std::string(severityName(f.severity))},
                      {"path", f.path},
                      {"symbol", f.symbol},
                      {"offset", offsetJson(f.offset)},
                      {"member", f.member},
                      {"message", f.message},
                      {"advice", f.advice},
                      {"parts", std::move(parts)}};
            findings.push_back(std::move(j));
            ++byCategory[std::string(categoryName(f.category))];
        }
        errors += r.count(Severity::Error);
        warnings += r.count(Severity::Warning);
        infos += r.count(Severity::Info);
        suppressed += r.suppressed.size();
        disabled += r.disabled;
        known += r.knownFromBaseline;
    }
    Json cats = Json::object();
    for (const auto& [k, v] : byCategory) {
        cats[k] = v;
    }
    return {{"findings", std::move(findings)},
            {"summary",
             {{"files", reports.size()},
              {"errors", errors},
              {"warnings", warnings},
              {"infos", infos},
              {"by_category", std::move(cats)},
              {"suppressed", suppressed},
              {"disabled", disabled},
              {"known_from_baseline", known}}}};
}

Json validationSarif(const std::vector<ValidationReport>& reports) {
    std::map<std::string, std::size_t> ruleIndex;
    Json rules = Json::array();
    Json results = Json::array();
    std::size_t suppressed = 0;
    for (const auto& r : reports) {
        suppressed += r.suppressed.size();
        const Json artifact = artifactLocation(r.file);
        for (const auto& f : r.findings) {
            if (ruleIndex.count(f.rule) == 0) {
                ruleIndex[f.rule] = rules.size();
                const std::string help = ruleHelp(f.rule);
                rules.push_back(
                    {{"id", f.rule},
                     {"name", ruleTitle(f.rule)},
                     {"shortDescription", {{"text", ruleTitle(f.rule)}}},
                     {"help", {{"text", help}, {"markdown", help}}},
                     {"defaultConfiguration", {{"level", sarifLevel(f.severity)}}},
                     {"properties", {{"category", std::string(categoryName(f.category))}}}});
            }
            const auto locate = [&](const std::string& path, std::optional<std::uint64_t> off) {
                Json physical = {{"artifactLocation", artifact}};
                if (off) {
                    physical["region"] = {{"byteOffset", *off}};
                }
                Json loc = {{"physicalLocation", std::move(physical)}};
                if (!path.empty()) {
                    loc["logicalLocations"] =
                        Json::array({{{"fullyQualifiedName", path}, {"kind", "member"}}});
                }
                return loc;
            };
            Json result = {{"ruleId", f.rule},
                           {"ruleIndex", ruleIndex[f.rule]},
                           {"level", sarifLevel(f.severity)},
                           {"message", {{"text", f.message}}},
                           {"locations", Json::array({locate(f.path, f.offset)})},
                           {"properties",
                            {{"advice", f.advice},
                             {"symbol", f.symbol},
                             {"member", f.member},
                             {"category", std::string(categoryName(f.category))}}}};
            if (!f.parts.empty()) {
                Json related = Json::array();
                int id = 1;
                for (const auto& p : f.parts) {
                    Json loc = locate(p.path, p.offset);
                    loc["id"] = id++;
                    loc["message"] = {{"text", p.message}};
                    related.push_back(std::move(loc));
                }
                result["relatedLocations"] = std::move(related);
            }
            results.push_back(std::move(result));
        }
    }
    Json driver = {{"name", "ckpt"},
                   {"fullName", "Checkpoint Inspector"},
                   {"version", productVersion()},
                   {"rules", std::move(rules)}};
    return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
            {"version", "2.1.0"},
            {"runs", Json::array({{{"tool", {{"driver", std::move(driver)}}},
                                   {"originalUriBaseIds", {{"SRCROOT", {{"uri", srcRootUri()}}}}},
                                   {"results", std::move(results)},
                                   {"properties", {{"suppressed", suppressed}}}}})}};
}

Baseline loadBaseline(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read baseline " + path, {path, "baseline", {}, {}});
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    const Json j = Json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("findings") ||
        !j["findings"].is_array()) {
        throw FormatError("baseline " + path +
                              " is not a `ckpt validate --format json` report (no findings list)",
                          {path, "baseline", {}, {}});
    }
    Baseline b;
    b.source = path;
    const auto str = [](const Json& e, const char* key) {
        return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
    };
    for (const auto& e : j["findings"]) {
        if (!e.is_object()) {
            continue;
        }
        b.keys.insert(baselineKey(str(e, "file"), str(e, "rule"), str(e, "path"), str(e, "symbol"),
                                  str(e, "member")));
    }
    return b;
}

void dropKnownFindings(ValidationReport& report, Baseline& baseline) {
    std::vector<Finding> fresh;
    for (auto& f : report.findings) {
        const auto it =
            baseline.keys.find(baselineKey(report.file, f.rule, f.path, f.symbol, f.member));
        if (it != baseline.keys.end()) {
            baseline.keys.erase(it);
            ++report.knownFromBaseline;
        } else {
            fresh.push_back(std::move(f));
        }
    }
    report.findings = std::move(fresh);
}

}  // namespace ckpt::core
