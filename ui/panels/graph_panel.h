#pragma once
// The Graph tab: the architecture as a graph laid out by Graphviz (core/graph), drawn by
// GraphView. Search (Ctrl+F while the graph has the focus, Enter for the next match) centres
// the match; a double click folds
// or unfolds a nested model, or opens a layer's first tensor; choosing a node selects its layer
// in the tree, and a layer chosen in the tree is selected here.

#include <QWidget>
#include <memory>
#include <set>
#include <vector>

#include "core/graph/graph.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QToolButton;

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

class GraphJob;
class GraphView;
struct GraphDrawing;

/// The Graph tab; shares the checkpoint it shows.
class GraphPanel : public QWidget {
    Q_OBJECT

public:
    explicit GraphPanel(QWidget* parent = nullptr);
    ~GraphPanel() override;

    /// Shows `checkpoint`'s graph (null: a hint to open a file). The layout runs in the
    /// background once the panel is visible; ready() follows.
    void setCheckpoint(std::shared_ptr<const core::Checkpoint> checkpoint);
    /// Selects (and centres) the node that holds the tensor or group at tree path `path`,
    /// without emitting layerChosen; false when no node holds it or it is folded away.
    bool revealPath(const QString& path);
    /// Selects (and centres) the layer or module named `name` (its own name, as the layer
    /// table shows it), without emitting layerChosen; false when none has it or it is folded.
    bool revealName(const QString& name);
    /// Finds the next node whose name, path or class contains `text` (case-insensitive),
    /// selects and centres it; false when none does. Unfolds the model that hides it.
    bool findNext(const QString& text);

    /// The tree path that stands for node `id`: its tensors' common folder when only its own
    /// tensors are in it, else its first tensor; "" for a node without tensors.
    [[nodiscard]] QString treePathOf(core::GraphNodeId id) const;

    [[nodiscard]] GraphView* view() const { return m_view; }
    [[nodiscard]] QLineEdit* searchEdit() const { return m_search; }
    [[nodiscard]] const std::shared_ptr<const core::Graph>& graph() const { return m_graph; }
    /// The nested nodes drawn folded.
    [[nodiscard]] const std::set<core::GraphNodeId>& collapsed() const { return m_collapsed; }
    /// Folds or unfolds nested node `id` and lays the graph out again.
    void toggleCollapsed(core::GraphNodeId id);
    /// Puts the cursor in the search box (the window's Ctrl+F while the graph has the focus).
    void focusSearch();
    /// True while a layout runs.
    [[nodiscard]] bool isBusy() const;

signals:
    /// The user chose a node: `path` is its tree path (treePathOf; empty for nodes without
    /// tensors) and `name` its own name (the layer table's name for it).
    void layerChosen(const QString& path, const QString& name);
    /// The user double-clicked a layer: show its first tensor (tree path).
    void tensorRequested(const QString& path);
    /// A layout was drawn (also after a fold or unfold).
    void ready();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void relayout(bool autoCollapse);
    void onDrawing(const GraphDrawing& drawing);
    void onActivated(core::GraphNodeId id);
    void updateInfo(double layoutMs);
    /// Unfolds every folded ancestor of `id`; true when something changed.
    bool unfold(core::GraphNodeId id);
    [[nodiscard]] core::GraphNodeId nodeForPath(const std::string& path) const;

    std::shared_ptr<const core::Checkpoint> m_checkpoint;
    std::shared_ptr<const core::Graph> m_graph;
    std::set<core::GraphNodeId> m_collapsed;
    core::GraphNodeId m_focusAfterLayout = core::kNoGraphNode;
    core::GraphNodeId m_lastFound = core::kNoGraphNode;
    bool m_pending = false;  ///< a checkpoint waits for the panel to be shown
    GraphJob* m_job;
    GraphView* m_view;
    QLineEdit* m_search;
    QLabel* m_matches;
    QLabel* m_info;
    QLabel* m_empty;
    QProgressBar* m_progress;
};

}  // namespace ckpt::ui
