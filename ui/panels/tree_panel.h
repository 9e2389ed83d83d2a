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

/// Shows the session's CheckpointTreeModel, which it does not own.
class TreePanel : public QWidget {
    Q_OBJECT

public:
    /// `model` must outlive the panel.
    explicit TreePanel(CheckpointTreeModel* model, QWidget* parent = nullptr);

    /// The tree view and the filter box, for tests and wiring.
    [[nodiscard]] QTreeView* view() const { return m_view; }
    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    /// The view's current index, or invalid.
    [[nodiscard]] QModelIndex currentIndex() const;

    /// Makes `index` current and selected, expanding its ancestors and scrolling to it.
    void select(const QModelIndex& index);
    /// Expands document `row` and sizes the columns to what is visible.
    void revealDocument(int row);
    /// Puts the focus in the filter box and selects its text.
    void focusFilter();
    /// Applies the filter now instead of after the typing pause.
    void applyFilter();
    /// Narrowest the name column gets while the panel is wide enough for it (the other columns
    /// shrink first; below that the view scrolls sideways).
    [[nodiscard]] int minimumNameWidth() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

signals:
    /// The view's current index changed to `index` (invalid when there is none).
    void currentChanged(const QModelIndex& index);
    /// The user chose Close File in the context menu of document `row`.
    void closeDocumentRequested(int row);

private:
    void expandMatches();
    void showContextMenu(const QPoint& pos);
    /// Shares the viewport's width: Type, Shape and Size get what their content needs (capped),
    /// the name the rest but never less than minimumNameWidth(); when the viewport is too narrow
    /// for both, the other columns give way down to a floor.
    void fitColumns();

    CheckpointTreeModel* m_model;
    QLineEdit* m_filter;
    QLabel* m_matches;
    QTreeView* m_view;
    QTimer* m_filterTimer;
    int m_wanted[4] = {0, 70, 90, 72};  ///< preferred widths of the columns after the name
    bool m_fitting = false;
};

}  // namespace ckpt::ui
