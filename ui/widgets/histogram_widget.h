#pragma once
// A histogram of tensor values: bars over [lo, hi], value ticks on x, counts on y (linear or
// logarithmic), a dashed line at zero and at the mean, and the bin under the mouse as a tooltip.

#include <cstdint>
#include <limits>
#include <vector>

#include "ui/jobs/focus_histogram.h"
#include "ui/widgets/plot_widget.h"

namespace ckpt::ui {

/// Its context menu switches logarithmic counts and the focused view.
class HistogramWidget : public PlotWidget {
    Q_OBJECT

public:
    explicit HistogramWidget(QWidget* parent = nullptr);

    /// Bars for `counts` over [lo, hi]; `mean` is marked when finite.
    void setHistogram(double lo, double hi, std::vector<std::uint64_t> counts,
                      double mean = std::numeric_limits<double>::quiet_NaN());
    /// Drops the histogram and its focused view and shows `message` instead.
    void clear(const QString& message);
    /// Adds a finer look at the central values; shown instead of the full range while
    /// showsFocus() (the default), switchable from the context menu.
    void setFocusHistogram(const FocusHistogram& focus);
    /// Shows the focused view (when there is one) instead of the full range.
    void setShowFocus(bool on);
    [[nodiscard]] bool showsFocus() const { return m_showFocus && !m_focus.isEmpty(); }
    /// Plots log10(1 + count) instead of the count while `on`.
    void setLogScale(bool on);
    [[nodiscard]] bool logScale() const { return m_log; }
    /// The counts drawn: the focused view's while showsFocus(), else the full range's.
    [[nodiscard]] const std::vector<std::uint64_t>& counts() const { return m_counts; }
    /// The labels of the count axis for the series drawn (whole numbers only).
    [[nodiscard]] QStringList countTickLabels() const;
    /// The labels of the value axis for a plot `plotWidth` pixels wide (whole numbers when the
    /// bins are whole-number wide, as for integer tensors).
    [[nodiscard]] QStringList valueTickLabels(int plotWidth) const;

protected:
    void paintPlot(QPainter& p, const QRect& area) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    [[nodiscard]] double yValue(std::uint64_t count) const;
    [[nodiscard]] int binAt(int x) const;
    void applySeries();
    void countTicks(std::vector<double>& ticks, QStringList& labels) const;
    void valueTicks(double lo, double span, int plotWidth, std::vector<double>& ticks,
                    QStringList& labels) const;

    double m_lo = 0.0;
    double m_hi = 0.0;
    double m_mean = 0.0;
    std::vector<std::uint64_t> m_counts;  ///< the series drawn: full range or focus
    double m_fullLo = 0.0;
    double m_fullHi = 0.0;
    std::vector<std::uint64_t> m_fullCounts;
    FocusHistogram m_focus;
    bool m_showFocus = true;
    bool m_log = false;
    QRect m_plot;  ///< where the bars were last drawn
};

}  // namespace ckpt::ui
