#include "ui/widgets/heatmap_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <cmath>

#include "ui/util/format.h"
#include "ui/widgets/axis_ticks.h"
#include "ui/widgets/color_scale.h"

namespace ckpt::ui {

namespace {

constexpr int kLegendWidth = 14;

// Integer ticks over [0, n) for an axis of `pixels` length.
std::vector<double> indexTicks(std::uint64_t n, int pixels) {
    auto ticks =
        AxisTicks::nice(0, static_cast<double>(n > 0 ? n - 1 : 0), std::max(2, pixels / 70));
    std::erase_if(ticks, [](double t) { return t != std::floor(t); });
    return ticks;
}

}  // namespace

HeatmapWidget::HeatmapWidget(QWidget* parent) : PlotWidget(parent) {
    setMouseTracking(true);
    setTitle(tr("Heatmap"));
    setMessage(tr("Select a tensor with two or more dimensions"));
}

void HeatmapWidget::setData(HeatmapData data) {
    m_data = std::move(data);
    if (m_data.isEmpty()) {
        m_image = QImage();
        setMessage(tr("Empty tensor"));
        return;
    }
    m_image = QImage(m_data.cols, m_data.rows, QImage::Format_RGB32);
    const double scale = m_data.maxAbs > 0 ? m_data.maxAbs : 1.0;
    for (int r = 0; r < m_data.rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(r));
        for (int c = 0; c < m_data.cols; ++c) {
            const float v = m_data.at(r, c);
            line[c] = std::isfinite(v) ? ColorScale::diverging(v / scale).rgb()
                                       : ColorScale::invalid().rgb();
        }
    }
    setMessage(QString());
}

void HeatmapWidget::clear(const QString& message) {
    m_data = HeatmapData();
    m_image = QImage();
    setMessage(message);
}

void HeatmapWidget::paintPlot(QPainter& p, const QRect& area) {
    if (m_image.isNull()) {
        return;
    }
    const QFontMetrics fm(font());
    const QString maxLabel = QString::number(m_data.sourceRows - 1);
    const int yLabelWidth = fm.horizontalAdvance(maxLabel) + 10;
    const QString legendLabel = AxisTicks::label(-m_data.maxAbs, m_data.maxAbs / 2);
    const int legendSpace = kLegendWidth + 12 + fm.horizontalAdvance(legendLabel) + 8;
    const QRect plot(area.left() + yLabelWidth + 4, area.top() + 4,
                     area.width() - yLabelWidth - 4 - legendSpace - 10,
                     area.height() - fm.height() * 2 - 14);
    if (plot.width() < 20 || plot.height() < 20) {
        return;
    }
    // Cells stretch to fill the area: a (6, 512) kernel reads better as six bold stripes than
    // as a thin ribbon.
    m_plot = plot;
    p.drawImage(plot, m_image);
    p.setPen(axisColor());
    p.drawRect(plot.adjusted(-1, -1, 0, 0));

    // Ticks are source indices, placed at the centre of the block holding them.
    std::vector<double> px;
    QStringList xl;
    for (const double t : indexTicks(m_data.sourceCols, plot.width())) {
        px.push_back(plot.left() + (t + 0.5) / m_data.sourceCols * plot.width());
        xl << QString::number(static_cast<qulonglong>(t));
    }
    drawXTicks(p, plot, px, xl);
    std::vector<double> py;
    QStringList yl;
    for (const double t : indexTicks(m_data.sourceRows, plot.height())) {
        py.push_back(plot.top() + (t + 0.5) / m_data.sourceRows * plot.height());
        yl << QString::number(static_cast<qulonglong>(t));
    }
    drawYTicks(p, plot, py, yl, false);
    p.setPen(dimTextColor());
    p.drawText(QRect(plot.left(), plot.bottom() + fm.height() + 6, plot.width(), fm.height()),
               Qt::AlignCenter, tr("column"));

    paintLegend(p, QRect(plot.right() + 14, plot.top(), kLegendWidth, plot.height()));
    QString caption;
    if (m_data.blockRows > 1 || m_data.blockCols > 1) {
        caption = tr("block means of %1×%2").arg(m_data.blockRows).arg(m_data.blockCols);
    }
    if (m_data.nonFinite > 0) {
        caption += (caption.isEmpty() ? "" : " · ") +
                   tr("%1 NaN/Inf in green").arg(fmt::count(m_data.nonFinite));
    }
    drawCaption(p, caption.isEmpty() ? tr("%1 × %2").arg(m_data.sourceRows).arg(m_data.sourceCols)
                                     : caption);
}

void HeatmapWidget::paintLegend(QPainter& p, const QRect& bar) const {
    for (int y = 0; y < bar.height(); ++y) {
        const double t = 1.0 - 2.0 * y / std::max(1, bar.height() - 1);
        p.setPen(ColorScale::diverging(t));
        p.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
    }
    p.setPen(axisColor());
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    const double m = m_data.maxAbs > 0 ? m_data.maxAbs : 1.0;
    const double step = AxisTicks::step(-m, m, 4);
    const QFontMetrics fm(font());
    auto ticks = AxisTicks::nice(-m, m, 4);
    for (const double v : ticks) {
        const int y =
            bar.top() + static_cast<int>(std::lround((m - v) / (2 * m) * (bar.height() - 1)));
        p.setPen(axisColor());
        p.drawLine(bar.right() + 1, y, bar.right() + 4, y);
        p.setPen(dimTextColor());
        p.drawText(QRect(bar.right() + 6, y - fm.height() / 2, 200, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, AxisTicks::label(v, step));
    }
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (m_image.isNull() || !message().isEmpty() || !m_plot.contains(pos)) {
        QToolTip::hideText();
        return;
    }
    const int c =
        std::clamp((pos.x() - m_plot.left()) * m_data.cols / m_plot.width(), 0, m_data.cols - 1);
    const int r =
        std::clamp((pos.y() - m_plot.top()) * m_data.rows / m_plot.height(), 0, m_data.rows - 1);
    const auto r0 = static_cast<std::uint64_t>(r) * m_data.blockRows;
    const auto c0 = static_cast<std::uint64_t>(c) * m_data.blockCols;
    const auto r1 = std::min(m_data.sourceRows, r0 + m_data.blockRows) - 1;
    const auto c1 = std::min(m_data.sourceCols, c0 + m_data.blockCols) - 1;
    const QString where = r0 == r1 && c0 == c1
                              ? tr("[%1, %2]").arg(r0).arg(c0)
                              : tr("rows %1–%2, columns %3–%4").arg(r0).arg(r1).arg(c0).arg(c1);
    const bool block = r0 != r1 || c0 != c1;
    QToolTip::showText(
        event->globalPosition().toPoint(),
        tr("%1\n%2 %3")
            .arg(where, block ? tr("mean") : tr("value"), fmt::number(m_data.at(r, c), 6)),
        this);
}

}  // namespace ckpt::ui
