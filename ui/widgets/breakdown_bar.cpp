#include "ui/widgets/breakdown_bar.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <array>

#include "ui/util/format.h"

namespace ckpt::ui {

namespace {
constexpr int kBarHeight = 12;
constexpr int kSwatch = 10;
constexpr int kGap = 18;
constexpr int kElidedName = 110;  ///< pixels a name keeps in the shortest legend form
}  // namespace

BreakdownBar::BreakdownBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMouseTracking(true);
}

QString BreakdownBar::partText(std::size_t i, int form) const {
    const Part& part = m_parts[i];
    const QString share = fmt::percent(part.bytes, m_total);
    switch (form) {
        case 0:
            return QStringLiteral("%1  %2 (%3)").arg(part.name, fmt::bytes(part.bytes), share);
        case 1:
            return QStringLiteral("%1 (%2)").arg(part.name, share);
        default:
            return QStringLiteral("%1 (%2)").arg(
                fontMetrics().elidedText(part.name, Qt::ElideMiddle, kElidedName), share);
    }
}

int BreakdownBar::legendWidth(const QStringList& texts) const {
    int w = 0;
    for (const QString& t : texts) {
        w += (w > 0 ? kGap : 0) + kSwatch + 5 + fontMetrics().horizontalAdvance(t);
    }
    return w;
}

QStringList BreakdownBar::legendAt(int width) const {
    for (int form = 0; form < 3; ++form) {
        QStringList texts;
        for (std::size_t i = 0; i < m_parts.size(); ++i) {
            texts << partText(i, form);
        }
        if (legendWidth(texts) <= width) {
            return texts;
        }
    }
    // Too many even in the shortest form: as many as fit, then "+N more".
    QStringList texts;
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        QStringList tryTexts = texts;
        tryTexts << partText(i, 2) << tr("+%1 more").arg(static_cast<int>(m_parts.size() - i - 1));
        if (legendWidth(tryTexts) > width) {
            texts << tr("+%1 more").arg(static_cast<int>(m_parts.size() - i));
            return texts;
        }
        texts << partText(i, 2);
    }
    return texts;
}

QStringList BreakdownBar::legendTexts() const {
    return legendAt(width());
}

void BreakdownBar::mouseMoveEvent(QMouseEvent* event) {
    // The part under the mouse (bar or legend) as a tooltip; elsewhere the whole list.
    QStringList all;
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        all << partText(i, 0).toHtmlEscaped();
    }
    QString tip = all.join(QStringLiteral("<br>"));
    if (m_total > 0 && event->position().y() <= 2 + kBarHeight) {
        const double at = event->position().x() / std::max(1, width() - 1) * m_total;
        double end = 0;
        for (std::size_t i = 0; i < m_parts.size(); ++i) {
            end += static_cast<double>(m_parts[i].bytes);
            if (at <= end) {
                tip = partText(i, 0).toHtmlEscaped();
                break;
            }
        }
    }
    setToolTip(tip);
    QWidget::mouseMoveEvent(event);
}

QColor BreakdownBar::colorAt(int i) {
    // Qualitative colours that keep their contrast on light and dark backgrounds.
    static const std::array<QColor, 7> colors = {QColor(0x3B, 0x82, 0xF6), QColor(0xF5, 0x9E, 0x0B),
                                                 QColor(0x10, 0xB9, 0x81), QColor(0xA8, 0x55, 0xF7),
                                                 QColor(0xEF, 0x44, 0x44), QColor(0x06, 0xB6, 0xD4),
                                                 QColor(0x9C, 0xA3, 0xAF)};
    return colors[static_cast<std::size_t>(i) % colors.size()];
}

void BreakdownBar::setParts(std::vector<Part> parts) {
    std::erase_if(parts, [](const Part& p) { return p.bytes == 0; });
    std::stable_sort(parts.begin(), parts.end(),
                     [](const Part& a, const Part& b) { return a.bytes > b.bytes; });
    if (parts.size() > static_cast<std::size_t>(kMaxParts)) {
        Part other{tr("other"), 0};
        for (std::size_t i = kMaxParts - 1; i < parts.size(); ++i) {
            other.bytes += parts[i].bytes;
        }
        parts.resize(kMaxParts - 1);
        parts.push_back(other);
    }
    m_parts = std::move(parts);
    m_total = 0;
    for (const auto& p : m_parts) {
        m_total += p.bytes;
    }
    updateGeometry();
    update();
}

QSize BreakdownBar::sizeHint() const {
    return {400, kBarHeight + 8 + fontMetrics().height() + 4};
}

void BreakdownBar::paintEvent(QPaintEvent*) {
    if (m_total == 0) {
        return;
    }
    QPainter p(this);
    const QRect bar(0, 2, width() - 1, kBarHeight);
    int x = bar.left();
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        const bool last = i + 1 == m_parts.size();
        const int w = last ? bar.right() - x + 1
                           : static_cast<int>(static_cast<double>(m_parts[i].bytes) /
                                              static_cast<double>(m_total) * bar.width());
        p.fillRect(QRect(x, bar.top(), std::max(w, 1), bar.height()), colorAt(static_cast<int>(i)));
        x += w;
    }
    // Legend: swatch and text, left to right, in the longest form that lets every part show.
    const QFontMetrics fm = fontMetrics();
    const int y = bar.bottom() + 6;
    const QStringList texts = legendTexts();
    x = 0;
    for (int i = 0; i < texts.size(); ++i) {
        const int w = kSwatch + 5 + fm.horizontalAdvance(texts[i]);
        // Every text but a trailing "+N more" belongs to the part of the same colour.
        const bool more =
            i == static_cast<int>(m_parts.size()) ||
            (i + 1 == texts.size() && texts.size() <= static_cast<int>(m_parts.size()) &&
             texts[i] != partText(static_cast<std::size_t>(i), 2) &&
             texts[i] != partText(static_cast<std::size_t>(i), 1) &&
             texts[i] != partText(static_cast<std::size_t>(i), 0));
        if (!more) {
            p.fillRect(QRect(x, y + (fm.height() - kSwatch) / 2, kSwatch, kSwatch), colorAt(i));
        }
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(x + (more ? 0 : kSwatch + 5), y, w, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, texts[i]);
        x += w + kGap;
    }
}

}  // namespace ckpt::ui
