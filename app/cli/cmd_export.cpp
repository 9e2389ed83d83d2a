// ckpt export IN -o OUT [--format F] [--no-optimizer] [--tensors GLOB] [--drop-flagged]
//             [--replace-with-none] [--dry-run] [--json]

#include <filesystem>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/text_format.h"
#include "core/export/export_common.h"
#include "core/export/export_plan.h"
#include "core/formats/registry.h"
#include "core/model/json_dump.h"
#include "core/util/error.h"
#include "core/util/escape.h"
#include "core/validate/validator.h"

namespace ckpt::cli {
namespace {

constexpr const char* kUsageLine =
    "Usage: ckpt export IN -o OUT [--format pickle|safetensors|keras-h5|weights-h5|keras|bundle]\n"
    "                   [--drop-flagged] [--replace-with-none] [--no-optimizer]\n"
    "                   [--tensors GLOB] [--dry-run] [--json]\n";

core::Json listJson(const std::vector<std::string>& items) {
    core::Json a = core::Json::array();
    for (const auto& s : items) {
        a.push_back(s);
    }
    return a;
}

void printList(std::ostream& out, const char* title, const std::vector<std::string>& items) {
    if (items.empty()) {
        return;
    }
    out << title << " (" << items.size() << "):\n";
    std::size_t shown = 0;
    for (const auto& s : items) {
        if (++shown > 20) {
            out << "  ... and " << items.size() - 20 << " more (see --json)\n";
            break;
        }
        out << "  " << s << "\n";
    }
}

/// --dry-run: the plan the export dialog previews, nothing written.
int printPlan(const core::Checkpoint& checkpoint, core::ExportFormat format,
              const core::ExportOptions& options, const std::filesystem::path& output, bool json,
              std::ostream& out) {
    core::ValidateOptions vo;
    vo.readData = false;  // the members a cleaned pickle takes out need no tensor data
    const auto findings = core::validateCheckpoint(checkpoint, vo).findings;
    const core::ExportPreview p =
        core::makeExportPreview(checkpoint, findings, format, options, output, SIZE_MAX);
    if (json) {
        core::Json removed = core::Json::array();
        for (const auto& r : p.removed) {
            removed.push_back({{"path", r.path}, {"type", r.type}, {"reason", r.reason}});
        }
        core::Json j{{"output", output.string()}, {"format", core::exportFormatName(format)},
                     {"tensors", p.tensors},      {"data_bytes", p.tensorBytes},
                     {"removed", removed},        {"notes", listJson(p.notes)}};
        out << core::dumpJson(j, 2) << "\n";
        return kOk;
    }
    out << "Would write " << output.string() << " (" << core::exportFormatName(format)
        << "): " << groupDigits(p.tensors) << " tensors, " << humanBytes(p.tensorBytes)
        << " of data\n";
    std::vector<std::string> removed;
    for (const auto& r : p.removed) {
        removed.push_back(r.path + (r.type.empty() ? "" : " (" + r.type + ")") + ": " + r.reason);
    }
    printList(out, "Would leave out", removed);
    printList(out, "Notes", p.notes);
    return kOk;
}

}  // namespace

int runExport(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    const auto e = args.parse(
        argv, {"--json", "--no-optimizer", "--drop-flagged", "--replace-with-none", "--dry-run"},
        {"-o", "--output", "--format", "--tensors"});
    const auto output = args.option("-o") ? args.option("-o") : args.option("--output");
    if (!e.empty() || args.positionals().size() != 1 || !output) {
        err << "ckpt export: "
            << (!e.empty()                       ? e
                : args.positionals().size() != 1 ? "expected one input file"
                                                 : "expected -o OUT")
            << "\n"
            << kUsageLine;
        return kUsage;
    }
    const std::string input = args.positionals()[0];
    core::ExportFormat format{};
    if (const auto f = args.option("--format")) {
        if (!core::exportFormatFromName(*f, format)) {
            err << "ckpt export: unknown --format '" << *f
                << "' (pickle, safetensors, keras-h5, weights-h5, keras, bundle)\n";
            return kUsage;
        }
    } else if (!core::exportFormatFromExtension(*output, format)) {
        err << "ckpt export: cannot tell the format from '" << *output
            << "': use .safetensors, .weights.h5, .h5/.hdf5, .keras, .pkl/.pickle/.joblib/"
               ".dill/.pt/.pth, or give --format\n";
        return kUsage;
    }
    core::ExportOptions options;
    options.includeOptimizer = !args.flag("--no-optimizer");
    options.tensorGlob = args.option("--tensors").value_or("");
    options.dropPortability = args.flag("--drop-flagged");
    options.replaceWithNone = args.flag("--replace-with-none");
    // Every option takes effect for the format, or the command is refused: never ignored.
    if (const std::string why = core::exportOptionsError(format, options); !why.empty()) {
        err << "ckpt export: " << why << "\n" << kUsageLine;
        return kUsage;
    }

    core::ExportReport report;
    try {
        const auto checkpoint = core::openCheckpoint(input);
        // The plan the export dialog shows: a format this input cannot be written to is an
        // input the command cannot export (exit 2), with the reason.
        const core::FormatFit fit = core::exportFormatFit(*checkpoint, format);
        if (!fit.enabled) {
            err << "ckpt: error: cannot export " << input << " as "
                << core::exportFormatName(format) << ": " << fit.reason << "\n";
            return kUnreadable;
        }
        if (args.flag("--dry-run")) {
            return printPlan(*checkpoint, format, options, *output, args.flag("--json"), out);
        }
        options.progress = terminalProgress("export");
        report = core::exportCheckpoint(*checkpoint, format, *output, options);
        clearTerminalProgress();
    } catch (const std::exception& ex) {
        clearTerminalProgress();
        err << "ckpt: error: " << core::escapeText(ex.what()) << "\n";
        return kUnreadable;
    }
    const int code = report.dropped.empty() ? kOk : kDifferent;
    if (args.flag("--json")) {
        core::Json j;
        j["output"] = report.output.string();
        j["format"] = report.format;
        j["tensors"] = report.tensors;
        j["data_bytes"] = report.dataBytes;
        j["file_bytes"] = report.fileBytes;
        core::Json written = core::Json::array();
        for (const auto& [from, to] : report.written) {
            written.push_back({{"source", from}, {"output", to}});
        }
        j["written"] = written;
        j["excluded"] = listJson(report.excluded);
        j["dropped"] = listJson(report.dropped);
        j["warnings"] = listJson(report.warnings);
        j["cleaned"] = listJson(report.cleaned);
        out << core::dumpJson(j, 2) << "\n";
        return code;
    }
    std::ostringstream text;  // names come from the input: printed terminal-safe below
    text << "Wrote " << report.output.string() << " (" << report.format
         << "): " << groupDigits(report.tensors) << " tensors, " << humanBytes(report.dataBytes)
         << " of data, " << humanBytes(report.fileBytes) << " file\n";
    if (format == core::ExportFormat::Pickle && report.cleaned.empty()) {
        text << "Nothing flagged to take out: the pickle is copied as it is\n";
    }
    printList(text, "Cleaned (taken out of the pickle)", report.cleaned);
    printList(text, "Left out as asked", report.excluded);
    printList(text, "Dropped (no equivalent in the output format)", report.dropped);
    printList(text, "Warnings", report.warnings);
    out << core::escapeTextKeepLines(text.str());
    return code;
}

}  // namespace ckpt::cli
