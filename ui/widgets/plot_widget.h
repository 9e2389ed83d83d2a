#pragma once
// Common ground of the small QPainter plots: a title, a message shown instead of data
// ("Computing…"), palette-derived colours, and axis drawing helpers. Colours come from
// palette() roles so the plots read well on light and dark themes.

#include <QString>
#include <QWidget>
#include <vector>

namespace ckpt::ui {

/// Base of the plots: subclasses draw their data in paintPlot().
class PlotWidget : public QWidget {
    Q_OBJECT

public:
    explicit PlotWidget(QWidget* parent = nullptr);

    /// The title drawn above the plot.
    void setTitle(const QString& title);
    [[nodiscard]] const QString& title() const { return m_title; }
    /// Shows `message` centred instead of the plot (an empty message shows the plot again).
    void setMessage(const QString& message);
    [[nodiscard]] const QString& message() const { return m_message; }

    /// 220 × 160 pixels at least, 420 × 260 preferred.
    [[nodiscard]] QSize minimumSizeHint() const override { return {220, 160}; }
    [[nodiscard]] QSize sizeHint() const override { return {420, 260}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    /// Draws the plot inside `area` (below the title). Called only when there is no message.
    virtual void paintPlot(QPainter& painter, const QRect& area) = 0;

    [[nodiscard]] QColor textColor() const;
    [[nodiscard]] QColor dimTextColor() const;
    [[nodiscard]] QColor gridColor() const;
    [[nodiscard]] QColor axisColor() const;
    [[nodiscard]] QColor backgroundColor() const;

    /// Draws x-axis ticks (positions in pixels, labels) under `plot`, skipping labels that
    /// would overlap.
    void drawXTicks(QPainter& p, const QRect& plot, const std::vector<double>& px,
                    const QStringList& labels) const;
    /// Draws y-axis ticks left of `plot` with grid lines across it.
    void drawYTicks(QPainter& p, const QRect& plot, const std::vector<double>& py,
                    const QStringList& labels, bool grid) const;
    /// Draws a small caption in the dim text colour, right-aligned on the title line.
    void drawCaption(QPainter& p, const QString& caption) const;

private:
    QString m_title;
    QString m_message;
};

}  // namespace ckpt::ui
