// ckpt diff A B: configuration and tensor comparison of two checkpoints.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/graph_output.h"
#include "app/cli/text_format.h"
#include "core/diff/checkpoint_diff.h"
#include "core/diff/diff_json.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/graph/graph_diff.h"
#include "core/graph/graph_json.h"
#include "core/model/checkpoint.h"
#include "core/model/json_dump.h"
#include "core/util/escape.h"
#include "core/util/percent.h"

namespace ckpt::cli {
namespace {

using core::ConfigChangeKind;
using core::DiffReport;
using core::TensorDiff;
using core::TensorDiffStatus;

constexpr std::size_t kDefaultTextRows = 50;
constexpr std::size_t kConfigLines = 60;
constexpr const char* kDiffUsage =
    "Usage: ckpt diff A B [--json] [--atol X] [--rtol Y] [--map OLD=NEW]... [--only-changed] "
    "[--weights-only] [--top N] [--graph OUT]\n";

/// Three significant digits, the width of a table cell.
std::string short3(double v) {
    if (std::isnan(v)) {
        return "-";
    }
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

/// A JSON value on one line, cut to `width` characters.
std::string oneLine(const core::Json& v, std::size_t width = 60) {
    std::string s = core::dumpJson(v);
    if (s.size() > width) {
        s = s.substr(0, width - 3) + "...";
    }
    return s;
}

std::string shapeText(const std::vector<std::uint64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return out + "]";
}

/// Rows ordered as the table shows them: structural changes first, then by rel_l2, largest
/// first; ties keep the pairing order.
std::vector<const TensorDiff*> sortedRows(const DiffReport& r, bool onlyChanged) {
    std::vector<const TensorDiff*> rows;
    for (const auto& t : r.tensors) {
        if (!onlyChanged || t.status != TensorDiffStatus::Equal) {
            rows.push_back(&t);
        }
    }
    const auto rank = [](const TensorDiff* t) {
        if (!t->metrics || std::isnan(t->metrics->relL2)) {
            return t->status == TensorDiffStatus::Equal ? -1.0 : std::numeric_limits<double>::max();
        }
        return t->metrics->relL2;
    };
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const TensorDiff* x, const TensorDiff* y) { return rank(x) > rank(y); });
    return rows;
}

std::string tensorLabel(const TensorDiff& t) {
    if (t.aPath.empty() || t.status == TensorDiffStatus::Added) {
        return t.bPath;
    }
    if (t.bPath.empty() || t.status == TensorDiffStatus::Removed || t.aPath == t.bPath) {
        return t.aPath;
    }
    return t.aPath + " -> " + t.bPath;
}

void printConfig(const DiffReport& r, std::ostream& out) {
    const auto& changes = r.config.changes;
    if (!r.config.compared && !r.config.trainingCompared) {
        return;
    }
    if (changes.empty()) {
        out << "Config: no changes\n\n";
        return;
    }
    out << "Config: " << changes.size() << (changes.size() == 1 ? " change\n" : " changes\n");
    for (std::size_t i = 0; i < changes.size() && i < kConfigLines; ++i) {
        const auto& c = changes[i];
        const std::string cls = c.className.empty() ? "" : " (" + c.className + ")";
        switch (c.kind) {
            case ConfigChangeKind::LayerAdded:
                out << "  + " << c.path << " " << c.layer << cls << " added\n";
                break;
            case ConfigChangeKind::LayerRemoved:
                out << "  - " << c.path << " " << c.layer << cls << " removed\n";
                break;
            case ConfigChangeKind::LayerRenamed:
                out << "  > " << c.path << " " << c.layer << cls << " renamed to "
                    << c.newValue.get<std::string>() << "\n";
                break;
            case ConfigChangeKind::FieldAdded:
                out << "  + " << c.path << ": " << oneLine(c.newValue);
                break;
            case ConfigChangeKind::FieldRemoved:
                out << "  - " << c.path << ": " << oneLine(c.oldValue);
                break;
            case ConfigChangeKind::FieldChanged:
                out << "  ~ " << c.path << ": " << oneLine(c.oldValue, 40) << " -> "
                    << oneLine(c.newValue, 40);
                break;
        }
        const bool field = c.kind == ConfigChangeKind::FieldAdded ||
                           c.kind == ConfigChangeKind::FieldRemoved ||
                           c.kind == ConfigChangeKind::FieldChanged;
        if (field) {
            out << (c.layer.empty() ? "" : "  (" + c.layer + ")") << "\n";
        }
    }
    if (changes.size() > kConfigLines) {
        out << "  ... " << changes.size() - kConfigLines << " more (--json lists all)\n";
    }
    out << "\n";
}

std::string mismatchText(const core::TensorMetrics& m) {
    if (m.numel == 0 || m.mismatched == 0) {
        return "0";
    }
    return groupDigits(m.mismatched) + " (" + core::percentText(m.mismatched, m.numel) + " %)";
}

std::string summaryLine(const DiffReport& r) {
    const auto& s = r.summary;
    std::string line = groupDigits(s.tensors) + (s.tensors == 1 ? " tensor" : " tensors");
    std::string parts;
    for (const auto& [n, what] : {std::pair{s.changed, "changed"},
                                  {s.shapeChanged, "shape changed"},
                                  {s.dtypeChanged, "dtype changed"},
                                  {s.added, "added"},
                                  {s.removed, "removed"},
                                  {s.equal, "equal"}}) {
        if (n > 0) {
            parts += (parts.empty() ? "" : ", ") + groupDigits(n) + " " + what;
        }
    }
    line += parts.empty() ? "" : ": " + parts;
    if (s.maxRelL2 > 0.0) {  // NaN (nothing compared) and 0 say nothing
        line += "; max rel_l2 " + short3(s.maxRelL2) + " at " + s.maxRelL2Key;
    }
    if (s.maxAbsDiff > 0.0) {
        line += "; max |a-b| " + short3(s.maxAbsDiff) + " at " + s.maxAbsDiffKey;
    }
    if (s.configChanges > 0) {
        line += "; " + groupDigits(s.configChanges) + " config change" +
                (s.configChanges == 1 ? "" : "s");
    }
    if (const std::size_t guessed = s.pairedByPosition + s.pairedByShape; guessed > 0) {
        line += "; " + groupDigits(guessed) + (guessed == 1 ? " pair" : " pairs") +
                " by position or shape";
    }
    if (s.classMismatch) {
        line += "; different classes";
    }
    return line;
}

void printText(const DiffReport& r, const std::vector<const TensorDiff*>& rows, std::size_t limit,
               std::ostream& out) {
    if (r.summary.classMismatch) {
        out << "DIFFERENT CLASSES: A is " << r.aClass << ", B is " << r.bClass
            << ".\nThese are different kinds of object; tensors below are paired by position and "
               "shape, not by meaning.\n\n";
    }
    const auto cls = [](const std::string& c) { return c.empty() ? "" : ", " + c; };
    out << "A: " << r.aFile << "  (" << r.aFormat << cls(r.aClass) << ")\n"
        << "B: " << r.bFile << "  (" << r.bFormat << cls(r.bClass) << ")\n";
    for (std::size_t i = r.summary.classMismatch ? 1 : 0; i < r.notes.size(); ++i) {
        out << "note: " << r.notes[i] << "\n";
    }
    out << "\n";
    printConfig(r, out);
    char tol[96];
    std::snprintf(tol, sizeof tol, "|a-b| > %g + %g*|b|", r.tolerance.atol, r.tolerance.rtol);
    out << "Tensors (largest rel_l2 first; mismatched: " << tol << ")\n";
    const std::size_t shown = limit == 0 ? rows.size() : std::min(limit, rows.size());
    if (rows.empty()) {
        out << "  (no rows" << (r.tensors.empty() ? "" : " differ") << ")\n";
    }
    std::vector<std::string> shapes;
    std::size_t shapeWidth = 7;
    for (std::size_t i = 0; i < shown; ++i) {
        const TensorDiff& t = *rows[i];
        std::string shape = shapeText(t.status == TensorDiffStatus::Added ? t.bShape : t.aShape);
        if (t.status == TensorDiffStatus::ShapeChanged) {
            shape += " -> " + shapeText(t.bShape);
        }
        shapeWidth = std::max(shapeWidth, std::min<std::size_t>(shape.size() + 2, 40));
        shapes.push_back(std::move(shape));
    }
    if (shown > 0) {
        out << "  " << pad("status", 14) << pad("rel_l2", 10) << pad("max|a-b|", 10)
            << pad("mean|a-b|", 10) << pad("rms", 10) << pad("cosine", 10) << pad("mismatched", 18)
            << pad("shape", shapeWidth) << "tensor\n";
    }
    for (std::size_t i = 0; i < shown; ++i) {
        const TensorDiff& t = *rows[i];
        std::string status(core::tensorDiffStatusName(t.status));
        if (t.metrics && t.metrics->identical) {
            status = "identical";
        }
        out << "  " << pad(status, 14);
        if (t.metrics) {
            const auto& m = *t.metrics;
            out << pad(short3(m.relL2), 10) << pad(short3(m.maxAbsDiff), 10)
                << pad(short3(m.meanAbsDiff), 10) << pad(short3(m.rmsDiff), 10)
                << pad(short3(m.cosine), 10) << pad(mismatchText(m), 18);
        } else {
            out << std::string(68, ' ');
        }
        out << pad(shapes[i], shapeWidth) << (shapes[i].size() >= shapeWidth ? " " : "")
            << tensorLabel(t);
        if (t.status == TensorDiffStatus::DtypeChanged) {
            out << "  (" << dtypeName(t.aDtype) << " -> " << dtypeName(t.bDtype) << ")";
        }
        if (!t.note.empty()) {
            out << "  [" << t.note << "]";
        }
        switch (t.pairedBy) {
            case core::PairedBy::Rule:
            case core::PairedBy::WeightOrder:
            case core::PairedBy::Position:
            case core::PairedBy::Shape:
                out << "  [paired by " << core::pairedByDescription(t.pairedBy) << "]";
                break;
            default:
                break;
        }
        out << "\n";
    }
    if (shown < rows.size()) {
        out << "  ... " << rows.size() - shown << " more rows (--top 0 shows all)\n";
    }
    out << "\n" << summaryLine(r) << "\n";
}

/// Takes every "--map X" / "--map=X" out of `argv` into `rules`; returns an error or "".
std::string takeMaps(std::vector<std::string>& argv, std::vector<core::RenameRule>& rules) {
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string value;
        if (argv[i] == "--") {
            rest.insert(rest.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
            break;
        }
        if (argv[i] == "--map") {
            if (i + 1 >= argv.size()) {
                return "option --map needs a value";
            }
            value = argv[++i];
        } else if (argv[i].rfind("--map=", 0) == 0) {
            value = argv[i].substr(6);
        } else {
            rest.push_back(argv[i]);
            continue;
        }
        const auto rule = core::parseRenameRule(value);
        if (!rule) {
            return "--map needs OLD=NEW (OLD not empty), got '" + value + "'";
        }
        rules.push_back(*rule);
    }
    argv = std::move(rest);
    return {};
}

/// Parses a tolerance; returns false for anything but a finite number >= 0.
bool parseTolerance(const std::optional<std::string>& text, double& value) {
    if (!text) {
        return true;
    }
    try {
        std::size_t used = 0;
        value = std::stod(*text, &used);
        return used == text->size() && std::isfinite(value) && value >= 0.0;
    } catch (const std::exception&) {
        return false;
    }
}

/// --graph OUT: the union graph of A and B with the diff's states, drawn or as JSON.
void writeDiffGraph(const std::string& path, const core::Checkpoint& a, const core::Checkpoint& b,
                    const DiffReport& report, const std::vector<std::string>& inputs) {
    const core::GraphDiff diff = core::diffGraphs(core::buildGraph(a), core::buildGraph(b), report);
    const core::GraphStyle style = core::graphDiffStyle(diff);
    core::GraphLayoutOptions options;
    options.progress = terminalProgress("drawing");
    writeGraphFile(path, diff.graph, core::graphDiffJson(diff), options, &style, inputs);
    clearTerminalProgress();
}

std::unique_ptr<core::Checkpoint> open(const std::string& path, const char* label) {
    core::OpenOptions options;
    options.progress = terminalProgress(label);
    auto c = core::openCheckpoint(path, options);
    clearTerminalProgress();
    return c;
}

}  // namespace

int runDiff(const std::vector<std::string>& argvIn, std::ostream& out, std::ostream& err) {
    std::vector<std::string> argv = argvIn;
    core::DiffOptions options;
    Args args;
    std::string e = takeMaps(argv, options.renames);
    if (e.empty()) {
        e = args.parse(argv, {"--json", "--only-changed", "--weights-only"},
                       {"--atol", "--rtol", "--top", "--graph"});
    }
    if (e.empty() && args.positionals().size() != 2) {
        e = "expected two files, A and B";
    }
    if (e.empty() && (!parseTolerance(args.option("--atol"), options.tolerance.atol) ||
                      !parseTolerance(args.option("--rtol"), options.tolerance.rtol))) {
        e = "--atol and --rtol need a number >= 0";
    }
    std::size_t top = args.flag("--json") ? 0 : kDefaultTextRows;
    if (const auto t = args.option("--top"); e.empty() && t) {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(*t, &used);
            top = used == t->size() && v >= 0 ? static_cast<std::size_t>(v) : SIZE_MAX;
        } catch (const std::exception&) {
            top = SIZE_MAX;
        }
        if (top == SIZE_MAX) {
            e = "--top needs a whole number >= 0";
        }
    }
    options.weightsOnly = args.flag("--weights-only");
    const auto graphOut = args.option("--graph");
    if (e.empty() && graphOut && !graphOutputPathOk(*graphOut)) {
        e = "cannot tell the --graph format from '" + *graphOut +
            "': use .svg, .png, .dot (or .gv) or .json";
    }
    if (!e.empty()) {
        err << "ckpt diff: " << e << "\n" << kDiffUsage;
        return kUsage;
    }
    try {
        const auto a = open(args.positionals()[0], "reading A");
        const auto b = open(args.positionals()[1], "reading B");
        const DiffReport report =
            core::diffCheckpoints(*a, *b, options, terminalProgress("comparing"));
        clearTerminalProgress();
        if (graphOut) {
            writeDiffGraph(*graphOut, *a, *b, report, args.positionals());
        }
        const bool onlyChanged = args.flag("--only-changed");
        if (args.flag("--json")) {
            std::vector<const TensorDiff*> rows;
            if (onlyChanged || args.option("--top")) {
                rows = sortedRows(report, onlyChanged);
                if (top != 0 && rows.size() > top) {
                    rows.resize(top);
                }
            } else {
                for (const auto& t : report.tensors) {
                    rows.push_back(&t);
                }
            }
            core::writeDiffReportJson(out, report, rows);
        } else {
            // Names and values come from the files: the text is made terminal-safe as a whole.
            std::ostringstream text;
            printText(report, sortedRows(report, onlyChanged), top, text);
            out << core::escapeTextKeepLines(text.str());
        }
        return report.summary.different ? kDifferent : kOk;
    } catch (const std::exception& ex) {
        clearTerminalProgress();
        err << "ckpt: error: " << core::escapeText(ex.what()) << "\n";
        return kUnreadable;
    }
}

}  // namespace ckpt::cli
