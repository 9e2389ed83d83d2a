// ckpt stats FILE TENSOR_PATH

#include <algorithm>
#include <exception>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/text_format.h"
#include "core/analysis/tensor_stats.h"
#include "core/formats/registry.h"
#include "core/model/json_dump.h"
#include "core/report/checkpoint_json.h"
#include "core/util/escape.h"

namespace ckpt::cli {
namespace {

void printHistogram(const core::Histogram& h, std::ostream& out) {
    if (h.counts.empty()) {
        return;
    }
    const auto peak = *std::max_element(h.counts.begin(), h.counts.end());
    const double width = (h.hi - h.lo) / static_cast<double>(h.counts.size());
    out << "\nHistogram (" << h.counts.size() << " bins)\n";
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        const double lo = h.lo + width * static_cast<double>(i);
        const std::size_t bar =
            peak == 0
                ? 0
                : static_cast<std::size_t>(
                      40.0 * static_cast<double>(h.counts[i]) / static_cast<double>(peak) + 0.5);
        std::string bars;
        for (std::size_t b = 0; b < bar; ++b) {
            bars += "\u2588";
        }
        out << "  " << pad(formatNumber(lo), 13, true) << " " << pad(bars, 41)
            << groupDigits(h.counts[i]) << "\n";
    }
    out << "  " << pad(formatNumber(h.hi), 13, true) << "\n";
}

}  // namespace

int runStats(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    if (auto e = args.parse(argv, {"--json"}, {"--bins"});
        !e.empty() || args.positionals().size() != 2) {
        err << "ckpt stats: " << (e.empty() ? "expected FILE and TENSOR_PATH" : e)
            << "\nUsage: ckpt stats FILE TENSOR_PATH [--json] [--bins N]\n";
        return kUsage;
    }
    core::StatsOptions options;
    if (const auto bins = args.option("--bins")) {
        try {
            options.bins = std::stoi(*bins);
        } catch (const std::exception&) {
            options.bins = -1;
        }
        if (options.bins <= 0 || options.bins > 100000) {
            err << "ckpt stats: --bins needs a number from 1 to 100000\n";
            return kUsage;
        }
    }
    const std::string& file = args.positionals()[0];
    const std::string& path = args.positionals()[1];
    try {
        const auto c = core::openCheckpoint(file);
        const core::Node* node = c->findTensor(path);
        if (node == nullptr) {
            err << "ckpt: error: " << core::escapeText(file) << ": no tensor at '"
                << core::escapeText(path) << "' (list them with: ckpt tensors "
                << core::escapeText(file) << ")\n";
            return kUnreadable;
        }
        const auto& tensor = *node->tensor();
        const auto stats = core::computeStats(tensor, terminalProgress("stats"), options);
        clearTerminalProgress();
        if (args.flag("--json")) {
            core::Json j = core::tensorJson(*node);
            const core::Json body = core::statsJson(stats);
            for (const auto& [k, v] : body.items()) {
                j[k] = v;
            }
            out << core::dumpJson(j, 2) << "\n";
            return kOk;
        }
        out << "Tensor  " << core::escapeText(path) << "  " << tensor.typeLabel() << " "
            << tensor.shapeText() << "  " << humanBytes(tensor.storedBytes()) << "\n"
            << "count " << groupDigits(stats.count) << "  finite " << groupDigits(stats.finite)
            << "  zeros " << groupDigits(stats.zeros) << "  NaN " << groupDigits(stats.nans)
            << "  +Inf " << groupDigits(stats.posInf) << "  -Inf " << groupDigits(stats.negInf)
            << "\n"
            << "min " << formatNumber(stats.min) << "  max " << formatNumber(stats.max) << "  mean "
            << formatNumber(stats.mean) << "  std " << formatNumber(stats.std) << "\n";
        if (stats.complexMagnitude) {
            out << "complex: every figure above and the histogram are of the magnitude |z|\n";
        } else if (stats.boolean) {
            out << "true " << groupDigits(stats.count - stats.zeros) << "  false "
                << groupDigits(stats.zeros) << "  (mean = share of true)\n";
        }
        printHistogram(stats.histogram, out);
        return kOk;
    } catch (const std::exception& e) {
        clearTerminalProgress();
        err << "ckpt: error: " << core::escapeText(e.what()) << "\n";
        return kUnreadable;
    }
}

}  // namespace ckpt::cli
