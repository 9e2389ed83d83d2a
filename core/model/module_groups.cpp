#include "core/model/module_groups.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/node.h"

namespace ckpt::core {

namespace {

/// One dotted prefix: its members (tensors and sub-prefixes) in first-appearance order.
struct Prefix {
    std::string name;  ///< the whole prefix, "layer1.0"
    std::vector<std::unique_ptr<Node>> leaves;
    std::vector<std::unique_ptr<Prefix>> subs;
    std::map<std::string, Prefix*, std::less<>> byName;
    std::vector<int> order;  ///< 0: next leaf, 1: next sub, in appearance order
    std::size_t leafCount = 0;
    std::uint64_t params = 0;
};

Prefix& subPrefix(Prefix& p, const std::string& name) {
    if (auto it = p.byName.find(name); it != p.byName.end()) {
        return *it->second;
    }
    p.subs.push_back(std::make_unique<Prefix>());
    p.subs.back()->name = name;
    p.byName.emplace(name, p.subs.back().get());
    p.order.push_back(1);
    return *p.subs.back();
}

std::uint64_t elementsOf(const Node& n) {
    return n.kind() == NodeKind::Tensor && n.tensor() ? n.tensor()->numel() : 0;
}

/// Moves `prefix`'s members under `parent`: a prefix with two or more tensors (and not a bare
/// chain to one deeper prefix) becomes a transparent group; the others hand their members up.
void emit(Prefix& prefix, Node& parent, std::size_t& made, std::size_t maxGroups) {
    std::size_t leaf = 0;
    std::size_t sub = 0;
    for (const int kind : prefix.order) {
        if (kind == 0) {
            parent.addChild(std::move(prefix.leaves[leaf++]));
            continue;
        }
        Prefix& p = *prefix.subs[sub++];
        const bool chain = p.leaves.empty() && p.subs.size() == 1;
        if (p.leafCount < 2 || chain || made >= maxGroups) {
            emit(p, parent, made, maxGroups);
            continue;
        }
        Node& group = parent.addChild(NodeKind::Group, p.name);
        group.setTransparent(true);
        group.attributes()["parameters"] = p.params;
        ++made;
        emit(p, group, made, maxGroups);
    }
}

/// Counts the tensors and elements below every prefix.
void count(Prefix& p) {
    p.leafCount = p.leaves.size();
    for (const auto& l : p.leaves) {
        p.params += elementsOf(*l);
    }
    for (auto& s : p.subs) {
        count(*s);
        p.leafCount += s->leafCount;
        p.params += s->params;
    }
}

/// True when two or more tensor children share the first part of a dotted name.
bool worthGrouping(const Node& group) {
    std::map<std::string, int, std::less<>> firsts;
    for (const auto& c : group.children()) {
        const auto dot = c->name().find('.');
        if (c->kind() == NodeKind::Tensor && dot != std::string::npos && dot > 0 &&
            ++firsts[c->name().substr(0, dot)] >= 2) {
            return true;
        }
    }
    return false;
}

void groupOne(Node& group, std::size_t& made, std::size_t maxGroups) {
    Prefix top;
    for (auto& child : group.takeChildren()) {
        const std::string name = child->name();
        Prefix* at = &top;
        if (child->kind() == NodeKind::Tensor) {
            // Every proper dotted prefix: "a.b.c" -> "a", "a.b".
            for (std::size_t dot = name.find('.');
                 dot != std::string::npos && dot > 0 && dot + 1 < name.size();
                 dot = name.find('.', dot + 1)) {
                at = &subPrefix(*at, name.substr(0, dot));
            }
        }
        at->leaves.push_back(std::move(child));
        at->order.push_back(0);
    }
    count(top);
    emit(top, group, made, maxGroups);
}

void walk(Node& node, std::size_t& made, std::size_t maxGroups) {
    if (node.kind() == NodeKind::Tensor || node.transparent() || node.lazy()) {
        return;  // a lazy node holds plain groups and values only: no tensor keys
    }
    if (made < maxGroups && worthGrouping(node)) {
        groupOne(node, made, maxGroups);
    }
    for (const auto& c : node.children()) {
        if (!c->transparent()) {
            walk(*c, made, maxGroups);
        }
    }
}

}  // namespace

std::size_t groupDottedKeys(Node& root, std::size_t maxGroups) {
    std::size_t made = 0;
    walk(root, made, maxGroups);
    return made;
}

}  // namespace ckpt::core
