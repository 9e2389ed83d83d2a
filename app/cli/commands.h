#pragma once
// The subcommands of `ckpt`. Each takes its own arguments (after the command name) and returns
// an exit code from cli.h.

#include <ostream>
#include <string>
#include <vector>

namespace ckpt::cli {

struct Command {
    const char* name;
    const char* summary;
    const char* help;  ///< full --help text
    int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

/// All subcommands, in the order `ckpt --help` lists them.
[[nodiscard]] const std::vector<Command>& commands();

int runInfo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runTensors(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runDiff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runStats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runValidate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runScan(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runExport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runGraph(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int runFormats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ckpt::cli
