#include "ui/widgets/plot_widget.h"

#include <QPaintEvent>
#include <QPainter>

namespace ckpt::ui {

PlotWidget::PlotWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PlotWidget::setTitle(const QString& title) {
    m_title = title;
    update();
}

void PlotWidget::setMessage(const QString& message) {
    m_message = message;
    update();
}

QColor PlotWidget::textColor() const {
    return palette().color(QPalette::Text);
}

QColor PlotWidget::dimTextColor() const {
    QColor c = palette().color(QPalette::Text);
    c.setAlphaF(0.62f);
    return c;
}

QColor PlotWidget::gridColor() const {
    QColor c = palette().color(QPalette::Text);
    c.setAlphaF(0.12f);
    return c;
}

QColor PlotWidget::axisColor() const {
    QColor c = palette().color(QPalette::Text);
    c.setAlphaF(0.45f);
    return c;
}

QColor PlotWidget::backgroundColor() const {
    return palette().color(QPalette::Base);
}

void PlotWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), backgroundColor());
    p.setPen(QColor(axisColor()));
    p.drawRect(rect().adjusted(0, 0, -1, -1));

    const QFontMetrics fm(font());
    int top = 6;
    if (!m_title.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(textColor());
        const QFontMetrics bfm(bold);
        p.drawText(QRect(10, top, width() - 20, bfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   bfm.elidedText(m_title, Qt::ElideRight, width() - 20));
        p.setFont(font());
        top += bfm.height() + 4;
    }
    const QRect area(0, top, width(), height() - top);
    if (!m_message.isEmpty()) {
        p.setPen(dimTextColor());
        p.drawText(area.adjusted(12, 0, -12, 0), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    paintPlot(p, area);
}

void PlotWidget::drawXTicks(QPainter& p, const QRect& plot, const std::vector<double>& px,
                            const QStringList& labels) const {
    const QFontMetrics fm(font());
    int lastRight = -1000000;
    for (std::size_t i = 0; i < px.size(); ++i) {
        const int x = static_cast<int>(std::lround(px[i]));
        p.setPen(axisColor());
        p.drawLine(x, plot.bottom() + 1, x, plot.bottom() + 4);
        if (i >= static_cast<std::size_t>(labels.size())) {
            continue;
        }
        const int w = fm.horizontalAdvance(labels[static_cast<qsizetype>(i)]);
        int left = x - w / 2;
        left = std::clamp(left, 2, width() - w - 2);
        if (left < lastRight + 6) {
            continue;
        }
        p.setPen(dimTextColor());
        p.drawText(QRect(left, plot.bottom() + 5, w, fm.height()), Qt::AlignCenter,
                   labels[static_cast<qsizetype>(i)]);
        lastRight = left + w;
    }
}

void PlotWidget::drawYTicks(QPainter& p, const QRect& plot, const std::vector<double>& py,
                            const QStringList& labels, bool grid) const {
    const QFontMetrics fm(font());
    for (std::size_t i = 0; i < py.size(); ++i) {
        const int y = static_cast<int>(std::lround(py[i]));
        if (grid) {
            p.setPen(gridColor());
            p.drawLine(plot.left() + 1, y, plot.right(), y);
        }
        p.setPen(axisColor());
        p.drawLine(plot.left() - 4, y, plot.left() - 1, y);
        if (i < static_cast<std::size_t>(labels.size())) {
            p.setPen(dimTextColor());
            p.drawText(QRect(0, y - fm.height() / 2, plot.left() - 7, fm.height()),
                       Qt::AlignRight | Qt::AlignVCenter, labels[static_cast<qsizetype>(i)]);
        }
    }
}

void PlotWidget::drawCaption(QPainter& p, const QString& caption) const {
    if (caption.isEmpty()) {
        return;
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    p.setFont(small);
    p.setPen(dimTextColor());
    const QFontMetrics fm(small);
    QFont bold = font();
    bold.setBold(true);
    const int titleWidth = QFontMetrics(bold).horizontalAdvance(m_title) + 24;
    p.drawText(QRect(titleWidth, 6, width() - titleWidth - 10, QFontMetrics(bold).height()),
               Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(caption, Qt::ElideLeft, width() - titleWidth - 10));
    p.setFont(font());
}

}  // namespace ckpt::ui
