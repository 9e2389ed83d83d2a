// ckpt validate FILE... : unserializable members, non-portable content, code that runs on load.

#include <unistd.h>

#include <exception>
#include <iostream>
#include <map>
#include <optional>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/text_format.h"
#include "core/formats/registry.h"
#include "core/model/json_dump.h"
#include "core/util/escape.h"
#include "core/validate/validator.h"

namespace ckpt::cli {
namespace {

struct Colors {
    bool on = false;
    [[nodiscard]] std::string wrap(const char* code, const std::string& s) const {
        return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
    }
};

std::string severityLabel(core::Severity s, const Colors& c) {
    switch (s) {
        case core::Severity::Error:
            return c.wrap("1;31", "error  ");
        case core::Severity::Warning:
            return c.wrap("1;33", "warning");
        case core::Severity::Info:
            return c.wrap("36", "info   ");
    }
    return {};
}

void printText(const core::ValidationReport& r, const Colors& c, std::ostream& out) {
    out << c.wrap("1", core::escapeText(r.file)) << " [" << r.format << "]\n";
    if (r.findings.empty()) {
        out << "  no findings: nothing unserializable, nothing that runs on load";
        if (!r.suppressed.empty() || r.knownFromBaseline != 0) {
            out << " (beyond what the policy and the baseline accept)";
        }
        out << "\n";
    }
    int category = -1;
    // Advice is the same for every finding of a rule: print it under the rule's first finding
    // and again only where it differs.
    std::map<std::string, std::string> adviceShown;
    for (const auto& f : r.findings) {
        if (static_cast<int>(f.category) != category) {
            category = static_cast<int>(f.category);
            out << "  " << c.wrap("1", std::string(core::categoryName(f.category))) << "\n";
        }
        out << "    " << severityLabel(f.severity, c) << " " << f.rule << "  "
            << core::escapeText(f.path);
        if (!f.symbol.empty()) {
            out << "  (" << core::escapeText(f.symbol);
            if (f.offset) {
                out << " @" << *f.offset;
            }
            if (!f.member.empty()) {
                out << " in " << core::escapeText(f.member);
            }
            out << ")";
        }
        out << "\n      " << core::escapeText(f.message) << "\n";
        if (!f.parts.empty()) {
            out << "      " << f.parts.size() << (f.parts.size() == 1 ? " part" : " parts")
                << " inside it:\n";
            for (const auto& p : f.parts) {
                out << "        " << core::escapeText(p.path);
                if (!p.symbol.empty()) {
                    out << "  (" << core::escapeText(p.symbol);
                    if (p.offset) {
                        out << " @" << *p.offset;
                    }
                    out << ")";
                }
                out << "\n";
            }
        }
        auto& shown = adviceShown[f.rule];
        if (shown != f.advice) {
            out << "      " << c.wrap("2", "-> " + core::escapeText(f.advice)) << "\n";
            shown = f.advice;
        }
    }
    if (!r.suppressed.empty()) {
        out << "  " << r.suppressed.size() << " finding(s) suppressed by the policy\n";
    }
    if (r.disabled != 0) {
        out << "  " << r.disabled << " finding(s) of rules the policy turns off\n";
    }
    if (r.knownFromBaseline != 0) {
        out << "  " << r.knownFromBaseline << " finding(s) already in the baseline\n";
    }
}

}  // namespace

int runValidate(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    if (auto e = args.parse(argv, {"--json", "--no-data"},
                            {"--format", "--fail-on", "--policy", "--baseline"});
        !e.empty() || args.positionals().empty()) {
        err << "ckpt validate: " << (e.empty() ? "expected at least one FILE" : e)
            << "\nUsage: ckpt validate FILE... [--format text|json|sarif] "
               "[--fail-on error|warning|info] [--no-data] [--policy FILE] [--baseline FILE]\n";
        return kUsage;
    }
    std::string format = args.option("--format").value_or(args.flag("--json") ? "json" : "text");
    if (format != "text" && format != "json" && format != "sarif") {
        err << "ckpt validate: --format takes text, json or sarif\n";
        return kUsage;
    }
    const auto failOn = core::severityFromName(args.option("--fail-on").value_or("error"));
    if (!failOn) {
        err << "ckpt validate: --fail-on takes error, warning or info\n";
        return kUsage;
    }
    std::optional<core::Policy> policy;
    std::optional<core::Baseline> baseline;
    try {
        if (const auto p = args.option("--policy")) {
            policy = core::loadPolicy(*p);
        }
        if (const auto b = args.option("--baseline")) {
            baseline = core::loadBaseline(*b);
        }
    } catch (const std::exception& e) {
        err << "ckpt validate: " << core::escapeText(e.what()) << "\n";
        return kUsage;
    }
    core::ValidateOptions options;
    options.readData = !args.flag("--no-data");
    options.policy = policy ? &*policy : nullptr;
    options.progress = terminalProgress("checking");
    std::vector<core::ValidationReport> reports;
    // A file that cannot be read is reported and the others are still checked.
    core::Json unreadable = core::Json::array();
    for (const auto& file : args.positionals()) {
        try {
            core::OpenOptions open;
            open.objectTree = false;  // the findings need the pickle graph, not the tree
            const auto checkpoint = core::openCheckpoint(file, open);
            reports.push_back(core::validateCheckpoint(*checkpoint, options));
            if (baseline) {
                core::dropKnownFindings(reports.back(), *baseline);
            }
            clearTerminalProgress();
        } catch (const std::exception& e) {
            clearTerminalProgress();
            err << "ckpt: error: " << core::escapeText(e.what()) << "\n";
            unreadable.push_back({{"file", file}, {"error", e.what()}});
            // Still judge the pickles inside a zip that no reader accepts (exit 2 stays).
            if (auto swept = core::validateUnopenedFile(file, options); !swept.findings.empty()) {
                if (baseline) {
                    core::dropKnownFindings(swept, *baseline);
                }
                reports.push_back(std::move(swept));
            }
        }
    }
    if (format == "json") {
        core::Json j = core::validationJson(reports);
        j["unreadable"] = unreadable;
        out << core::dumpJson(j, 2) << "\n";
    } else if (format == "sarif") {
        out << core::dumpJson(core::validationSarif(reports), 2) << "\n";
    } else {
        const Colors colors{isatty(STDOUT_FILENO) != 0 && &out == &std::cout};
        for (const auto& r : reports) {
            printText(r, colors, out);
        }
        std::size_t e = 0, w = 0, i = 0;
        for (const auto& r : reports) {
            e += r.count(core::Severity::Error);
            w += r.count(core::Severity::Warning);
            i += r.count(core::Severity::Info);
        }
        out << "\n"
            << reports.size() << " file(s): " << e << " error(s), " << w << " warning(s), " << i
            << " info";
        if (!unreadable.empty()) {
            out << "; " << unreadable.size() << " file(s) could not be read";
        }
        out << "\n";
    }
    if (!unreadable.empty()) {
        return kUnreadable;  // the worst outcome wins
    }
    for (const auto& r : reports) {
        if (r.reaches(*failOn)) {
            return kDifferent;
        }
    }
    return kOk;
}

}  // namespace ckpt::cli
