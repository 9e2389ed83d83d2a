#pragma once
// The left side: a filter box over the checkpoint tree. Filtering runs inside the model (over
// all nodes, fetched or not); matches are expanded and the selection survives a new filter.

#include <QModelIndex>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;
class QTreeView;

namespace ckpt::ui {

class CheckpointTreeModel;

class TreePanel : public QWidget {
    Q_OBJECT

public:
    explicit TreePanel(CheckpointTreeModel* model, QWidget* parent = nullptr);

    [[nodiscard]] QTreeView* view() const { return m_view; }
    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    [[nodiscard]] QModelIndex currentIndex() const;

    /// Makes `index` current and selected, expanding its ancestors and scrolling to it.
    void select(const QModelIndex& index);
    /// Expands document `row` and sizes the columns to what is visible.
    void revealDocument(int row);
    void focusFilter();
    /// Applies the filter now instead of after the typing pause.
    void applyFilter();

signals:
    void currentChanged(const QModelIndex& index);
    void closeDocumentRequested(int row);

private:
    void expandMatches();
    void showContextMenu(const QPoint& pos);

    CheckpointTreeModel* m_model;
    QLineEdit* m_filter;
    QLabel* m_matches;
    QTreeView* m_view;
    QTimer* m_filterTimer;
};

}  // namespace ckpt::ui
