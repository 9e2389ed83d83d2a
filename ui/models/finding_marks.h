#pragma once
// The validator's findings laid onto a checkpoint's tree: each finding is located on a node
// (core::locateFinding maps `<root>.lock`, `model_config/layers[2]` and tensor paths to nodes),
// that node gets a severity mark and the findings' text, and every ancestor a lighter
// "contains findings" mark so a collapsed branch still shows where to look.

#include <QIcon>
#include <QString>
#include <QStringList>
#include <memory>
#include <unordered_map>

namespace ckpt::core {
class Checkpoint;
class Node;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

/// The marks of one node.
struct NodeMarks {
    int own = -1;         ///< most severe core::Severity of the findings on the node, -1: none
    int ownCount = 0;     ///< findings located on the node
    int inside = -1;      ///< most severe core::Severity of the findings below it, -1: none
    int insideCount = 0;  ///< findings below it
    QStringList lines;    ///< "error CKPT-U001: message" per finding on the node (rich text)
};

/// The marks of every node that a report's findings (and their parts) name or contain; immutable
/// once computed.
class FindingMarks {
public:
    /// Locates every finding of `report` in `checkpoint`'s tree.
    [[nodiscard]] static std::shared_ptr<const FindingMarks> compute(
        const core::Checkpoint& checkpoint, const core::ValidationReport& report);

    /// The marks of `node`, or null when no finding is on it or below it.
    [[nodiscard]] const NodeMarks* at(const core::Node* node) const;
    /// Every marked node with its marks.
    [[nodiscard]] const std::unordered_map<const core::Node*, NodeMarks>& all() const {
        return m_marks;
    }

    /// `base` with a severity dot in its lower right corner: filled for findings on the node,
    /// a light ring for findings inside it.
    [[nodiscard]] static QIcon decorate(const QIcon& base, const NodeMarks& marks);
    /// The tooltip lines for `marks` (an HTML fragment), appended to the node's own tooltip.
    [[nodiscard]] static QString toolTip(const NodeMarks& marks);

private:
    std::unordered_map<const core::Node*, NodeMarks> m_marks;
};

}  // namespace ckpt::ui
