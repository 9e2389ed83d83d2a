#include "core/model/node.h"

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
    const std::string up = m_parent->path();
    return up.empty() ? m_name : up + "/" + m_name;
}

Node& Node::addChild(std::unique_ptr<Node> child) {
    child->m_parent = this;
    child->m_row = m_children.size();
    m_children.push_back(std::move(child));
    return *m_children.back();
}

Node& Node::addChild(NodeKind kind, std::string name) {
    return addChild(std::make_unique<Node>(kind, std::move(name)));
}

Node* Node::findChild(std::string_view name) const {
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
        std::size_t consumed = 0;
        for (const auto& c : node->m_children) {
            const auto& n = c->m_name;
            if (path.size() >= n.size() && path.compare(0, n.size(), n) == 0 &&
                (path.size() == n.size() || path[n.size()] == '/') && n.size() > consumed) {
                next = c.get();
                consumed = n.size();
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

std::size_t Node::subtreeSize() const {
    std::size_t n = 1;
    for (const auto& c : m_children) {
        n += c->subtreeSize();
    }
    return n;
}

}  // namespace ckpt::core
