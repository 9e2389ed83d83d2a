#pragma once
// Which nodes of checkpoint trees a name/path filter lets through. A node is shown when it
// matches (then its whole subtree is shown too) or when one of its descendants matches.
// Computed once per filter text over the whole core tree, fetched by a view or not; lazy
// subtrees (plain pickled data) are searched through their descriptions and only the matches
// and the nodes above them are made.

#include <QString>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ckpt::core {
class Node;
}

namespace ckpt::ui {

/// The filter of CheckpointTreeModel: the text and, per node, which children it lets through.
/// Results are keyed by node pointer: forget() a tree before it is destroyed.
class NodeFilter {
public:
    /// Sets the text (trimmed) and forgets all results; returns false when it did not change.
    /// Matching is case-insensitive, on the node name, or on the path when the text has a '/'.
    bool setText(const QString& text);
    /// The text in use (trimmed); active() while it is not empty.
    [[nodiscard]] const QString& text() const { return m_text; }
    [[nodiscard]] bool active() const { return !m_text.isEmpty(); }
    /// Evaluates the filter over the tree under `root` (a checkpoint's root node).
    void addTree(const core::Node* root);
    /// Drops the results for nodes for which `belongs` holds (a tree about to be destroyed).
    void forget(const std::function<bool(const core::Node*)>& belongs);
    /// Nodes that matched, over all trees added.
    [[nodiscard]] std::size_t matchCount() const { return m_matchCount; }

    /// Children of `n` that are shown (all of them when the filter is inactive).
    [[nodiscard]] std::size_t visibleChildCount(const core::Node* n) const;
    /// The `i`-th shown child of `n`, or null.
    [[nodiscard]] const core::Node* visibleChild(const core::Node* n, std::size_t i) const;
    /// Row of non-root node `n` among its parent's shown children, or -1 when hidden.
    [[nodiscard]] int visibleRow(const core::Node* n) const;

private:
    bool walk(const core::Node* n, const std::string& parentPath);
    /// True when child `i` of lazy node `n`, or a node below it, matches (nothing is made).
    [[nodiscard]] bool lazyChildHasMatch(const core::Node* n, std::size_t i,
                                         const std::string& parentPath) const;
    [[nodiscard]] bool inPassAll(const core::Node* n) const;

    QString m_text;
    std::string m_lower;
    bool m_byPath = false;
    std::size_t m_matchCount = 0;
    std::unordered_set<const core::Node*> m_passAll;  ///< matched: whole subtree shown
    std::unordered_map<const core::Node*, std::vector<std::uint32_t>> m_visibleChildren;
    std::unordered_map<const core::Node*, int> m_visibleRow;
};

}  // namespace ckpt::ui
