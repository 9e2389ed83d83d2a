#include "ui/panels/tree_panel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include "ui/models/checkpoint_tree_model.h"
#include "ui/widgets/name_elide_delegate.h"

namespace ckpt::ui {

namespace {
constexpr int kMaxExpandedMatches = 400;
constexpr int kMinOtherColumn = 44;  ///< Type, Shape and Size never get narrower than this
}  // namespace

TreePanel::TreePanel(CheckpointTreeModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_filter(new QLineEdit(this)),
      m_matches(new QLabel(this)),
      m_view(new QTreeView(this)),
      m_filterTimer(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    m_filter->setPlaceholderText(tr("Filter by name, or by path with a '/'  (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setObjectName(QStringLiteral("treeFilter"));
    auto* filterRow = new QHBoxLayout;
    filterRow->setContentsMargins(4, 4, 4, 0);
    filterRow->addWidget(m_filter, 1);
    m_matches->setForegroundRole(QPalette::PlaceholderText);
    filterRow->addWidget(m_matches);
    layout->addLayout(filterRow);

    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("checkpointTree"));
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setFrameShape(QFrame::NoFrame);
    // Sibling names often differ only at the end (bn1.running_mean, bn1.running_var) or share a
    // long prefix (PEFT keys): keep both ends visible.
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->setItemDelegateForColumn(CheckpointTreeModel::NameColumn,
                                     new NameElideDelegate(m_view));
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setMinimumSectionSize(kMinOtherColumn);
    for (int col = 0; col < CheckpointTreeModel::ColumnCount; ++col) {
        header->setSectionResizeMode(col, QHeaderView::Interactive);
    }
    header->resizeSection(CheckpointTreeModel::TypeColumn, m_wanted[1]);
    header->resizeSection(CheckpointTreeModel::ShapeColumn, m_wanted[2]);
    header->resizeSection(CheckpointTreeModel::SizeColumn, m_wanted[3]);
    m_view->viewport()->installEventFilter(this);
    // A column the user drags becomes the width it wants; the name column takes the rest.
    connect(header, &QHeaderView::sectionResized, this, [this](int col, int, int size) {
        if (!m_fitting && col > CheckpointTreeModel::NameColumn &&
            col < CheckpointTreeModel::ColumnCount) {
            m_wanted[col] = size;
            fitColumns();
        }
    });
    layout->addWidget(m_view, 1);

    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this, &TreePanel::applyFilter);
    connect(m_filter, &QLineEdit::returnPressed, this, &TreePanel::applyFilter);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { emit currentChanged(current); });
    connect(m_view, &QTreeView::customContextMenuRequested, this, &TreePanel::showContextMenu);
}

QModelIndex TreePanel::currentIndex() const {
    return m_view->currentIndex();
}

void TreePanel::select(const QModelIndex& index) {
    if (!index.isValid()) {
        return;
    }
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent()) {
        m_view->expand(p);
    }
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

void TreePanel::revealDocument(int row) {
    const QModelIndex doc = m_model->documentIndex(row);
    if (!doc.isValid()) {
        return;
    }
    m_view->expand(doc);
    // A Keras file's interesting part sits one level down (model_weights/...).
    if (m_model->canFetchMore(doc)) {
        m_model->fetchMore(doc);
    }
    if (m_model->rowCount(doc) <= 3) {
        for (int r = 0; r < m_model->rowCount(doc); ++r) {
            const QModelIndex child = m_model->index(r, 0, doc);
            if (m_model->hasChildren(child) && m_model->node(child) != nullptr) {
                m_view->expand(child);
            }
        }
    }
    // The other columns fit their content (capped); the name column takes the rest.
    const std::pair<int, int> caps[] = {{CheckpointTreeModel::TypeColumn, 96},
                                        {CheckpointTreeModel::ShapeColumn, 104},
                                        {CheckpointTreeModel::SizeColumn, 76}};
    m_fitting = true;  // the content sizes below are measurements, not the user's choice
    for (const auto& [col, cap] : caps) {
        m_view->resizeColumnToContents(col);
        m_wanted[col] = std::clamp(m_view->header()->sectionSize(col) + 6, kMinOtherColumn, cap);
    }
    m_fitting = false;
    fitColumns();
}

int TreePanel::minimumNameWidth() const {
    // Room for about 22 characters: "bn1.running_mean" and a prefix stay readable.
    return m_view->fontMetrics().averageCharWidth() * 22 + m_view->indentation() * 2 + 24;
}

void TreePanel::fitColumns() {
    if (m_fitting) {
        return;
    }
    m_fitting = true;
    QHeaderView* header = m_view->header();
    const int available = m_view->viewport()->width();
    const int minName = minimumNameWidth();
    // Too narrow for the name and three columns: the Type column goes first (the icon tells
    // the kind too); the user can still widen the pane to bring it back.
    const bool dropType = available < minName + 3 * kMinOtherColumn;
    m_view->setColumnHidden(CheckpointTreeModel::TypeColumn, dropType);
    int others = 0;
    for (int col = dropType ? 2 : 1; col < CheckpointTreeModel::ColumnCount; ++col) {
        others += m_wanted[col];
    }
    // Shrink the other columns (in proportion, down to a floor) before the name goes below its
    // minimum.
    const int shown = dropType ? 2 : 3;
    const int room = std::max(available - minName, shown * kMinOtherColumn);
    const double scale = others > room ? static_cast<double>(room) / others : 1.0;
    int widths[CheckpointTreeModel::ColumnCount] = {};
    int used = 0;
    for (int col = dropType ? 2 : 1; col < CheckpointTreeModel::ColumnCount; ++col) {
        widths[col] = std::max(kMinOtherColumn, static_cast<int>(m_wanted[col] * scale));
        used += widths[col];
    }
    // The floors may have rounded the sum above the room: take it back from the widest.
    for (int excess = used - room; excess > 0;) {
        int widest = 0;
        for (int col = 1; col < CheckpointTreeModel::ColumnCount; ++col) {
            widest = widths[col] > widths[widest] ? col : widest;
        }
        const int cut = std::min(excess, widths[widest] - kMinOtherColumn);
        if (widest == 0 || cut <= 0) {
            break;
        }
        widths[widest] -= cut;
        used -= cut;
        excess -= cut;
    }
    for (int col = dropType ? 2 : 1; col < CheckpointTreeModel::ColumnCount; ++col) {
        header->resizeSection(col, widths[col]);
    }
    header->resizeSection(CheckpointTreeModel::NameColumn, std::max(minName, available - used));
    m_fitting = false;
}

bool TreePanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) {
        fitColumns();
    }
    return QWidget::eventFilter(watched, event);
}

void TreePanel::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void TreePanel::applyFilter() {
    m_filterTimer->stop();
    const QModelIndex current = m_view->currentIndex();
    const int doc = m_model->documentRowOf(current);
    const std::string path = current.data(CheckpointTreeModel::PathRole).toString().toStdString();
    m_model->setFilterText(m_filter->text());
    if (m_model->filterText().isEmpty()) {
        m_matches->clear();
        for (int r = 0; r < m_model->documentCount(); ++r) {
            m_view->expand(m_model->documentIndex(r));
        }
    } else {
        m_matches->setText(m_model->filterMatchCount() == 1
                               ? tr("1 match")
                               : tr("%1 matches").arg(m_model->filterMatchCount()));
        expandMatches();
    }
    if (doc >= 0) {
        const QModelIndex again = m_model->indexForPath(doc, path);
        if (again.isValid()) {
            select(again);
        }
    }
}

void TreePanel::expandMatches() {
    // Breadth-first over the filtered tree, expanding until enough rows are visible.
    std::vector<QModelIndex> queue;
    for (int r = 0; r < m_model->documentCount(); ++r) {
        queue.push_back(m_model->documentIndex(r));
    }
    int shown = 0;
    for (std::size_t i = 0; i < queue.size() && shown < kMaxExpandedMatches; ++i) {
        const QModelIndex idx = queue[i];
        if (!m_model->hasChildren(idx)) {
            continue;
        }
        while (m_model->canFetchMore(idx) && m_model->rowCount(idx) < kMaxExpandedMatches) {
            m_model->fetchMore(idx);
        }
        m_view->expand(idx);
        const int n = m_model->rowCount(idx);
        shown += n;
        for (int r = 0; r < n; ++r) {
            queue.push_back(m_model->index(r, 0, idx));
        }
    }
}

void TreePanel::showContextMenu(const QPoint& pos) {
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    QMenu menu(this);
    const QString path = index.data(CheckpointTreeModel::PathRole).toString();
    if (!path.isEmpty()) {
        menu.addAction(tr("Copy Path"), this, [path] { QApplication::clipboard()->setText(path); });
    }
    menu.addAction(tr("Copy Name"), this, [index] {
        QApplication::clipboard()->setText(
            index.siblingAtColumn(CheckpointTreeModel::NameColumn).data().toString());
    });
    if (m_model->hasChildren(index)) {
        menu.addSeparator();
        menu.addAction(tr("Expand Children"), this, [this, index] {
            while (m_model->canFetchMore(index)) {
                m_model->fetchMore(index);
            }
            m_view->expandRecursively(index, 2);
        });
        menu.addAction(tr("Collapse"), this, [this, index] { m_view->collapse(index); });
    }
    if (!index.parent().isValid()) {
        menu.addSeparator();
        const int row = index.row();
        menu.addAction(tr("Close File"), this, [this, row] { emit closeDocumentRequested(row); });
    }
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

}  // namespace ckpt::ui
