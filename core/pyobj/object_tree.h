#pragma once
/// Turns a value graph into the checkpoint's node tree: Python objects become Object nodes
/// (typeName "module.qualname") with their members as children, containers become Groups,
/// recognised tensors and nested archives appear in place. Paths join dict keys, attribute names
/// and item indexes with '/': `state_dict/fc1.weight`, `steps/0/1/mean_`, `tree_/<arg1>`.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/pickle/value.h"
#include "core/pyobj/recognitions.h"
#include "core/util/limits.h"

namespace ckpt::core {
class Node;
}

namespace ckpt::core::pyobj {

class PlainSubtrees;
class PlainChildren;

struct TreeLimits {
    /// Nodes in all, made at once or on demand (limit "object-tree-nodes"); cut past it.
    std::size_t maxNodes = limits().objectTreeNodes;
    /// Nodes made when the tree is built (limit "object-tree-eager"): objects, calls and
    /// what they hold; plain subtrees past it are made on demand, other values are cut.
    std::size_t maxEagerNodes = limits().objectTreeEager;
    std::size_t maxDepth = 200;       ///< levels below the root; deeper values are elided
    std::size_t maxValueChars = 120;  ///< text shown for one scalar or string value
    /// Plain subtrees of at least this many nodes are made on demand (see lazy_tree.h).
    std::size_t lazyFrom = 256;
};

/// Builds the tree of one graph. A value met a second time (memo sharing, cycles) becomes a
/// Value node of typeName "reference" whose value is "→ <path of the first>". Iterative.
class ObjectTreeBuilder {
public:
    ObjectTreeBuilder(const pickle::ValueGraph& graph, const Recognitions& recognitions,
                      TreeLimits limits = {});
    ~ObjectTreeBuilder();

    /// Lets plain subtrees (dicts, lists, tuples and sets of scalars and such containers,
    /// each held once) become lazy nodes that make their children from `graph` (the graph this
    /// builder reads, kept alive by the nodes) when asked for. Call before build().
    void enableLazy(std::shared_ptr<const pickle::ValueGraph> graph);

    /// Adds the members of value `root` under `parent`, which takes the root's type name. A
    /// root that has no members (a tensor, a scalar) becomes one child named `rootName`.
    /// Several roots (pickles back to back) share one builder, so that values are shown once.
    void build(pickle::ValueId root, Node& parent, const std::string& rootName = "");
    /// Adds value `root` as one child of `parent` named `name`, whatever its kind.
    void buildChild(pickle::ValueId root, Node& parent, const std::string& name);

    /// Limits that were hit ("the object tree was cut at 1000000 nodes").
    [[nodiscard]] const std::vector<std::string>& warnings() const { return m_warnings; }
    /// Nodes of the tree, those made on demand included.
    [[nodiscard]] std::size_t nodeCount() const { return m_nodes; }
    /// Nodes made by the builder (the others are made on demand).
    [[nodiscard]] std::size_t eagerNodeCount() const { return m_eager; }

private:
    struct Member {
        std::string name;
        pickle::ValueId id;
    };
    struct Shape;

    void run(pickle::ValueId root, Node& parent, const std::string& rootName, bool intoParent);
    /// Appends "#2", "#3"... to repeated member names (the first keeps its name).
    static void numberRepeatedNames(std::vector<Member>& members);
    [[nodiscard]] static bool namesRepeat(const std::vector<Member>& members);
    [[nodiscard]] Shape shapeOf(pickle::ValueId id);
    void addMember(std::vector<Member>& members, Member m) const;
    void noteElided(Node& node);
    void noteCut();
    /// Adds `id` as a lazy node when it is a plain subtree that should be; true then.
    [[nodiscard]] bool addLazy(pickle::ValueId id, Node& parent, const std::string& name,
                               std::size_t depth);
    void addStateMembers(pickle::ValueId state, std::vector<Member>& members) const;
    void addEntries(pickle::ValueId id, std::vector<Member>& members) const;
    [[nodiscard]] bool addModuleMembers(pickle::ValueId module, std::vector<Member>& members) const;
    [[nodiscard]] std::string className(pickle::ValueId cls) const;
    [[nodiscard]] std::string keyName(pickle::ValueId key) const;
    [[nodiscard]] std::string valueText(pickle::ValueId id) const;
    [[nodiscard]] bool referenceable(pickle::ValueId id) const;

    const pickle::ValueGraph& m_graph;
    const Recognitions& m_recognitions;
    TreeLimits m_limits;
    std::unordered_map<pickle::ValueId, Node*> m_seen;
    std::vector<std::string> m_warnings;
    std::size_t m_nodes = 0;
    std::size_t m_eager = 0;
    std::unique_ptr<PlainSubtrees> m_plain;
    std::shared_ptr<PlainChildren> m_lazy;
    std::size_t m_room = 0;            ///< members the current value may still add
    mutable std::size_t m_elided = 0;  ///< members of the current value left out
    bool m_cutWarned = false;
};

/// Copies the tree under `from` (children, attributes, tensors shared) below `to`.
void copyTree(const Node& from, Node& to);

}  // namespace ckpt::core::pyobj
