#include "ui/models/checkpoint_tree_model.h"

#include <algorithm>

#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/model/tensor.h"
#include "core/validate/validator.h"
#include "ui/models/node_text.h"
#include "ui/util/format.h"
#include "ui/widgets/node_icons.h"

namespace ckpt::ui {

using core::Node;
using core::NodeKind;

CheckpointTreeModel::CheckpointTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

CheckpointTreeModel::~CheckpointTreeModel() = default;

int CheckpointTreeModel::addDocument(std::shared_ptr<core::Checkpoint> checkpoint,
                                     const QString& path, const QString& title) {
    const int row = documentCount();
    m_changing = true;
    beginInsertRows({}, row, row);
    m_docs.push_back({std::move(checkpoint), path, title});
    m_docRow[&m_docs.back().checkpoint->root()] = row;
    m_filter.addTree(&m_docs.back().checkpoint->root());
    endInsertRows();
    m_changing = false;
    return row;
}

void CheckpointTreeModel::replaceDocument(int row, std::shared_ptr<core::Checkpoint> checkpoint) {
    if (row < 0 || row >= documentCount()) {
        return;
    }
    Document doc = m_docs[static_cast<std::size_t>(row)];
    doc.marks.reset();  // the findings were about the old file
    removeDocument(row);
    m_changing = true;
    beginInsertRows({}, row, row);
    doc.checkpoint = std::move(checkpoint);
    m_docs.insert(m_docs.begin() + row, std::move(doc));
    reindexDocuments();
    m_filter.addTree(&m_docs[static_cast<std::size_t>(row)].checkpoint->root());
    endInsertRows();
    m_changing = false;
}

void CheckpointTreeModel::removeDocument(int row) {
    if (row < 0 || row >= documentCount()) {
        return;
    }
    m_changing = true;
    beginRemoveRows({}, row, row);
    forgetDocumentState(&m_docs[static_cast<std::size_t>(row)].checkpoint->root());
    m_docs.erase(m_docs.begin() + row);
    reindexDocuments();
    endRemoveRows();
    m_changing = false;
}

void CheckpointTreeModel::reindexDocuments() {
    m_docRow.clear();
    for (std::size_t i = 0; i < m_docs.size(); ++i) {
        m_docRow[&m_docs[i].checkpoint->root()] = static_cast<int>(i);
    }
}

void CheckpointTreeModel::forgetDocumentState(const Node* root) {
    // Pointers of a destroyed tree may be reused by the next one: drop every entry keyed by a
    // node of this document.
    const auto belongs = [root](const Node* n) {
        while (n->parent() != nullptr) {
            n = n->parent();
        }
        return n == root;
    };
    std::erase_if(m_fetched, [&](const auto& kv) { return belongs(kv.first); });
    std::erase_if(m_bytesCache, [&](const auto& kv) { return belongs(kv.first); });
    m_filter.forget(belongs);
}

void CheckpointTreeModel::setFindings(const std::shared_ptr<const core::Checkpoint>& checkpoint,
                                      const std::shared_ptr<const core::ValidationReport>& report) {
    for (std::size_t row = 0; row < m_docs.size(); ++row) {
        Document& doc = m_docs[row];
        if (doc.checkpoint != checkpoint) {
            continue;
        }
        std::vector<const Node*> touched;
        const auto collect = [&touched](const std::shared_ptr<const FindingMarks>& m) {
            if (m) {
                for (const auto& [n, _] : m->all()) {
                    touched.push_back(n);
                }
            }
        };
        collect(doc.marks);
        doc.marks = report ? FindingMarks::compute(*doc.checkpoint, *report) : nullptr;
        collect(doc.marks);
        const QList<int> roles{Qt::DecorationRole, Qt::ToolTipRole, FindingSeverityRole,
                               FindingCountRole, ContainsFindingsRole};
        for (const Node* n : touched) {
            const QModelIndex i = exposedIndex(n);
            if (i.isValid()) {
                emit dataChanged(i, i, roles);
            }
        }
    }
}

const FindingMarks* CheckpointTreeModel::findingMarks(int row) const {
    return row >= 0 && row < documentCount() ? m_docs[static_cast<std::size_t>(row)].marks.get()
                                             : nullptr;
}

const NodeMarks* CheckpointTreeModel::marksOf(const Node* n) const {
    const Node* root = n;
    while (root->parent() != nullptr) {
        root = root->parent();
    }
    const auto it = m_docRow.find(root);
    if (it == m_docRow.end()) {
        return nullptr;
    }
    const auto& marks = m_docs[static_cast<std::size_t>(it->second)].marks;
    return marks ? marks->at(n) : nullptr;
}

QModelIndex CheckpointTreeModel::exposedIndex(const Node* n) const {
    const int row = visibleRow(n);
    if (row < 0) {
        return {};
    }
    if (n->parent() != nullptr) {
        const QModelIndex parent = exposedIndex(n->parent());
        if (!parent.isValid() || row >= fetchedCount(n->parent())) {
            return {};
        }
    }
    return createIndex(row, 0, const_cast<Node*>(n));
}

const std::shared_ptr<core::Checkpoint>& CheckpointTreeModel::checkpoint(int row) const {
    static const std::shared_ptr<core::Checkpoint> none;
    return row >= 0 && row < documentCount() ? m_docs[static_cast<std::size_t>(row)].checkpoint
                                             : none;
}

QString CheckpointTreeModel::documentPath(int row) const {
    return row >= 0 && row < documentCount() ? m_docs[static_cast<std::size_t>(row)].path
                                             : QString();
}

QString CheckpointTreeModel::documentTitle(int row) const {
    return row >= 0 && row < documentCount() ? m_docs[static_cast<std::size_t>(row)].title
                                             : QString();
}

int CheckpointTreeModel::findDocument(const QString& path) const {
    for (std::size_t i = 0; i < m_docs.size(); ++i) {
        if (m_docs[i].path == path) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int CheckpointTreeModel::documentRowOf(const QModelIndex& index) const {
    const Node* n = nodeOf(index);
    if (n == nullptr) {
        return -1;
    }
    while (n->parent() != nullptr) {
        n = n->parent();
    }
    const auto it = m_docRow.find(n);
    return it == m_docRow.end() ? -1 : it->second;
}

QModelIndex CheckpointTreeModel::documentIndex(int row) const {
    return index(row, 0, {});
}

const Node* CheckpointTreeModel::node(const QModelIndex& index) const {
    return nodeOf(index);
}

const Node* CheckpointTreeModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<const Node*>(index.internalPointer()) : nullptr;
}

QModelIndex CheckpointTreeModel::indexForPath(int row, const std::string& path) {
    if (row < 0 || row >= documentCount()) {
        return {};
    }
    const Node* root = &m_docs[static_cast<std::size_t>(row)].checkpoint->root();
    const Node* target = path.empty() ? root : root->find(path);
    if (target == nullptr) {
        return {};
    }
    std::vector<const Node*> chain;
    for (const Node* n = target; n != root; n = n->parent()) {
        chain.push_back(n);
    }
    QModelIndex current = documentIndex(row);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        const int r = m_filter.visibleRow(*it);
        if (r < 0) {
            return {};  // hidden by the filter
        }
        fetchUpTo(current, r);
        current = index(r, 0, current);
        if (!current.isValid()) {
            return {};
        }
    }
    return current;
}

void CheckpointTreeModel::fetchUpTo(const QModelIndex& parent, int row) {
    const Node* n = nodeOf(parent);
    if (n == nullptr) {
        return;
    }
    const int have = fetchedCount(n);
    if (row < have) {
        return;
    }
    const int total = static_cast<int>(m_filter.visibleChildCount(n));
    const int want = std::min(total, (row / kBatchSize + 1) * kBatchSize);
    if (want <= have) {
        return;
    }
    // Observers of the insert signals (views, QAbstractItemModelTester) may ask canFetchMore():
    // no nested fetch while this one is in flight.
    m_changing = true;
    beginInsertRows(parent, have, want - 1);
    m_fetched[n] = want;
    endInsertRows();
    m_changing = false;
}

void CheckpointTreeModel::setFilterText(const QString& text) {
    if (text.trimmed() == m_filter.text()) {
        return;
    }
    m_changing = true;
    beginResetModel();
    m_filter.setText(text);
    m_fetched.clear();
    for (const auto& doc : m_docs) {
        m_filter.addTree(&doc.checkpoint->root());
    }
    endResetModel();
    m_changing = false;
}

int CheckpointTreeModel::visibleRow(const Node* n) const {
    if (n->parent() == nullptr) {
        const auto it = m_docRow.find(n);
        return it == m_docRow.end() ? -1 : it->second;
    }
    return m_filter.visibleRow(n);
}

int CheckpointTreeModel::fetchedCount(const Node* n) const {
    const auto it = m_fetched.find(n);
    return it == m_fetched.end() ? 0 : it->second;
}

std::uint64_t CheckpointTreeModel::subtreeBytes(const Node* n) const {
    if (n->kind() == NodeKind::Tensor) {
        return n->tensor() ? n->tensor()->storedBytes() : 0;
    }
    const auto it = m_bytesCache.find(n);
    if (it != m_bytesCache.end()) {
        return it->second;
    }
    std::uint64_t sum = 0;
    if (n->lazy()) {
        return 0;  // plain groups and values only: no tensor bytes
    }
    for (const auto& c : n->children()) {
        sum += subtreeBytes(c.get());
    }
    m_bytesCache[n] = sum;
    return sum;
}

QModelIndex CheckpointTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        if (row >= documentCount()) {
            return {};
        }
        return createIndex(
            row, column,
            const_cast<Node*>(&m_docs[static_cast<std::size_t>(row)].checkpoint->root()));
    }
    const Node* p = nodeOf(parent);
    if (row >= fetchedCount(p)) {
        return {};
    }
    const Node* c = m_filter.visibleChild(p, static_cast<std::size_t>(row));
    return c == nullptr ? QModelIndex() : createIndex(row, column, const_cast<Node*>(c));
}

QModelIndex CheckpointTreeModel::parent(const QModelIndex& child) const {
    const Node* n = nodeOf(child);
    if (n == nullptr || n->parent() == nullptr) {
        return {};
    }
    const Node* p = n->parent();
    return createIndex(visibleRow(p), 0, const_cast<Node*>(p));
}

int CheckpointTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return documentCount();
    }
    if (parent.column() != 0) {
        return 0;
    }
    return fetchedCount(nodeOf(parent));
}

int CheckpointTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

bool CheckpointTreeModel::hasChildren(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return documentCount() > 0;
    }
    return parent.column() == 0 && m_filter.visibleChildCount(nodeOf(parent)) > 0;
}

bool CheckpointTreeModel::canFetchMore(const QModelIndex& parent) const {
    if (m_changing || !parent.isValid() || parent.column() != 0) {
        return false;
    }
    const Node* n = nodeOf(parent);
    return static_cast<std::size_t>(fetchedCount(n)) < m_filter.visibleChildCount(n);
}

void CheckpointTreeModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) {
        return;
    }
    fetchUpTo(parent, fetchedCount(nodeOf(parent)));
}

Qt::ItemFlags CheckpointTreeModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

QVariant CheckpointTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
            case NameColumn:
                return tr("Name");
            case TypeColumn:
                return tr("Type");
            case ShapeColumn:
                return tr("Shape / value");
            case SizeColumn:
                return tr("Size");
            default:
                return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section == SizeColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant CheckpointTreeModel::data(const QModelIndex& index, int role) const {
    const Node* n = nodeOf(index);
    if (n == nullptr) {
        return {};
    }
    const bool isDoc = n->parent() == nullptr;
    const Document* doc = nullptr;
    if (isDoc) {
        const auto it = m_docRow.find(n);
        doc = it == m_docRow.end() ? nullptr : &m_docs[static_cast<std::size_t>(it->second)];
    }
    switch (role) {
        case Qt::DisplayRole:
            return displayData(n, index.column(), isDoc, doc);
        case Qt::DecorationRole: {
            if (index.column() != NameColumn) {
                return {};
            }
            const QIcon icon =
                isDoc ? NodeIcons::document() : NodeIcons::forKind(static_cast<int>(n->kind()));
            const NodeMarks* marks = marksOf(n);
            return marks != nullptr ? FindingMarks::decorate(icon, *marks) : icon;
        }
        case Qt::ToolTipRole: {
            const NodeMarks* marks = marksOf(n);
            return marks != nullptr
                       ? toolTip(n, doc) + QStringLiteral("<hr>") + FindingMarks::toolTip(*marks)
                       : toolTip(n, doc);
        }
        case FindingSeverityRole: {
            const NodeMarks* marks = marksOf(n);
            return marks != nullptr && marks->own >= 0 ? QVariant(marks->own) : QVariant();
        }
        case FindingCountRole: {
            const NodeMarks* marks = marksOf(n);
            return marks != nullptr ? marks->ownCount : 0;
        }
        case ContainsFindingsRole: {
            const NodeMarks* marks = marksOf(n);
            return marks != nullptr && marks->inside >= 0 ? QVariant(marks->inside) : QVariant();
        }
        case Qt::TextAlignmentRole:
            if (index.column() == SizeColumn) {
                return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        case PathRole:
            return fmt::qs(n->path());
        case KindRole:
            return isDoc ? -1 : static_cast<int>(n->kind());
        case DocumentRowRole:
            return documentRowOf(index);
        case SortRole:
            if (index.column() == SizeColumn) {
                return static_cast<qulonglong>(subtreeBytes(n));
            }
            return displayData(n, index.column(), isDoc, doc);
        default:
            return {};
    }
}

QVariant CheckpointTreeModel::displayData(const Node* n, int column, bool isDoc,
                                          const Document* doc) const {
    switch (column) {
        case NameColumn:
            return isDoc && doc != nullptr ? doc->title : fmt::qs(n->name());
        case TypeColumn:
            return isDoc && doc != nullptr ? fmt::qs(doc->checkpoint->format())
                                           : NodeText::type(*n);
        case ShapeColumn:
            return NodeText::shapeOrValue(*n);
        case SizeColumn:
            if (isDoc && doc != nullptr) {
                return fmt::bytes(doc->checkpoint->fileSize());
            }
            if (n->kind() == NodeKind::Tensor || n->childCount() > 0) {
                return fmt::bytes(subtreeBytes(n));
            }
            return {};
        default:
            return {};
    }
}

QString CheckpointTreeModel::toolTip(const Node* n, const Document* doc) const {
    if (doc != nullptr) {
        return QStringLiteral("<b>%1</b><br>%2<br>%3")
            .arg(doc->title.toHtmlEscaped(), fmt::qs(doc->checkpoint->formatDescription()),
                 doc->path.toHtmlEscaped());
    }
    return NodeText::toolTip(*n);
}

}  // namespace ckpt::ui
