#include "app/cli/cli.h"

#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "core/util/limits.h"

namespace ckpt::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

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
           "Every command takes --json for output that scripts can parse, and\n"
           "--limit NAME=VALUE to raise one of the limits on hostile input (docs/limits.md).\n\n"
           "Exit codes: 0 ok, 1 differences or findings, 2 unreadable input, 64 bad usage.\n\n"
           "Examples:\n"
           "  ckpt info model.h5                  layers, parameter counts, tensors\n"
           "  ckpt info --json model.keras | jq .total_params\n"
           "  ckpt tensors weights.h5             every tensor with dtype and shape\n"
           "  ckpt stats model.h5 model_weights/dense/dense/kernel:0\n";
}

/// Applies and removes every `--limit NAME=VALUE` (or `--limit=NAME=VALUE`) of `args`, up to a
/// `--`; returns an error message, empty on success. Common to every command.
std::string takeLimitOptions(std::vector<std::string>& args) {
    std::vector<std::string> kept;
    bool positionalOnly = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (!positionalOnly && a == "--") {
            positionalOnly = true;
        }
        std::string value;
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
        out << "ckpt " << kVersion << "\n";
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
    err << "ckpt: unknown command '" << cmd << "'\n\n";
    printUsage(err);
    return kUsage;
}

}  // namespace ckpt::cli
