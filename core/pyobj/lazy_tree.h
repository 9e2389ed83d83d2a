#pragma once
/// The lazy part of the object tree (issue 15): plain subtrees of a value graph (dicts, lists,
/// tuples and sets holding only scalars and such containers, each held once) become nodes whose
/// children are made when they are first asked for, from the graph, which the checkpoint keeps.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/node.h"
#include "core/pickle/value.h"
#include "core/pyobj/recognitions.h"
#include "core/util/block_pool.h"

namespace ckpt::core::pyobj {

/// The type name a builtin value shows ("int", "dict", "NoneType").
[[nodiscard]] std::string treeTypeName(pickle::ValueKind k);
/// The type name a plain container or scalar shows ("list" for builtins.list() + APPENDS).
[[nodiscard]] std::string plainTypeName(const pickle::ValueGraph& g, pickle::ValueId id);
/// A dict key as a path segment: a str as itself ('' when empty), an int in decimal, others
/// in Python repr.
[[nodiscard]] std::string treeKeyName(const pickle::ValueGraph& g, pickle::ValueId key);
/// A value's short text (Value nodes), at most about `maxChars` characters of a string.
[[nodiscard]] std::string treeValueText(const pickle::ValueGraph& g, pickle::ValueId id,
                                        std::size_t maxChars);

/// Which containers of a graph are plain subtrees, their sizes and heights; one pass over the
/// graph, 6 bytes per value, iterative.
class PlainSubtrees {
public:
    PlainSubtrees(const pickle::ValueGraph& g, const Recognitions& r);
    /// Nodes the subtree of container `id` shows, itself included; 0 when it is not plain.
    [[nodiscard]] std::size_t size(pickle::ValueId id) const;
    /// Levels of the subtree (1: a container of scalars), at most 255.
    [[nodiscard]] std::size_t height(pickle::ValueId id) const;

private:
    ZeroedArray<std::uint32_t> m_size;  ///< 0 unknown, kOpen, kNotPlain, else the size
    ZeroedArray<std::uint8_t> m_height;
};

/// The ChildSource of plain subtrees; keys are value ids of plain containers.
class PlainChildren : public ChildSource, public std::enable_shared_from_this<PlainChildren> {
public:
    PlainChildren(std::shared_ptr<const pickle::ValueGraph> graph, std::size_t maxValueChars);

    [[nodiscard]] std::size_t childCount(std::uint64_t key) const override;
    [[nodiscard]] std::unique_ptr<Node> makeChild(std::uint64_t key, std::size_t i) const override;
    [[nodiscard]] std::size_t subtreeSize(std::uint64_t key) const override;
    [[nodiscard]] ChildView describeChild(std::uint64_t key, std::size_t i) const override;

    /// Makes `node` (a Group for container `id`) lazy, unless `id` has no members.
    void attach(Node& node, pickle::ValueId id) const;

private:
    /// Child `i` of container `key`; `member` (when given) receives the child's value id.
    [[nodiscard]] ChildView view(std::uint64_t key, std::size_t i, pickle::ValueId* member) const;

    std::shared_ptr<const pickle::ValueGraph> m_graph;
    std::size_t m_maxValueChars;
};

}  // namespace ckpt::core::pyobj
