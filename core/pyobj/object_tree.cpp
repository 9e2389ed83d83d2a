#include "core/pyobj/object_tree.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/lazy_tree.h"
#include "core/pyobj/object_tree_shape.h"

namespace ckpt::core::pyobj {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

std::size_t fillArchive(const ArchiveEntry& a, Node& node) {
    node.attributes()["size"] = a.size;
    if (!a.error.empty()) {
        node.attributes()["error"] = a.error;
    }
    if (a.checkpoint) {
        node.setTypeName(a.checkpoint->format());
        if (!a.checkpoint->metadata().empty()) {
            node.attributes()["metadata"] = a.checkpoint->metadata();
        }
        if (!a.checkpoint->root().typeName().empty()) {
            node.attributes()["root_class"] = a.checkpoint->root().typeName();
        }
        copyTree(a.checkpoint->root(), node);
        return node.subtreeSize() - 1;
    }
    node.setTypeName(a.format.empty() ? "unreadable" : a.format);
    for (const auto& [name, size] : a.tarMembers) {
        auto& m = node.addChild(NodeKind::Value, name);
        m.setTypeName("file");
        m.setValue(std::to_string(size) + " bytes");
    }
    return a.tarMembers.size();
}

}  // namespace

bool ObjectTreeBuilder::namesRepeat(const std::vector<Member>& members) {
    const std::size_t n = members.size();
    if (n <= 8) {
        for (std::size_t i = 1; i < n; ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (members[i].name == members[j].name) {
                    return true;
                }
            }
        }
        return false;
    }
    // Open addressing over indices: no allocation per name (a list of 10^6 rows has 10^6).
    const std::size_t size = std::bit_ceil(2 * n);
    std::vector<std::uint32_t> table(size, UINT32_MAX);
    const std::hash<std::string_view> hash;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view name = members[i].name;
        for (std::size_t at = hash(name) & (size - 1);; at = (at + 1) & (size - 1)) {
            if (table[at] == UINT32_MAX) {
                table[at] = static_cast<std::uint32_t>(i);
                break;
            }
            if (members[table[at]].name == name) {
                return true;
            }
        }
    }
    return false;
}

void ObjectTreeBuilder::numberRepeatedNames(std::vector<Member>& members) {
    if (!namesRepeat(members)) {
        return;
    }
    std::unordered_map<std::string, int> used;
    for (auto& m : members) {
        if (const int n = ++used[m.name]; n > 1) {
            m.name += "#" + std::to_string(n);
        }
    }
}

void copyTree(const Node& from, Node& to) {
    if (to.shareLazyChildren(from)) {
        return;
    }
    std::vector<std::pair<const Node*, Node*>> stack{{&from, &to}};
    while (!stack.empty()) {
        const auto [src, dst] = stack.back();
        stack.pop_back();
        for (const auto& c : src->children()) {
            auto& n = dst->addChild(c->kind(), c->name());
            n.attributes() = c->attributes();
            n.setTypeName(c->typeName());
            n.setValue(c->value());
            n.setTensor(c->tensor());
            if (!n.shareLazyChildren(*c)) {  // a lazy subtree is shared, not made
                stack.emplace_back(c.get(), &n);
            }
        }
    }
}

ObjectTreeBuilder::ObjectTreeBuilder(const ValueGraph& graph, const Recognitions& recognitions,
                                     TreeLimits limits)
    : m_graph(graph), m_recognitions(recognitions), m_limits(limits) {}

ObjectTreeBuilder::~ObjectTreeBuilder() = default;

void ObjectTreeBuilder::enableLazy(std::shared_ptr<const ValueGraph> graph) {
    if (graph == nullptr || graph.get() != &m_graph) {
        return;
    }
    m_plain = std::make_unique<PlainSubtrees>(m_graph, m_recognitions);
    m_lazy = std::make_shared<PlainChildren>(std::move(graph), m_limits.maxValueChars);
}

void ObjectTreeBuilder::noteCut() {
    if (!m_cutWarned) {
        m_cutWarned = true;
        const bool eager = m_eager >= m_limits.maxEagerNodes && m_nodes < m_limits.maxNodes;
        const std::size_t limit = eager ? m_limits.maxEagerNodes : m_limits.maxNodes;
        const char* name = eager ? "object-tree-eager" : "object-tree-nodes";
        m_warnings.push_back("the object tree was cut at " + std::to_string(limit) +
                             " nodes (limit " + name + "; raise it with --limit " + name + "=N)");
    }
}

void ObjectTreeBuilder::noteElided(Node& node) {
    auto& more = node.addChild(NodeKind::Value, "<more>");
    more.setTypeName("elided");
    more.setValue("… " + std::to_string(m_elided) + " more members not shown (node limit)");
    ++m_nodes;
    ++m_eager;
    noteCut();
}

bool ObjectTreeBuilder::addLazy(ValueId id, Node& parent, const std::string& name,
                                std::size_t depth) {
    if (m_lazy == nullptr) {
        return false;
    }
    const std::size_t size = m_plain->size(id);
    if (size == 0 || (size < m_limits.lazyFrom && m_eager < m_limits.maxEagerNodes) ||
        depth + m_plain->height(id) > m_limits.maxDepth + 1) {
        return false;
    }
    if (m_nodes + size > m_limits.maxNodes) {
        auto& cut = parent.addChild(NodeKind::Value, name);
        cut.setTypeName("elided");
        cut.setValue("… " + std::to_string(size) + " values not shown (node limit)");
        ++m_nodes;
        ++m_eager;
        noteCut();
        return true;
    }
    auto& node = parent.addChild(NodeKind::Group, name);
    node.setTypeName(plainTypeName(m_graph, id));
    node.attributes()["offset"] = m_graph[id].offset;
    m_lazy->attach(node, id);
    m_nodes += size;
    ++m_eager;
    return true;
}

void ObjectTreeBuilder::buildChild(ValueId root, Node& parent, const std::string& name) {
    run(root, parent, name, false);
}

void ObjectTreeBuilder::build(ValueId root, Node& parent, const std::string& rootName) {
    run(root, parent, rootName, true);
}

void ObjectTreeBuilder::run(ValueId root, Node& parent, const std::string& rootName,
                            bool intoParent) {
    struct Task {
        ValueId id;
        Node* parent;
        std::string name;
        std::size_t depth;
    };
    std::vector<Task> stack;
    const auto pushMembers = [&stack](std::vector<Member>& members, Node* node, std::size_t depth) {
        numberRepeatedNames(members);
        for (auto it = members.rbegin(); it != members.rend(); ++it) {
            stack.push_back({it->id, node, std::move(it->name), depth});
        }
    };
    if (!m_graph.contains(root)) {
        return;
    }
    {
        m_room = m_limits.maxNodes > m_nodes ? m_limits.maxNodes - m_nodes : 0;
        m_elided = 0;
        if (intoParent && m_lazy != nullptr && m_plain->size(root) >= m_limits.lazyFrom &&
            m_plain->height(root) <= m_limits.maxDepth + 1 &&
            m_nodes + m_plain->size(root) <= m_limits.maxNodes) {
            parent.setTypeName(plainTypeName(m_graph, root));
            m_lazy->attach(parent, root);
            m_nodes += m_plain->size(root) - 1;
            return;
        }
        Shape s = shapeOf(root);
        if (intoParent && (s.kind == NodeKind::Group || s.kind == NodeKind::Object)) {
            parent.setTypeName(s.typeName);
            for (const auto& [k, val] : s.attributes.items()) {
                parent.attributes()[k] = val;
            }
            if (s.archive != nullptr) {
                auto& archive = parent.addChild(NodeKind::Archive, s.archiveName);
                const std::size_t made = 1 + fillArchive(*s.archive, archive);
                m_nodes += made;
                m_eager += made;
                m_seen.emplace(s.archiveValue, &archive);
            }
            m_seen.emplace(root, &parent);
            if (m_elided > 0) {
                noteElided(parent);
            }
            pushMembers(s.members, &parent, 1);
        } else {
            stack.push_back({root, &parent, rootName, 1});
        }
    }
    bool cut = false;
    bool tooDeep = false;
    while (!stack.empty()) {
        Task task = std::move(stack.back());
        stack.pop_back();
        if (task.depth <= m_limits.maxDepth &&
            addLazy(task.id, *task.parent, task.name, task.depth)) {
            continue;
        }
        if (m_nodes >= m_limits.maxNodes || m_eager >= m_limits.maxEagerNodes) {
            if (!cut) {
                cut = true;
                auto& more = task.parent->addChild(NodeKind::Value, task.name);
                more.setTypeName("elided");
                more.setValue("… the tree was cut here");
                noteCut();
            }
            continue;
        }
        if (task.depth > m_limits.maxDepth) {
            auto& deep = task.parent->addChild(NodeKind::Value, task.name);
            deep.setTypeName("elided");
            deep.setValue("… nested deeper than " + std::to_string(m_limits.maxDepth) + " levels");
            ++m_nodes;
            ++m_eager;
            if (!tooDeep) {
                tooDeep = true;
                m_warnings.push_back("values nested deeper than " +
                                     std::to_string(m_limits.maxDepth) + " levels are not shown");
            }
            continue;
        }
        const bool shared = referenceable(task.id);
        if (shared) {
            if (const auto it = m_seen.find(task.id); it != m_seen.end()) {
                auto& ref = task.parent->addChild(NodeKind::Value, task.name);
                const std::string target = it->second->path();
                ref.setTypeName("reference");
                ref.setValue("→ " + (target.empty() ? std::string("/") : target));
                ref.attributes()["ref"] = target;
                ++m_nodes;
                ++m_eager;
                continue;
            }
        }
        // Members are bounded by the total only: those past the eager limit may be lazy.
        m_room = m_limits.maxNodes > m_nodes + stack.size()
                     ? m_limits.maxNodes - m_nodes - stack.size()
                     : 0;
        m_elided = 0;
        Shape s = shapeOf(task.id);
        auto& node = task.parent->addChild(s.kind, task.name);
        ++m_nodes;
        ++m_eager;
        node.setTypeName(std::move(s.typeName));
        node.setValue(std::move(s.value));
        node.attributes() = std::move(s.attributes);
        node.attributes()["offset"] = m_graph[task.id].offset;
        if (s.tensor != nullptr) {
            node.setTensor(s.tensor->tensor);
        }
        if (s.archive != nullptr) {
            Node* target = &node;
            if (!s.archiveName.empty()) {
                target = &node.addChild(NodeKind::Archive, s.archiveName);
                m_seen.emplace(s.archiveValue, target);
                ++m_nodes;
                ++m_eager;
            }
            const std::size_t made = fillArchive(*s.archive, *target);
            m_nodes += made;
            m_eager += made;
        }
        if (shared) {
            m_seen.emplace(task.id, &node);
        }
        if (m_elided > 0) {
            noteElided(node);
        }
        pushMembers(s.members, &node, task.depth + 1);
    }
}

}  // namespace ckpt::core::pyobj
