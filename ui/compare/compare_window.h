#pragma once
// The Compare window: two checkpoints side by side. Aligned trees of their tensors tinted by
// status, a sortable and filterable metrics table, the delta B − A of the selected pair as a
// heatmap and a histogram, and the configuration changes. The diff runs in a CompareJob with
// progress and Cancel; the delta of the selected pair in a DeltaJob.

#include <QMainWindow>
#include <functional>
#include <memory>

#include "ui/jobs/compare_job.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QToolButton;
class QTableView;
class QTreeView;

namespace ckpt::ui {

class ComparePairModel;
class CompareMetricsModel;
class CompareFilterProxy;
class CompareGraphPane;
class ConfigChangeModel;
class DeltaJob;
class HeatmapWidget;
class HistogramWidget;
struct DeltaView;

/// One Compare window. Owns its jobs, models and views; compare() may be called again to compare
/// other checkpoints in the same window.
class CompareWindow : public QMainWindow {
    Q_OBJECT

public:
    /// Shows why a comparison failed: (title, message). The default opens a non-blocking warning
    /// box; tests replace it.
    using ErrorPresenter = std::function<void(const QString&, const QString&)>;

    explicit CompareWindow(QWidget* parent = nullptr);
    ~CompareWindow() override;

    /// Starts comparing `a` (old) with `b` (new); the views fill when the job ends.
    void compare(CompareSide a, CompareSide b);
    /// Selects the pair at report row `reportRow` in both views and computes its delta.
    void selectReportRow(int reportRow);
    /// The report row whose delta the views show (or explain), or -1 before one is selected.
    [[nodiscard]] int selectedReportRow() const { return m_selectedRow; }
    /// Replaces how a failed comparison is shown.
    void setErrorPresenter(ErrorPresenter presenter) { m_presentError = std::move(presenter); }
    /// Puts the window back to 1280 × 800 with the default pane sizes.
    void resetLayout();

    /// The window's jobs, models and views (owned by the window), for tests and wiring.
    [[nodiscard]] CompareJob* job() const { return m_job; }
    [[nodiscard]] DeltaJob* deltaJob() const { return m_delta; }
    [[nodiscard]] ComparePairModel* pairModel() const { return m_pairs; }
    [[nodiscard]] CompareMetricsModel* metricsModel() const { return m_metrics; }
    [[nodiscard]] CompareFilterProxy* metricsProxy() const { return m_proxy; }
    [[nodiscard]] ConfigChangeModel* configModel() const { return m_config; }
    [[nodiscard]] HeatmapWidget* heatmap() const { return m_heatmap; }
    [[nodiscard]] HistogramWidget* histogram() const { return m_histogram; }
    [[nodiscard]] QTreeView* pairView() const { return m_pairView; }
    /// The Graph tab beside the pair tree: the graph diff of A and B.
    [[nodiscard]] CompareGraphPane* graphPane() const { return m_graphPane; }
    /// The tabs holding the pair tree and the graph diff.
    [[nodiscard]] QTabWidget* leftTabs() const { return m_leftTabs; }
    /// Shows only the tensor pairs of graph node `name` (report rows `rows`) in the metric table
    /// and selects the first; an empty `name` shows every pair again.
    void showNodePairs(const QString& name, const std::vector<int>& rows);
    [[nodiscard]] QTableView* metricsView() const { return m_metricsView; }
    [[nodiscard]] QLineEdit* filterEdit() const { return m_filter; }
    [[nodiscard]] QCheckBox* onlyChangedBox() const { return m_onlyChanged; }
    /// "Model weights only": hides optimizer and training state and the training config.
    [[nodiscard]] QCheckBox* weightsOnlyBox() const { return m_weightsOnly; }
    /// What the views show: the job's result, or its model-weights-only subset.
    [[nodiscard]] const std::shared_ptr<const CompareResult>& shownResult() const {
        return m_shown;
    }
    /// The configuration changes pane; hidden when the shown result has no changes.
    [[nodiscard]] QWidget* configPane() const { return m_configPane; }
    /// The summary line above the views (rich text): counts by status, the largest rel_l2 and the
    /// report's notes, or why the comparison failed or stopped.
    [[nodiscard]] QString summaryText() const;

signals:
    /// The comparison ended (finished, failed or cancelled).
    void compareDone();
    /// The delta views of the selected pair were filled (or say why they are empty).
    void deltaShown();

private:
    void buildLayout();
    QWidget* buildMetricsPane();
    QWidget* buildConfigPane();
    void onFinished(const std::shared_ptr<const CompareResult>& result);
    /// Fills the views from the job's result, filtered by the weights-only switch.
    void showResult();
    void onDelta(const DeltaView& view);
    void onDeltaFailed(const QString& message);
    void setBusy(bool busy);
    void showSummary(const CompareResult& result);
    [[nodiscard]] int defaultReportRow() const;

    CompareJob* m_job;
    DeltaJob* m_delta;
    ComparePairModel* m_pairs;
    CompareMetricsModel* m_metrics;
    CompareFilterProxy* m_proxy;
    ConfigChangeModel* m_config;
    QLabel* m_files = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_phase = nullptr;
    QProgressBar* m_bar = nullptr;
    QPushButton* m_cancel = nullptr;
    QTreeView* m_pairView = nullptr;
    QTabWidget* m_leftTabs = nullptr;
    CompareGraphPane* m_graphPane = nullptr;
    QLabel* m_nodeFilter = nullptr;
    QToolButton* m_showAll = nullptr;
    QTableView* m_metricsView = nullptr;
    QLineEdit* m_filter = nullptr;
    QCheckBox* m_onlyChanged = nullptr;
    QCheckBox* m_weightsOnly = nullptr;
    QWidget* m_configPane = nullptr;
    std::shared_ptr<const CompareResult> m_shown;
    QLabel* m_configTitle = nullptr;
    QTableView* m_configView = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    HistogramWidget* m_histogram = nullptr;
    QSplitter* m_vertical = nullptr;
    QSplitter* m_top = nullptr;
    QSplitter* m_bottom = nullptr;
    ErrorPresenter m_presentError;
    int m_selectedRow = -1;
    bool m_syncing = false;
    bool m_fromGraph = false;  ///< selectReportRow called for a node chosen in the graph
};

}  // namespace ckpt::ui
