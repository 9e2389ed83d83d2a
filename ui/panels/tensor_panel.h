#pragma once
// The Tensor tab: what the selected tensor is (path, dtype, shape, bytes, storage), its
// statistics and histogram (computed in the background), a heatmap for 2-D and larger tensors,
// and a lazily paged value table.

#include <QWidget>

#include "ui/models/tensor_selection.h"

class QLabel;
class QSplitter;
class QStackedWidget;
class QTableView;

namespace ckpt::core {
struct TensorStats;
}

namespace ckpt::ui {

class HeatmapWidget;
class HistogramWidget;
class StatsView;
class TensorAnalysis;
class TensorValueModel;
class ValueTablePane;

/// The Tensor tab. Owns the TensorAnalysis that computes the statistics and the heatmap.
class TensorPanel : public QWidget {
    Q_OBJECT

public:
    explicit TensorPanel(QWidget* parent = nullptr);

    /// Shows `selection`; an invalid selection shows the "select a tensor" hint. Starts the
    /// background statistics, cancelling those of the previous tensor.
    void setSelection(const TensorSelection& selection);
    [[nodiscard]] const TensorSelection& selection() const { return m_selection; }

    /// The panel's analysis, widgets and model, for tests and wiring.
    [[nodiscard]] TensorAnalysis* analysis() const { return m_analysis; }
    [[nodiscard]] StatsView* statsView() const { return m_stats; }
    [[nodiscard]] HistogramWidget* histogram() const { return m_histogram; }
    [[nodiscard]] HeatmapWidget* heatmap() const { return m_heatmap; }
    [[nodiscard]] QTableView* valueTable() const { return m_values; }
    [[nodiscard]] TensorValueModel* valueModel() const { return m_valueModel; }
    /// The value table with its slicing controls, copy and save.
    [[nodiscard]] ValueTablePane* valuePane() const { return m_valuePane; }
    /// The header: the tensor path, a newline, then the facts line (dtype, shape, elements, bytes,
    /// storage; rich text).
    [[nodiscard]] QString headerText() const;

signals:
    /// A note for the status bar from the value table: what was copied or saved, or why not.
    void statusMessage(const QString& message);

private:
    void showStats(const core::TensorStats& stats);
    [[nodiscard]] QWidget* buildHeader();

    TensorSelection m_selection;
    TensorAnalysis* m_analysis;
    QStackedWidget* m_stack;
    QLabel* m_path;
    QLabel* m_facts;
    QLabel* m_layout;
    StatsView* m_stats;
    HistogramWidget* m_histogram;
    HeatmapWidget* m_heatmap;
    QTableView* m_values;
    TensorValueModel* m_valueModel;
    ValueTablePane* m_valuePane;
};

}  // namespace ckpt::ui
