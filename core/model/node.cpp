#include "core/model/node.h"

#include <algorithm>

namespace ckpt::core {

std::string_view nodeKindName(NodeKind k) {
    switch (k) {
        case NodeKind::Group:
            return "group";
        case NodeKind::Tensor:
            return "tensor";
        case NodeKind::Object:
            return "object";
        case NodeKind::Value:
            return "value";
        case NodeKind::Archive:
            return "archive";
    }
    return "group";
}

Node::Node(NodeKind kind, std::string name) : m_kind(kind), m_name(std::move(name)) {}

std::string Node::path() const {
    if (m_parent == nullptr) {
        return {};
    }
    const Node* up = m_parent;
    while (up->m_transparent && up->m_parent != nullptr) {
        up = up->m_parent;  // display groups add nothing to a path
    }
    const std::string upPath = up->path();
    return upPath.empty() ? m_name : upPath + "/" + m_name;
}

const std::vector<std::unique_ptr<Node>>& Node::children() const {
    if (m_lazy) {
        const std::lock_guard lock(m_lazy->m_mutex);
        if (!m_allMade) {
            makeChildren(0, m_lazy->childCount(m_lazyKey));
            const_cast<Node*>(this)->m_allMade = true;
        }
    }
    return m_children;
}

Node* Node::child(std::size_t i) const {
    if (m_lazy) {
        const std::lock_guard lock(m_lazy->m_mutex);
        makeChildren(i, i + 1);
    }
    return m_children[i].get();
}

void Node::makeChildren(std::size_t from, std::size_t to) const {
    auto& kids = const_cast<Node*>(this)->m_children;
    if (kids.empty()) {
        kids.resize(m_lazy->childCount(m_lazyKey));
    }
    to = std::min(to, kids.size());
    for (std::size_t i = from; i < to; ++i) {
        if (kids[i] == nullptr) {
            kids[i] = m_lazy->makeChild(m_lazyKey, i);
            kids[i]->m_parent = const_cast<Node*>(this);
            kids[i]->m_row = i;
        }
    }
}

void Node::setLazy(std::shared_ptr<const ChildSource> source, std::uint64_t key) {
    m_lazy = std::move(source);
    m_lazyKey = key;
    m_allMade = false;
    m_children.clear();
}

std::vector<std::unique_ptr<Node>> Node::takeChildren() {
    (void)children();
    m_lazy.reset();
    std::vector<std::unique_ptr<Node>> out = std::move(m_children);
    m_children.clear();
    for (auto& c : out) {
        c->m_parent = nullptr;
        c->m_row = 0;
    }
    return out;
}

Node& Node::addChild(std::unique_ptr<Node> child) {
    if (m_lazy) {  // a child added to a lazy node comes after the ones it makes
        (void)children();
        m_lazy.reset();
    }
    child->m_parent = this;
    child->m_row = m_children.size();
    m_children.push_back(std::move(child));
    return *m_children.back();
}

Node& Node::addChild(NodeKind kind, std::string name) {
    return addChild(std::make_unique<Node>(kind, std::move(name)));
}

Node* Node::findChild(std::string_view name) const {
    if (m_lazy) {  // compare names without making the children
        for (std::size_t i = 0, n = childCount(); i < n; ++i) {
            if (m_lazy->describeChild(m_lazyKey, i).name == name) {
                return child(i);
            }
        }
        return nullptr;
    }
    for (const auto& c : m_children) {
        if (c->m_name == name) {
            return c.get();
        }
    }
    return nullptr;
}

Node* Node::find(std::string_view path) const {
    const Node* node = this;
    // Names may themselves contain '/', as in "kernel:0" under "dense/": try the longest
    // matching child name first.
    while (!path.empty() && node != nullptr) {
        const Node* next = nullptr;
        const Node* lazyParent = nullptr;  // the best match is child lazyIndex of a lazy node
        std::size_t lazyIndex = 0;
        std::size_t consumed = 0;
        const auto matches = [&](const std::string& n) {
            return path.size() >= n.size() && path.compare(0, n.size(), n) == 0 &&
                   (path.size() == n.size() || path[n.size()] == '/');
        };
        if (node->m_lazy) {
            // A lazy node's children are compared by name and only the match is made; they
            // are never display groups.
            for (std::size_t i = 0, count = node->childCount(); i < count; ++i) {
                const std::string n = node->m_lazy->describeChild(node->m_lazyKey, i).name;
                if (matches(n) && (n.size() > consumed || lazyParent == nullptr)) {
                    lazyParent = node;
                    lazyIndex = i;
                    consumed = n.size();
                }
            }
            next = lazyParent != nullptr ? lazyParent->child(lazyIndex) : nullptr;
        } else {
            // Display groups (transparent) are looked through: their children count as this
            // node's; a display group also matches its own name.
            std::vector<const Node*> scan{node};
            for (std::size_t i = 0; i < scan.size(); ++i) {
                for (const auto& c : scan[i]->children()) {
                    const auto& n = c->m_name;
                    if (matches(n) &&
                        (n.size() > consumed || (n.size() == consumed && !c->m_transparent &&
                                                 next != nullptr && next->m_transparent))) {
                        next = c.get();
                        consumed = n.size();
                    }
                    if (c->m_transparent) {
                        scan.push_back(c.get());
                    }
                }
            }
        }
        if (next == nullptr) {
            return nullptr;
        }
        node = next;
        path.remove_prefix(consumed);
        if (!path.empty()) {
            path.remove_prefix(1);
        }
    }
    return const_cast<Node*>(node);
}

ChildView Node::describeChild(std::size_t i) const {
    if (m_lazy) {
        return m_lazy->describeChild(m_lazyKey, i);
    }
    const Node& c = *m_children[i];
    return {c.m_kind, c.m_name, c.m_typeName, c.m_value, std::nullopt};
}

void Node::visitBelowChild(
    std::size_t i, const std::string& childPath,
    const std::function<Visit(const ChildView&, const std::string&, std::size_t)>& visit) const {
    if (!m_lazy) {
        return;
    }
    const auto top = m_lazy->describeChild(m_lazyKey, i).key;
    if (!top) {
        return;
    }
    struct Item {
        std::uint64_t key;
        std::size_t next;  ///< the next child to visit
        std::string path;
    };
    std::vector<Item> stack{{*top, 0, childPath}};
    while (!stack.empty()) {
        Item& it = stack.back();
        if (it.next >= m_lazy->childCount(it.key)) {
            stack.pop_back();
            continue;
        }
        const ChildView v = m_lazy->describeChild(it.key, it.next++);
        std::string path = it.path + "/" + v.name;
        const std::size_t depth = stack.size();
        const Visit next = visit(v, path, depth);
        if (next == Visit::Stop) {
            return;
        }
        if (next == Visit::Descend && v.key) {
            stack.push_back({*v.key, 0, std::move(path)});  // `it` may dangle from here on
        }
    }
}

bool Node::shareLazyChildren(const Node& other) {
    if (!other.m_lazy || !m_children.empty()) {
        return false;
    }
    setLazy(other.m_lazy, other.m_lazyKey);
    return true;
}

std::size_t Node::subtreeSize() const {
    if (m_lazy) {
        return m_lazy->subtreeSize(m_lazyKey);
    }
    std::size_t n = 0;
    std::vector<const Node*> stack{this};
    while (!stack.empty()) {
        const Node* node = stack.back();
        stack.pop_back();
        if (node->m_lazy) {
            n += node->m_lazy->subtreeSize(node->m_lazyKey);
            continue;
        }
        ++n;
        for (const auto& c : node->m_children) {
            stack.push_back(c.get());
        }
    }
    return n;
}

}  // namespace ckpt::core
