#include "core/model/keras_layout.h"

namespace ckpt::core {
namespace {}  // namespace

const std::vector<std::string>& kerasLayerContainers() {
    static const std::vector<std::string> containers{"layers", "_layer_checkpoint_dependencies"};
    return containers;
}

std::optional<std::vector<std::string>> nodeNameList(const Node& node, const std::string& name) {
    const auto& attrs = node.attributes();
    const auto toList = [](const Json& v) {
        std::vector<std::string> out;
        if (v.is_string()) {
            out.push_back(v.get<std::string>());
        } else if (v.is_array()) {
            for (const auto& e : v) {
                if (e.is_string()) {
                    out.push_back(e.get<std::string>());
                }
            }
        }
        return out;
    };
    if (const auto it = attrs.find(name); it != attrs.end()) {
        return toList(*it);
    }
    std::optional<std::vector<std::string>> out;
    for (int i = 0;; ++i) {
        const auto it = attrs.find(name + std::to_string(i));
        if (it == attrs.end()) {
            break;
        }
        if (!out) {
            out.emplace();
        }
        auto part = toList(*it);
        out->insert(out->end(), part.begin(), part.end());
    }
    return out;
}

std::vector<std::pair<std::string, const Node*>> kerasLayerGroups(const Node& h5Root) {
    std::vector<std::pair<std::string, const Node*>> out;
    for (const std::string& top : kerasLayerContainers()) {
        if (const Node* layers = h5Root.findChild(top)) {
            for (const auto& c : layers->children()) {
                if (c->kind() == NodeKind::Group) {
                    out.emplace_back(c->name(), c.get());
                }
            }
        }
        const std::string prefix = std::string(top) + "\\";
        for (const auto& c : h5Root.children()) {
            if (c->kind() == NodeKind::Group && c->name().rfind(prefix, 0) == 0 &&
                c->name().find('\\', prefix.size()) == std::string::npos) {
                out.emplace_back(c->name().substr(prefix.size()), c.get());
            }
        }
        if (!out.empty()) {
            break;
        }
    }
    return out;
}

bool hasVarsLayout(const Node& h5Root) {
    for (const auto& [name, group] : kerasLayerGroups(h5Root)) {
        if (group->findChild("vars") != nullptr) {
            return true;
        }
    }
    const Node* vars = h5Root.findChild("vars");
    return vars != nullptr && vars->kind() == NodeKind::Group;
}

}  // namespace ckpt::core
