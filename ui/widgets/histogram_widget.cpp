#include "ui/widgets/histogram_widget.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/util/format.h"
#include "ui/widgets/axis_ticks.h"

namespace ckpt::ui {

HistogramWidget::HistogramWidget(QWidget* parent) : PlotWidget(parent) {
    setMouseTracking(true);
    setTitle(tr("Histogram"));
    setMessage(tr("Select a tensor to see its distribution"));
}

void HistogramWidget::setHistogram(double lo, double hi, std::vector<std::uint64_t> counts,
                                   double mean) {
    m_fullLo = lo;
    m_fullHi = hi;
    m_mean = mean;
    m_fullCounts = std::move(counts);
    m_focus = FocusHistogram();
    applySeries();
    setMessage(m_counts.empty() ? tr("No finite values to plot") : QString());
}

void HistogramWidget::setFocusHistogram(const FocusHistogram& focus) {
    m_focus = focus;
    applySeries();
}

void HistogramWidget::setShowFocus(bool on) {
    m_showFocus = on;
    applySeries();
}

void HistogramWidget::applySeries() {
    if (showsFocus()) {
        m_lo = m_focus.lo;
        m_hi = m_focus.hi;
        m_counts = m_focus.counts;
    } else {
        m_lo = m_fullLo;
        m_hi = m_fullHi;
        m_counts = m_fullCounts;
    }
    update();
}

void HistogramWidget::clear(const QString& message) {
    m_counts.clear();
    m_fullCounts.clear();
    m_focus = FocusHistogram();
    setMessage(message);
}

void HistogramWidget::setLogScale(bool on) {
    m_log = on;
    update();
}

double HistogramWidget::yValue(std::uint64_t count) const {
    return m_log ? std::log10(1.0 + static_cast<double>(count)) : static_cast<double>(count);
}

void HistogramWidget::paintPlot(QPainter& p, const QRect& area) {
    if (m_counts.empty()) {
        return;
    }
    const QFontMetrics fm(font());
    const std::uint64_t maxCount = *std::max_element(m_counts.begin(), m_counts.end());
    const double yMax = std::max(1.0, yValue(maxCount));

    std::vector<double> yTicks;
    QStringList yLabels;
    countTicks(yTicks, yLabels);
    int labelWidth = 0;
    for (const auto& l : yLabels) {
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(l));
    }
    m_plot = QRect(area.left() + labelWidth + 12, area.top() + 4,
                   area.width() - labelWidth - 12 - 14, area.height() - fm.height() * 2 - 14);
    if (m_plot.width() < 20 || m_plot.height() < 20) {
        return;
    }
    const auto toY = [&](double v) { return m_plot.bottom() - v / yMax * (m_plot.height() - 1); };
    const double span = m_hi > m_lo ? m_hi - m_lo : 1.0;
    const double lo = m_hi > m_lo ? m_lo : m_lo - 0.5;
    const auto toX = [&](double v) { return m_plot.left() + (v - lo) / span * m_plot.width(); };

    std::vector<double> py;
    for (const double t : yTicks) {
        py.push_back(toY(t));
    }
    drawYTicks(p, m_plot, py, yLabels, true);

    // Bars.
    const QColor bar = palette().color(QPalette::Highlight);
    const auto n = static_cast<double>(m_counts.size());
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        if (m_counts[i] == 0) {
            continue;
        }
        const int x0 = m_plot.left() + static_cast<int>(std::floor(i * m_plot.width() / n));
        const int x1 = m_plot.left() + static_cast<int>(std::floor((i + 1) * m_plot.width() / n));
        const int y = static_cast<int>(std::lround(toY(yValue(m_counts[i]))));
        const QRect r(QPoint(x0, std::min(y, m_plot.bottom() - 1)),
                      QPoint(std::max(x0, x1 - 1), m_plot.bottom()));
        p.fillRect(r, bar);
        if (x1 - x0 >= 4) {
            p.setPen(bar.darker(130));
            p.drawLine(r.topLeft(), r.topRight());
        }
    }

    // Axes and markers.
    p.setPen(axisColor());
    p.drawLine(m_plot.bottomLeft(), m_plot.bottomRight());
    p.drawLine(m_plot.bottomLeft(), m_plot.topLeft());
    const auto marker = [&](double v, const QColor& c, const QString& label) {
        if (!std::isfinite(v) || v < lo || v > lo + span) {
            return;
        }
        const int x = static_cast<int>(std::lround(toX(v)));
        QPen pen(c, 1, Qt::DashLine);
        p.setPen(pen);
        p.drawLine(x, m_plot.top(), x, m_plot.bottom());
        p.setPen(c);
        p.drawText(QRect(x + 3, m_plot.top(), 80, fm.height()), Qt::AlignLeft, label);
    };
    marker(0.0, dimTextColor(), QString());
    if (std::isfinite(m_mean) && std::fabs(m_mean) > span * 0.04) {
        marker(m_mean, palette().color(QPalette::Highlight).darker(140), tr("mean"));
    }

    std::vector<double> xTicks;
    QStringList xLabels;
    valueTicks(lo, span, m_plot.width(), xTicks, xLabels);
    std::vector<double> px;
    for (const double t : xTicks) {
        px.push_back(toX(t));
    }
    drawXTicks(p, m_plot, px, xLabels);
    p.setPen(dimTextColor());
    p.drawText(QRect(m_plot.left(), m_plot.bottom() + fm.height() + 6, m_plot.width(), fm.height()),
               Qt::AlignCenter, m_log ? tr("value  (counts on a log scale)") : tr("value"));
    drawCaption(
        p,
        showsFocus()
            ? tr("mean ± 4σ · %1 outliers not drawn").arg(fmt::count(m_focus.below + m_focus.above))
            : tr("%1 bins").arg(m_counts.size()));
}

void HistogramWidget::countTicks(std::vector<double>& ticks, QStringList& labels) const {
    // Nice whole-number steps in linear mode (a count of 3 gets 0 1 2 3, never 0.5), powers of
    // ten in log mode.
    const std::uint64_t maxCount =
        m_counts.empty() ? 0 : *std::max_element(m_counts.begin(), m_counts.end());
    if (m_log) {
        ticks.push_back(0.0);
        labels << QStringLiteral("0");
        for (double d = 1; d <= static_cast<double>(maxCount) * 1.0001; d *= 10) {
            ticks.push_back(std::log10(1.0 + d));
            labels << AxisTicks::countLabel(d);
        }
        return;
    }
    for (const double t : AxisTicks::whole(0, std::max(1.0, yValue(maxCount)), 4)) {
        ticks.push_back(t);
        labels << AxisTicks::countLabel(t);
    }
}

void HistogramWidget::valueTicks(double lo, double span, int plotWidth, std::vector<double>& ticks,
                                 QStringList& labels) const {
    const int target = std::max(2, plotWidth / 90);
    // Integer data: bins one (or a whole number of) value wide, centred on whole numbers.
    const double width = m_counts.empty() ? 0.0 : span / static_cast<double>(m_counts.size());
    const bool integral = width >= 1.0 && std::fabs(width - std::round(width)) < 1e-9 &&
                          std::fabs(lo + 0.5 - std::round(lo + 0.5)) < 1e-9;
    if (integral) {
        ticks = AxisTicks::whole(lo, lo + span, target);
        for (const double t : ticks) {
            labels << AxisTicks::countLabel(t);
        }
        return;
    }
    const double step = AxisTicks::step(lo, lo + span, target);
    for (const double t : AxisTicks::nice(lo, lo + span, target)) {
        ticks.push_back(t);
        labels << AxisTicks::label(t, step);
    }
}

QStringList HistogramWidget::countTickLabels() const {
    std::vector<double> ticks;
    QStringList labels;
    countTicks(ticks, labels);
    return labels;
}

QStringList HistogramWidget::valueTickLabels(int plotWidth) const {
    std::vector<double> ticks;
    QStringList labels;
    const double span = m_hi > m_lo ? m_hi - m_lo : 1.0;
    valueTicks(m_hi > m_lo ? m_lo : m_lo - 0.5, span, plotWidth, ticks, labels);
    return labels;
}

int HistogramWidget::binAt(int x) const {
    if (m_counts.empty() || !m_plot.isValid() || x < m_plot.left() || x > m_plot.right()) {
        return -1;
    }
    const auto n = static_cast<int>(m_counts.size());
    return std::clamp((x - m_plot.left()) * n / std::max(1, m_plot.width()), 0, n - 1);
}

void HistogramWidget::mouseMoveEvent(QMouseEvent* event) {
    const int bin = binAt(event->position().toPoint().x());
    if (bin < 0 || !message().isEmpty()) {
        QToolTip::hideText();
        return;
    }
    const double w = (m_hi - m_lo) / static_cast<double>(m_counts.size());
    const double a = m_lo + bin * w;
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("[%1, %2%3\n%4 values")
                           .arg(fmt::number(a, 5), fmt::number(a + w, 5),
                                bin + 1 == static_cast<int>(m_counts.size()) ? "]" : ")",
                                fmt::count(m_counts[static_cast<std::size_t>(bin)])),
                       this);
}

void HistogramWidget::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* log = menu.addAction(tr("Logarithmic counts"));
    log->setCheckable(true);
    log->setChecked(m_log);
    connect(log, &QAction::toggled, this, &HistogramWidget::setLogScale);
    QAction* focus = menu.addAction(tr("Zoom to the Central Values"));
    focus->setCheckable(true);
    focus->setChecked(showsFocus());
    focus->setEnabled(!m_focus.isEmpty());
    connect(focus, &QAction::toggled, this, &HistogramWidget::setShowFocus);
    menu.exec(event->globalPos());
}

}  // namespace ckpt::ui
