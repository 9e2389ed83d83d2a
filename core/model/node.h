#pragma once
/// The tree of a checkpoint: groups, tensors, Python objects, plain values and nested archives.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/json.h"
#include "core/model/tensor.h"

namespace ckpt::core {

enum class NodeKind : std::uint8_t {
    Group,    ///< a container: HDF5 group, dict, list, zip folder
    Tensor,   ///< an n-d array with a lazy reader
    Object,   ///< a Python object (class name in typeName)
    Value,    ///< a scalar, string or small JSON value
    Archive,  ///< a nested file (zip member, .keras inside a pickle); typeName holds its format
};

[[nodiscard]] std::string_view nodeKindName(NodeKind k);

class Node;

/// What a lazy node's child would be, described without making it: enough to print it, match
/// its name, or walk on below it (`key`: its own key when it is a container with members).
struct ChildView {
    NodeKind kind = NodeKind::Value;
    std::string name;
    std::string typeName;
    std::string value;
    std::optional<std::uint64_t> key;
};

/// Makes the children of lazy nodes (see Node::setLazy) when they are first asked for. One
/// source serves a whole tree; its mutex serialises the making, so that a tree may be read
/// from several threads. A lazy node's subtree holds only Group and Value nodes (no tensors,
/// objects or archives): walkers looking for those may skip it (Node::lazy()).
class ChildSource {
public:
    virtual ~ChildSource() = default;
    /// Number of children of the node whose key is `key`.
    [[nodiscard]] virtual std::size_t childCount(std::uint64_t key) const = 0;
    /// Makes child `i` of the node whose key is `key` (its parent is set by the caller).
    [[nodiscard]] virtual std::unique_ptr<Node> makeChild(std::uint64_t key,
                                                          std::size_t i) const = 0;
    /// Nodes below the node whose key is `key`, itself included, made or not.
    [[nodiscard]] virtual std::size_t subtreeSize(std::uint64_t key) const = 0;
    /// Child `i` of the node whose key is `key`, described without making it (the same name,
    /// kind, type and value makeChild gives it).
    [[nodiscard]] virtual ChildView describeChild(std::uint64_t key, std::size_t i) const = 0;

private:
    friend class Node;
    mutable std::mutex m_mutex;
};

/// One node of the tree. Owns its children; `parent()` is null for the root. A lazy node
/// (setLazy) knows its child count up front and makes each child when it is first asked for
/// (child(i) makes that one, children() makes all); paths, names and contents are the same
/// as if they had been made at once.
class Node {
public:
    Node(NodeKind kind, std::string name);
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    [[nodiscard]] NodeKind kind() const { return m_kind; }
    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] Node* parent() const { return m_parent; }

    /// Path from the root, names joined with '/'; the root's path is "".
    [[nodiscard]] std::string path() const;

    /// All children (a lazy node makes those not made yet).
    [[nodiscard]] const std::vector<std::unique_ptr<Node>>& children() const;
    [[nodiscard]] std::size_t childCount() const {
        return m_lazy ? m_lazy->childCount(m_lazyKey) : m_children.size();
    }
    /// Child `i` < childCount() (a lazy node makes it if needed, and only it).
    [[nodiscard]] Node* child(std::size_t i) const;
    /// Index of this node in its parent's children; 0 for the root.
    [[nodiscard]] std::size_t row() const { return m_row; }

    /// Appends `child` and returns it.
    Node& addChild(std::unique_ptr<Node> child);
    /// Convenience: creates and appends a child.
    Node& addChild(NodeKind kind, std::string name);
    /// Direct child by name, or null.
    [[nodiscard]] Node* findChild(std::string_view name) const;
    /// Descendant by '/'-separated path relative to this node, or null.
    [[nodiscard]] Node* find(std::string_view path) const;

    /// Attributes (HDF5 attributes, object members' summaries, ...).
    [[nodiscard]] Json& attributes() { return m_attributes; }
    [[nodiscard]] const Json& attributes() const { return m_attributes; }

    /// Object: "module.qualname"; Archive: the nested format id; Value: the value's type.
    [[nodiscard]] const std::string& typeName() const { return m_typeName; }
    void setTypeName(std::string t) { m_typeName = std::move(t); }

    /// Value nodes: a short text form of the value.
    [[nodiscard]] const std::string& value() const { return m_value; }
    void setValue(std::string v) { m_value = std::move(v); }

    /// Tensor nodes: the tensor; null for other kinds.
    [[nodiscard]] const std::shared_ptr<Tensor>& tensor() const { return m_tensor; }
    void setTensor(std::shared_ptr<Tensor> t) { m_tensor = std::move(t); }

    /// Number of nodes in this subtree, this node included (lazy parts counted, not made).
    [[nodiscard]] std::size_t subtreeSize() const;

    /// Makes this node lazy: its `childCount` children come from `source` (key `key`) when
    /// asked for. Only for a node without children.
    void setLazy(std::shared_ptr<const ChildSource> source, std::uint64_t key);
    /// True when the children come from a ChildSource: the subtree holds only groups and
    /// values, so walkers after tensors, objects or archives may skip it without making it.
    [[nodiscard]] bool lazy() const { return m_lazy != nullptr; }
    /// Lazy nodes: child `i` described without making it (made or not).
    [[nodiscard]] ChildView describeChild(std::size_t i) const;
    /// What a visitor of a lazy subtree asks next.
    enum class Visit : std::uint8_t { Descend, Skip, Stop };
    /// Lazy nodes: visits the subtree below child `i` (child `i` excluded) depth-first in tree
    /// order without making any node: `visit(view, path, depth)` gets each node's view, its path
    /// (`childPath` + "/" + names) and its depth below child `i` (1: its children), and says
    /// whether to descend into it, skip its subtree or stop. Iterative; makes nothing.
    void visitBelowChild(
        std::size_t i, const std::string& childPath,
        const std::function<Visit(const ChildView&, const std::string&, std::size_t)>& visit) const;
    /// Makes this node share `other`'s lazy children (a copy of a lazy subtree costs nothing
    /// until it is shown); false when `other` is not lazy.
    bool shareLazyChildren(const Node& other);

    /// A grouping added for display (a module of dotted tensor keys, see module_groups.h): its
    /// name is not part of its descendants' paths, so every path stays as the file has it, and
    /// find() looks through it.
    [[nodiscard]] bool transparent() const { return m_transparent; }
    void setTransparent(bool on) { m_transparent = on; }
    /// Removes and returns the children, in order (their parent is reset); addChild() them back.
    /// A lazy node makes them all first and is no longer lazy.
    [[nodiscard]] std::vector<std::unique_ptr<Node>> takeChildren();

private:
    NodeKind m_kind;
    std::string m_name;
    Node* m_parent = nullptr;
    std::size_t m_row = 0;
    std::vector<std::unique_ptr<Node>> m_children;
    Json m_attributes = Json::object();
    std::string m_typeName;
    std::string m_value;
    std::shared_ptr<Tensor> m_tensor;
    bool m_transparent = false;
    /// Lazy nodes: where the children come from; m_children is sized at the first access,
    /// with null entries for children not made yet.
    std::shared_ptr<const ChildSource> m_lazy;
    std::uint64_t m_lazyKey = 0;
    bool m_allMade = false;
    /// Sizes m_children and makes [from, to) where null; under m_lazy's mutex.
    void makeChildren(std::size_t from, std::size_t to) const;
};

}  // namespace ckpt::core
