#pragma once
// The open checkpoints as one tree: each document is a top-level row over its core::Node tree.
// Children are exposed lazily in batches (canFetchMore/fetchMore), so a group with 10,000
// members costs one batch until the user scrolls. A name/path filter is applied inside the
// model, over the whole core tree, so it also finds nodes that were never fetched. Nodes that
// validator findings name carry a severity mark (icon dot, tooltip, FindingSeverityRole), their
// ancestors a lighter "contains findings" mark (ContainsFindingsRole).

#include <QAbstractItemModel>
#include <QString>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ui/models/finding_marks.h"
#include "ui/models/node_filter.h"

namespace ckpt::core {
class Checkpoint;
class Node;
struct ValidationReport;
}  // namespace ckpt::core

namespace ckpt::ui {

/// Shares each document's checkpoint; an index's internal pointer is its core::Node.
class CheckpointTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    /// Name (a document's title), type (a document's format id), shape or value, size (a document's
    /// file size, else the bytes of the tensors at or below the node).
    enum Column { NameColumn, TypeColumn, ShapeColumn, SizeColumn, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole,  ///< QString: the node's path inside its checkpoint
        KindRole,                 ///< int: core::NodeKind, or -1 for a document row
        DocumentRowRole,          ///< int: row of the document the index belongs to
        SortRole,                 ///< numeric value for the Size column, text otherwise
        FindingSeverityRole,      ///< int core::Severity of the findings on the node, or null
        FindingCountRole,         ///< int: findings located on the node
        ContainsFindingsRole,     ///< int core::Severity of the findings below it, or null
    };
    /// Children exposed per fetchMore call.
    static constexpr int kBatchSize = 256;

    explicit CheckpointTreeModel(QObject* parent = nullptr);
    ~CheckpointTreeModel() override;

    /// Appends an opened checkpoint as a top-level row; returns its row.
    int addDocument(std::shared_ptr<core::Checkpoint> checkpoint, const QString& path,
                    const QString& title);
    /// Replaces the checkpoint of document `row` (reload), keeping its place.
    void replaceDocument(int row, std::shared_ptr<core::Checkpoint> checkpoint);
    /// Removes document `row`; an invalid row is ignored.
    void removeDocument(int row);
    /// The open documents: their number, and per row the checkpoint, the path it was opened from
    /// and its title (null or empty for an invalid row).
    [[nodiscard]] int documentCount() const { return static_cast<int>(m_docs.size()); }
    [[nodiscard]] const std::shared_ptr<core::Checkpoint>& checkpoint(int row) const;
    [[nodiscard]] QString documentPath(int row) const;
    [[nodiscard]] QString documentTitle(int row) const;
    /// Row of the document opened from `path`, or -1.
    [[nodiscard]] int findDocument(const QString& path) const;
    /// Row of the document that `index` belongs to, or -1 for an invalid index.
    [[nodiscard]] int documentRowOf(const QModelIndex& index) const;
    /// The top-level index of document `row`, or invalid.
    [[nodiscard]] QModelIndex documentIndex(int row) const;

    /// The core node behind `index` (a document row gives its checkpoint's root), or null.
    [[nodiscard]] const core::Node* node(const QModelIndex& index) const;
    /// The index of the node at `path` in document `row`, fetching the batches on the way;
    /// invalid when there is no such node or the filter hides it.
    [[nodiscard]] QModelIndex indexForPath(int row, const std::string& path);

    /// Marks the nodes that `report`'s findings name in the document holding `checkpoint` (no
    /// document holds it: nothing happens; a null report clears the marks).
    void setFindings(const std::shared_ptr<const core::Checkpoint>& checkpoint,
                     const std::shared_ptr<const core::ValidationReport>& report);
    /// The marks of document `row`, or null before its findings arrived.
    [[nodiscard]] const FindingMarks* findingMarks(int row) const;

    /// Shows only nodes whose name (or path, when `text` holds a '/') contains `text`, case
    /// insensitively, with their ancestors and descendants. An empty text shows everything.
    void setFilterText(const QString& text);
    /// The filter text in use (trimmed; empty without a filter).
    [[nodiscard]] const QString& filterText() const { return m_filter.text(); }
    /// Nodes that matched the filter (0 without a filter).
    [[nodiscard]] std::size_t filterMatchCount() const { return m_filter.matchCount(); }

public:  // QAbstractItemModel API
    /// QAbstractItemModel: children are exposed kBatchSize at a time through fetchMore(), so
    /// rowCount() counts the fetched ones and hasChildren() all that the filter shows.
    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex& parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] bool hasChildren(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex& index) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

private:
    struct Document {
        std::shared_ptr<core::Checkpoint> checkpoint;
        QString path;
        QString title;
        std::shared_ptr<const FindingMarks> marks;
    };

    [[nodiscard]] const core::Node* nodeOf(const QModelIndex& index) const;
    /// Row of `n` under its parent as shown (documents: their row), or -1 when hidden.
    [[nodiscard]] int visibleRow(const core::Node* n) const;
    [[nodiscard]] int fetchedCount(const core::Node* n) const;
    [[nodiscard]] std::uint64_t subtreeBytes(const core::Node* n) const;
    void fetchUpTo(const QModelIndex& parent, int row);
    void forgetDocumentState(const core::Node* root);
    void reindexDocuments();
    [[nodiscard]] QVariant displayData(const core::Node* n, int column, bool isDoc,
                                       const Document* doc) const;
    [[nodiscard]] QString toolTip(const core::Node* n, const Document* doc) const;
    [[nodiscard]] const NodeMarks* marksOf(const core::Node* n) const;
    /// The index of `n` in column 0 if the view can see it (fetched, not filtered), else invalid.
    [[nodiscard]] QModelIndex exposedIndex(const core::Node* n) const;

    std::vector<Document> m_docs;
    std::unordered_map<const core::Node*, int> m_docRow;   ///< root node -> document row
    std::unordered_map<const core::Node*, int> m_fetched;  ///< parent -> children exposed
    mutable std::unordered_map<const core::Node*, std::uint64_t> m_bytesCache;

    NodeFilter m_filter;
    bool m_changing = false;  ///< inside a begin/end pair: no fetchMore
};

}  // namespace ckpt::ui
