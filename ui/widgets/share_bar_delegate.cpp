#include "ui/widgets/share_bar_delegate.h"

#include <QPainter>
#include <algorithm>

namespace ckpt::ui {

ShareBarDelegate::ShareBarDelegate(int shareRole, QObject* parent)
    : QStyledItemDelegate(parent), m_shareRole(shareRole) {}

void ShareBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const {
    const QVariant share = index.data(m_shareRole);
    if (share.isValid() && !(option.state & QStyle::State_Selected)) {
        const double f = std::clamp(share.toDouble(), 0.0, 1.0);
        QColor bar = option.palette.color(QPalette::Highlight);
        bar.setAlphaF(0.22f);
        const QRect r = option.rect.adjusted(2, 3, -2, -3);
        const int w = static_cast<int>(r.width() * f);
        if (w > 0) {
            painter->fillRect(QRect(r.left(), r.top(), w, r.height()), bar);
        }
    }
    QStyledItemDelegate::paint(painter, option, index);
}

}  // namespace ckpt::ui
