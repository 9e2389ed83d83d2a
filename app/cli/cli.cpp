#include "app/cli/cli.h"

#include <algorithm>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "core/formats/reader.h"
#include "core/util/limits.h"
#include "core/util/version.h"

namespace ckpt::cli {
namespace {

void printUsage(std::ostream& out) {
    out << "ckpt - look inside machine-learning checkpoints without running them\n\n"
           "Usage: ckpt <command> [options] FILE...\n\n"
           "Commands:\n";
    for (const auto& c : commands()) {
        std::string name = c.name;
        name.resize(10, ' ');
        out << "  " << name << c.summary << "\n";
    }
    out << "\nRun 'ckpt <command> --help' for the options of one command.\n"
           "Every command takes --json for output that scripts can parse,\n"
           "--limit NAME=VALUE to raise one of the limits on hostile input (docs/limits.md),\n"
           "and --shard-only to open one shard of a sharded model alone (by default a shard\n"
           "beside its model.safetensors.index.json opens as the whole model).\n\n"
           "Exit codes: 0 ok, 1 differences or findings, 2 unreadable input, 64 bad usage.\n\n"
           "Examples:\n"
           "  ckpt info model.h5                  layers, parameter counts, tensors\n"
           "  ckpt info --json model.keras | jq .total_params\n"
           "  ckpt tensors weights.h5             every tensor with dtype and shape\n"
           "  ckpt info ./Llama-3-8B/             a sharded model: its folder, index or any shard\n"
           "  ckpt stats model.h5 model_weights/dense/dense/kernel:0\n";
}

/// Levenshtein distance between `a` and `b`.
std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// The command closest to a mistyped `cmd` (at most 2 edits, or a prefix of one), or "".
std::string nearestCommand(const std::string& cmd) {
    std::string best;
    std::size_t bestDistance = 3;
    for (const auto& c : commands()) {
        const std::string name = c.name;
        std::size_t d = editDistance(cmd, name);
        if (cmd.size() >= 2 && name.rfind(cmd, 0) == 0) {
            d = std::min<std::size_t>(d, 1);  // "val" -> "validate"
        }
        if (d < bestDistance && d < std::max<std::size_t>(name.size(), 2)) {
            best = name;
            bestDistance = d;
        }
    }
    return best;
}

std::string commandList() {
    std::string list;
    for (const auto& c : commands()) {
        list += (list.empty() ? "" : ", ") + std::string(c.name);
    }
    return list;
}

/// Applies and removes every `--limit NAME=VALUE` (or `--limit=NAME=VALUE`) and `--shard-only`
/// of `args`, up to a `--`; returns an error message, empty on success. Common to every command.
std::string takeLimitOptions(std::vector<std::string>& args) {
    std::vector<std::string> kept;
    bool positionalOnly = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (!positionalOnly && a == "--") {
            positionalOnly = true;
        }
        std::string value;
        if (!positionalOnly && a == "--shard-only") {
            core::openDefaults().joinShards = false;
            continue;
        }
        if (!positionalOnly && a == "--limit") {
            if (i + 1 >= args.size()) {
                return "needs NAME=VALUE";
            }
            value = args[++i];
        } else if (!positionalOnly && a.rfind("--limit=", 0) == 0) {
            value = a.substr(8);
        } else {
            kept.push_back(a);
            continue;
        }
        if (std::string e = core::setLimit(core::limits(), value); !e.empty()) {
            return e;
        }
    }
    args = std::move(kept);
    return {};
}

}  // namespace

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        printUsage(err);
        return kUsage;
    }
    const std::string& cmd = args[0];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        if (args.size() > 1) {
            for (const auto& c : commands()) {
                if (args[1] == c.name) {
                    out << c.help;
                    return kOk;
                }
            }
        }
        printUsage(out);
        return kOk;
    }
    if (cmd == "--version" || cmd == "-V") {
        out << "ckpt " << core::productVersion() << "\n";
        return kOk;
    }
    for (const auto& c : commands()) {
        if (cmd == c.name) {
            std::vector<std::string> rest(args.begin() + 1, args.end());
            for (const auto& a : rest) {
                if (a == "--help" || a == "-h") {
                    out << c.help;
                    return kOk;
                }
            }
            if (const std::string e = takeLimitOptions(rest); !e.empty()) {
                err << "ckpt " << c.name << ": --limit: " << e << "\n";
                return kUsage;
            }
            return c.run(rest, out, err);
        }
    }
    err << "ckpt: unknown command '" << cmd << "'";
    if (const std::string near = nearestCommand(cmd); !near.empty()) {
        err << ". Did you mean '" << near << "'?";
    }
    err << "\nUsage: ckpt <command> [options] FILE...   (commands: " << commandList()
        << "; 'ckpt --help' for more)\n";
    return kUsage;
}

}  // namespace ckpt::cli
