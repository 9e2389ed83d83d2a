#pragma once
// A heatmap of a matrix (block means of a tensor) on a diverging colour scale centred at zero,
// with row/column ticks, a colour legend, and the cell under the mouse as a tooltip.

#include <QImage>

#include "ui/jobs/heatmap_data.h"
#include "ui/widgets/plot_widget.h"

namespace ckpt::ui {

class HeatmapWidget : public PlotWidget {
    Q_OBJECT

public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    void setData(HeatmapData data);
    void clear(const QString& message);
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
