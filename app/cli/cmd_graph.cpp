// ckpt graph FILE: the architecture as a graph (text outline, JSON, SVG/PNG/DOT).

#include <algorithm>
#include <exception>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/graph_output.h"
#include "app/cli/text_format.h"
#include "core/export/atomic_file.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/graph/graph_json.h"
#include "core/model/checkpoint.h"
#include "core/model/json_dump.h"
#include "core/util/escape.h"

namespace ckpt::cli {
namespace {

constexpr const char* kGraphUsage =
    "Usage: ckpt graph FILE [-o out.svg|out.png|out.dot|out.json] [--depth N] [--json]\n";

std::string shortClass(const std::string& className) {
    const auto dot = className.rfind('.');
    return dot == std::string::npos ? className : className.substr(dot + 1);
}

/// The outline: one line per node, indented by nesting, with class, output shape and
/// parameters; data-flow graphs add each node's inputs.
void printOutline(const core::Graph& g, std::uint32_t depth, std::ostream& out) {
    std::vector<std::vector<core::GraphNodeId>> inputs(g.nodes().size());
    for (const auto& e : g.edges()) {
        inputs[e.to].push_back(e.from);
    }
    std::uint64_t params = 0;
    std::uint64_t buffers = 0;
    for (const auto id : g.roots()) {
        params += g.node(id).params;
        buffers += g.node(id).buffers;
    }
    out << "Graph: " << g.nodes().size() << " nodes, " << g.edges().size() << " edges ("
        << g.source() << ")\n";
    out << "Parameters: " << groupDigits(params);
    if (buffers > 0) {
        out << "  (buffers apart: " << groupDigits(buffers) << ")";
    }
    out << "\n\n";
    std::vector<std::pair<core::GraphNodeId, std::uint32_t>> stack;
    const auto& roots = g.roots();
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) {
        stack.emplace_back(*it, 0);
    }
    while (!stack.empty()) {
        const auto [id, level] = stack.back();
        stack.pop_back();
        const core::GraphNode& n = g.node(id);
        std::string line = std::string(2 * level, ' ') + n.name;
        if (!n.className.empty()) {
            line += " (" + shortClass(n.className) + ")";
        }
        out << pad(line, std::max<std::size_t>(40, line.size() + 2));
        if (const auto shape = core::graphShapeText(n); !shape.empty()) {
            out << shape << "  ";
        }
        out << groupDigits(n.params) << " params";
        if (n.buffers > 0) {
            out << ", " << groupDigits(n.buffers) << " buffers";
        }
        if (!inputs[id].empty()) {
            out << "  <- ";
            for (std::size_t i = 0; i < inputs[id].size(); ++i) {
                out << (i ? ", " : "") << g.node(inputs[id][i]).path;
            }
        }
        out << "\n";
        if (depth != 0 && level + 1 >= depth) {
            if (!n.children.empty()) {
                out << std::string(2 * level + 2, ' ') << "... " << n.children.size()
                    << " more inside (--depth " << level + 2 << ")\n";
            }
            continue;
        }
        for (auto c = n.children.rbegin(); c != n.children.rend(); ++c) {
            stack.emplace_back(*c, level + 1);
        }
    }
    for (const auto& w : g.warnings) {
        out << "warning: " << w << "\n";
    }
}

}  // namespace

bool graphOutputPathOk(const std::string& path) {
    core::GraphFormat format;
    return core::graphFormatForPath(path, format) ||
           (path.size() > 5 && path.substr(path.size() - 5) == ".json");
}

void writeGraphFile(const std::string& path, const core::Graph& graph, const core::Json& json,
                    const core::GraphLayoutOptions& options, const core::GraphStyle* style,
                    const std::vector<std::string>& inputs) {
    std::string bytes;
    core::GraphFormat format;
    if (core::graphFormatForPath(path, format)) {
        bytes = core::renderGraph(graph, format, options, style);
    } else {
        bytes = core::dumpJson(json, 1) + "\n";
    }
    std::vector<std::filesystem::path> in(inputs.begin(), inputs.end());
    core::AtomicFile file(path, in);
    file.write(bytes.data(), bytes.size());
    file.commit();
}

int runGraph(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    std::string e = args.parse(argv, {"--json"}, {"-o", "--output", "--depth"});
    if (e.empty() && args.positionals().size() != 1) {
        e = "expected one FILE";
    }
    std::uint32_t depth = 0;
    if (const auto d = args.option("--depth"); e.empty() && d) {
        try {
            std::size_t used = 0;
            const long long v = std::stoll(*d, &used);
            if (used != d->size() || v < 1 || v > 1'000'000) {
                throw std::invalid_argument("depth");
            }
            depth = static_cast<std::uint32_t>(v);
        } catch (const std::exception&) {
            e = "--depth needs a whole number >= 1 (1 = top-level nodes only)";
        }
    }
    auto output = args.option("-o");
    if (!output) {
        output = args.option("--output");
    }
    if (e.empty() && output && !graphOutputPathOk(*output)) {
        e = "cannot tell the output format from '" + *output +
            "': use .svg, .png, .dot (or .gv) or .json";
    }
    if (!e.empty()) {
        err << "ckpt graph: " << core::escapeText(e) << "\n" << kGraphUsage;
        return kUsage;
    }
    const std::string& file = args.positionals()[0];
    try {
        core::OpenOptions openOptions;
        openOptions.progress = terminalProgress("reading");
        const auto checkpoint = core::openCheckpoint(file, openOptions);
        clearTerminalProgress();
        const core::Graph graph = core::buildGraph(*checkpoint);
        if (output) {
            core::GraphLayoutOptions options;
            options.maxDepth = depth;
            options.progress = terminalProgress("drawing");
            writeGraphFile(*output, graph, core::graphJson(graph), options, nullptr, {file});
            clearTerminalProgress();
        }
        if (args.flag("--json")) {
            out << core::dumpJson(core::graphJson(graph), 1) << "\n";
        } else if (!output) {
            std::ostringstream text;
            printOutline(graph, depth, text);
            out << core::escapeTextKeepLines(text.str());
        } else {
            out << "wrote " << core::escapeText(*output) << " (" << graph.nodes().size()
                << " nodes, " << graph.edges().size() << " edges)\n";
        }
        return kOk;
    } catch (const std::exception& ex) {
        clearTerminalProgress();
        err << "ckpt: error: " << core::escapeText(ex.what()) << "\n";
        return kUnreadable;
    }
}

}  // namespace ckpt::cli
