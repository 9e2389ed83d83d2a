#include "ui/widgets/name_elide_delegate.h"

#include <QApplication>
#include <QPainter>
#include <algorithm>

namespace ckpt::ui {

namespace {

bool isSeparator(QChar ch) {
    return ch == QLatin1Char('.') || ch == QLatin1Char('/') || ch == QLatin1Char('_');
}

}  // namespace

qsizetype NameElideDelegate::distinguishingPosition(const QModelIndex& index) {
    const QString text = index.data().toString();
    qsizetype common = -1;
    for (const int delta : {-1, 1}) {
        const QModelIndex other = index.siblingAtRow(index.row() + delta);
        if (!other.isValid()) {
            continue;
        }
        const QString name = other.data().toString();
        qsizetype i = 0;
        while (i < text.size() && i < name.size() && text[i] == name[i]) {
            ++i;
        }
        common = std::max(common, i);
    }
    return common >= text.size() ? -1 : common;
}

QString NameElideDelegate::elide(const QString& text, const QFontMetrics& fm, int width,
                                 qsizetype keepFrom) {
    if (width <= 0 || fm.horizontalAdvance(text) <= width) {
        return text;
    }
    const QString ellipsis(QChar(0x2026));
    if (keepFrom > 0 && keepFrom < text.size()) {
        // Start the tail at the part where the name differs from its neighbours.
        qsizetype start = keepFrom;
        while (start > 0 && !isSeparator(text[start - 1])) {
            --start;
        }
        const QString tail = text.mid(start);
        const int room = width - fm.horizontalAdvance(tail);
        if (room >= fm.horizontalAdvance(ellipsis)) {
            const int tailRoom = width * 2 / 3;
            if (fm.horizontalAdvance(tail) <= tailRoom) {
                keepFrom = -1;  // the usual rule keeps at least this much
            } else {
                return fm.elidedText(text.left(start), Qt::ElideRight, room) + tail;
            }
        }
    }
    const int tailRoom = width * 2 / 3;
    // Grow the tail part by part from the end while it fits its share of the room.
    qsizetype tailStart = -1;
    for (qsizetype i = text.size() - 1; i > 0; --i) {
        const QChar ch = text[i - 1];
        if (ch != QLatin1Char('.') && ch != QLatin1Char('/')) {
            continue;  // whole dotted/slashed parts only
        }
        if (fm.horizontalAdvance(text.mid(i)) > tailRoom) {
            break;
        }
        tailStart = i;
    }
    if (tailStart <= 0) {
        return fm.elidedText(text, Qt::ElideMiddle, width);
    }
    const QString tail = text.mid(tailStart);
    const QString head =
        fm.elidedText(text.left(tailStart), Qt::ElideRight, width - fm.horizontalAdvance(tail));
    return head + tail;
}

void NameElideDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget* widget = option.widget;
    QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
    const QRect textRect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
    opt.text = elide(opt.text, opt.fontMetrics, textRect.width() - 2 * margin,
                     distinguishingPosition(index));
    opt.textElideMode = Qt::ElideNone;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
}

}  // namespace ckpt::ui
