#include "ui/widgets/breakdown_bar.h"

#include <QPainter>
#include <algorithm>
#include <array>

#include "ui/util/format.h"

namespace ckpt::ui {

namespace {
constexpr int kBarHeight = 12;
constexpr int kSwatch = 10;
}  // namespace

BreakdownBar::BreakdownBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
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
    // Legend: swatch, name, size and share, left to right, as many as fit.
    const QFontMetrics fm = fontMetrics();
    const int y = bar.bottom() + 6;
    x = 0;
    for (std::size_t i = 0; i < m_parts.size(); ++i) {
        const QString text = QStringLiteral("%1  %2 (%3)")
                                 .arg(m_parts[i].name, fmt::bytes(m_parts[i].bytes),
                                      fmt::percent(m_parts[i].bytes, m_total));
        const int w = kSwatch + 5 + fm.horizontalAdvance(text);
        if (x + w > width()) {
            break;
        }
        p.fillRect(QRect(x, y + (fm.height() - kSwatch) / 2, kSwatch, kSwatch),
                   colorAt(static_cast<int>(i)));
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(x + kSwatch + 5, y, w, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   text);
        x += w + 18;
    }
}

}  // namespace ckpt::ui
