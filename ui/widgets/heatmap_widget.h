#pragma once
// A heatmap of a matrix (block means of a tensor) on a diverging colour scale centred at zero,
// with row/column ticks, a colour legend, and the cell under the mouse as a tooltip.

#include <QImage>

#include "ui/jobs/heatmap_data.h"
#include "ui/widgets/plot_widget.h"

namespace ckpt::ui {

/// Used by the Tensor tab and, for the delta B − A, by the Compare window.
class HeatmapWidget : public PlotWidget {
    Q_OBJECT

public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    /// Draws `data`, coloured from −maxAbs to +maxAbs (an empty grid shows "Empty tensor").
    void setData(HeatmapData data);
    /// Drops the data and shows `message` instead.
    void clear(const QString& message);
    /// The grid drawn (empty after clear()).
    [[nodiscard]] const HeatmapData& data() const { return m_data; }

protected:
    void paintPlot(QPainter& p, const QRect& area) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    void paintLegend(QPainter& p, const QRect& bar) const;

    HeatmapData m_data;
    QImage m_image;
    QRect m_plot;
};

}  // namespace ckpt::ui
