#pragma once
// The Compare window's Graph tab: the graph diff of A and B (core::diffGraphs) drawn as one
// union graph. Added layers green, removed red, changed amber, each node shaded by its largest
// tensor rel_l2 and annotated with it; config changes in the tooltip (path, old → new); rewired
// edges coloured. Choosing a node hands its tensor pairs to the window (metric table, delta).

#include <QWidget>
#include <memory>
#include <vector>

#include "core/graph/graph_diff.h"
#include "ui/jobs/background_job.h"

class QLabel;
class QLineEdit;
class QProgressBar;

namespace ckpt::ui {

class GraphView;
struct CompareResult;

/// A laid-out graph diff.
struct GraphDiffDrawing {
    std::shared_ptr<const core::GraphDiff> diff;
    core::GraphLayout layout;
};

/// The pane; shares the result it shows.
class CompareGraphPane : public QWidget {
    Q_OBJECT

public:
    explicit CompareGraphPane(QWidget* parent = nullptr);
    ~CompareGraphPane() override;

    /// Shows the graph diff of `result` (null: clears). Laid out in the background once the
    /// pane is visible; ready() follows.
    void setResult(std::shared_ptr<const CompareResult> result);
    /// The report rows (indexes into the report's tensors) of union node `id`'s tensor pairs.
    [[nodiscard]] std::vector<int> reportRowsOf(core::GraphNodeId id) const;
    /// Selects the union node that holds report row `row`'s pair (no signal); false if none.
    bool revealReportRow(int row);
    /// Selects and centres the next node whose name or path contains `text`.
    bool findNext(const QString& text);

    [[nodiscard]] GraphView* view() const { return m_view; }
    [[nodiscard]] const std::shared_ptr<const core::GraphDiff>& diff() const { return m_diff; }
    /// Counts of union nodes by state: same, changed, added, removed.
    [[nodiscard]] std::vector<std::size_t> stateCounts() const;

signals:
    /// The user chose union node `name`; `rows` are its tensor pairs' report rows (may be
    /// empty), the first one the pair with the largest rel_l2.
    void nodeChosen(const QString& name, const std::vector<int>& rows);
    /// A drawing is shown (or the pane says why not).
    void ready();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void start();
    void onDrawing(const GraphDiffDrawing& drawing);

    std::shared_ptr<const CompareResult> m_result;
    std::shared_ptr<const core::GraphDiff> m_diff;
    bool m_pending = false;
    core::GraphNodeId m_lastFound = core::kNoGraphNode;
    GraphView* m_view;
    QLineEdit* m_search;
    QLabel* m_info;
    QProgressBar* m_progress;
    BackgroundJob<GraphDiffDrawing> m_job;
};

}  // namespace ckpt::ui
