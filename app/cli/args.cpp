#include "app/cli/args.h"

namespace ckpt::cli {

std::string Args::parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                        const std::set<std::string>& options) {
    bool onlyPositionals = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (onlyPositionals || a.size() < 2 || a[0] != '-') {
            m_positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositionals = true;
            continue;
        }
        std::string name = a;
        std::optional<std::string> value;
        if (const auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
        }
        if (flags.count(name) != 0) {
            if (value) {
                return "option " + name + " takes no value";
            }
            m_flags.insert(name);
        } else if (options.count(name) != 0) {
            if (!value) {
                if (i + 1 >= argv.size()) {
                    return "option " + name + " needs a value";
                }
                value = argv[++i];
            }
            m_options[name] = *value;
        } else {
            return "unknown option " + name;
        }
    }
    return {};
}

std::optional<std::string> Args::option(const std::string& name) const {
    const auto it = m_options.find(name);
    if (it == m_options.end()) {
        return std::nullopt;
    }
    return it->second;
}

}  // namespace ckpt::cli
