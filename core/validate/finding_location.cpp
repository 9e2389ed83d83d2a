#include "core/validate/finding_location.h"

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"
#include "core/model/node.h"

namespace ckpt::core {
namespace {

/// A member path (`<root>.a['b'][0](1)`) as tree segments; `complete` is false when a step has
/// no node of its own (`.__class__`, `.__state__`, `[?]`, a truncated path).
struct MemberSteps {
    std::size_t pickle = 1;  ///< 1 for `<root>`, N for `<pickle N>`
    std::vector<std::string> segments;
    bool complete = true;
};

bool allDigits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<MemberSteps> parseMemberPath(std::string_view p) {
    MemberSteps out;
    std::size_t pos = 0;
    if (p.starts_with("<root>")) {
        pos = 6;
    } else if (p.starts_with("<pickle ")) {
        const auto close = p.find('>');
        const auto number = p.substr(8, close == std::string_view::npos ? 0 : close - 8);
        if (!allDigits(number)) {
            return std::nullopt;
        }
        out.pickle = std::stoul(std::string(number));
        pos = close + 1;
    } else {
        return std::nullopt;
    }
    while (pos < p.size()) {
        const std::string_view rest = p.substr(pos);
        if (rest.starts_with("...") || rest.starts_with(".__class__") ||
            rest.starts_with(".__state__") || rest.starts_with(".<")) {
            out.complete = false;
            break;
        }
        if (rest[0] == '.') {
            const auto end = rest.find_first_of(".[(", 1);
            out.segments.emplace_back(
                rest.substr(1, end == std::string_view::npos ? rest.size() - 1 : end - 1));
            pos += end == std::string_view::npos ? rest.size() : end;
        } else if (rest.starts_with("['")) {
            const auto end = rest.find("']", 2);
            if (end == std::string_view::npos) {
                out.complete = false;
                break;
            }
            out.segments.emplace_back(rest.substr(2, end - 2));
            pos += end + 2;
        } else if (rest[0] == '[' || rest[0] == '(') {
            const auto end = rest.find(rest[0] == '[' ? ']' : ')');
            const auto inside = rest.substr(1, end == std::string_view::npos ? 0 : end - 1);
            if (end == std::string_view::npos || inside.empty() || inside == "?" || inside == "*") {
                out.complete = false;
                break;
            }
            out.segments.push_back(rest[0] == '[' ? std::string(inside)
                                                  : "<arg" + std::string(inside) + ">");
            pos += end + 1;
        } else {
            out.complete = false;
            break;
        }
    }
    return out;
}

/// The node a pickle stream was read into: the root, or the child named after the stream's
/// member (a bundle's pickle file, TorchScript's constants.pkl).
const Node* streamBase(const Checkpoint& c, const std::string& member) {
    const Node& root = c.root();
    if (member.empty()) {
        return &root;
    }
    if (const Node* n = root.findChild(member)) {
        return n;
    }
    const auto slash = member.rfind('/');
    if (slash != std::string::npos) {
        const std::string base = member.substr(slash + 1);
        if (base != "data.pkl") {
            if (const Node* n = root.findChild(base)) {
                return n;
            }
        }
    }
    return &root;
}

FindingLocation locateMember(const Checkpoint& c, const Finding& f, const MemberSteps& steps) {
    const Node* node = streamBase(c, f.member);
    bool exact = steps.complete;
    if (steps.pickle > 1) {
        if (const Node* n = node->findChild("<pickle" + std::to_string(steps.pickle - 1) + ">")) {
            node = n;
        }  // else: a reader that shows only one of the pickles (torch legacy) at the base
    }
    for (const std::string& s : steps.segments) {
        if (const Node* n = node->findChild(s)) {
            node = n;
            continue;
        }
        // nn.Module state: the tree shows `_modules['fc1']` as `fc1`.
        if (s == "_modules" || s == "_parameters" || s == "_buffers") {
            continue;
        }
        exact = false;
        break;
    }
    return {node, exact};
}

/// `label/layers[i]/layers[j]...`: the layer indices, or nothing.
std::optional<std::vector<std::size_t>> layerIndices(std::string_view p) {
    const auto first = p.find("/layers[");
    if (first == std::string_view::npos || p.find('/') != first) {
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    std::size_t pos = first;
    while (p.substr(pos).starts_with("/layers[")) {
        const auto end = p.find(']', pos);
        const auto digits = p.substr(pos + 8, end == std::string_view::npos ? 0 : end - pos - 8);
        if (!allDigits(digits) || digits.size() > 9) {
            return std::nullopt;
        }
        out.push_back(std::stoul(std::string(digits)));
        pos = end + 1;
    }
    return out;
}

/// The name of the layer at `indices` in the config (nested models followed), or of the i-th
/// layer of the summary when the config has no such entry.
std::string configLayerName(const Checkpoint& c, const std::vector<std::size_t>& indices) {
    const Json* model = &c.config();
    std::string name;
    for (const std::size_t i : indices) {
        const Json* layers = kerasLayerList(*model).layers;
        if (layers == nullptr || i >= layers->size()) {
            name.clear();
            break;
        }
        model = &(*layers)[i];
        name = kerasLayerName(*model);
    }
    if (name.empty() && indices.size() == 1 && indices[0] < c.layers().size()) {
        name = c.layers()[indices[0]].name;
    }
    return name;
}

/// The group of layer `name`: the outermost ancestor of one of its weights that bears its name,
/// else the shallowest group or object so named (weightless layers keep an empty group in Keras
/// files).
const Node* layerNode(const Checkpoint& c, const std::string& name) {
    for (const Layer& layer : c.layers()) {
        if (layer.name != name) {
            continue;
        }
        for (const auto& w : layer.weightPaths) {
            const Node* found = nullptr;  // the outermost: model_weights/dense, not dense/dense
            for (const Node* n = c.root().find(w); n != nullptr && n->parent() != nullptr;
                 n = n->parent()) {
                if (n->name() == name) {
                    found = n;
                }
            }
            if (found != nullptr) {
                return found;
            }
        }
    }
    std::deque<std::pair<const Node*, int>> queue{{&c.root(), 0}};
    while (!queue.empty()) {
        const auto [n, depth] = queue.front();
        queue.pop_front();
        if (n->parent() != nullptr && n->name() == name && n->kind() != NodeKind::Tensor) {
            return n;
        }
        if (depth < 5 && !n->lazy()) {  // a lazy subtree holds plain groups and values only
            for (const auto& child : n->children()) {
                if (child->kind() != NodeKind::Tensor && child->kind() != NodeKind::Value) {
                    queue.emplace_back(child.get(), depth + 1);
                }
            }
        }
    }
    return nullptr;
}

/// The deepest node along a `/`-joined tree path.
FindingLocation locateTreePath(const Checkpoint& c, const std::string& path) {
    if (const Node* n = c.root().find(path)) {
        return {n, true};
    }
    std::string prefix = path;
    while (true) {
        const auto slash = prefix.rfind('/');
        if (slash == std::string::npos) {
            break;
        }
        prefix.resize(slash);
        if (const Node* n = c.root().find(prefix)) {
            return {n, false};
        }
    }
    return {&c.root(), false};
}

}  // namespace

FindingLocation locateFinding(const Checkpoint& checkpoint, const Finding& finding) {
    try {
        if (const auto steps = parseMemberPath(finding.path)) {
            return locateMember(checkpoint, finding, *steps);
        }
        if (const auto indices = layerIndices(finding.path)) {
            const std::string name = configLayerName(checkpoint, *indices);
            if (const Node* n = name.empty() ? nullptr : layerNode(checkpoint, name)) {
                return {n, true};
            }
            return {&checkpoint.root(), false};
        }
        if (finding.path.empty()) {
            return {&checkpoint.root(), true};
        }
        return locateTreePath(checkpoint, finding.path);
    } catch (const std::exception&) {
        return {&checkpoint.root(), false};
    }
}

}  // namespace ckpt::core
