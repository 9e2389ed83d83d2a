#pragma once
// A small argument parser for the subcommands: flags, options with values, positionals.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ckpt::cli {

/// Parsed arguments of one subcommand. Unknown options are an error reported by parse().
class Args {
public:
    /// `flags` take no value (--json); `options` take one (--bins 20 or --bins=20).
    /// Returns an error message, or empty on success.
    std::string parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                      const std::set<std::string>& options);

    [[nodiscard]] bool flag(const std::string& name) const { return m_flags.count(name) != 0; }
    [[nodiscard]] std::optional<std::string> option(const std::string& name) const;
    [[nodiscard]] const std::vector<std::string>& positionals() const { return m_positionals; }

private:
    std::set<std::string> m_flags;
    std::map<std::string, std::string> m_options;
    std::vector<std::string> m_positionals;
};

}  // namespace ckpt::cli
