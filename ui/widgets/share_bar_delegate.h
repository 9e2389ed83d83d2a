#pragma once
// Paints a cell's share of a whole (a layer's part of all parameters) as a soft bar behind the
// text, so the heavy layers stand out in the layer table at a glance.

#include <QStyledItemDelegate>

namespace ckpt::ui {

/// Set on the Overview's Params (layers) and Bytes (modules) columns.
class ShareBarDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    /// `shareRole` holds a double in [0, 1]; cells without it paint as usual.
    explicit ShareBarDelegate(int shareRole, QObject* parent = nullptr);

    /// Paints the bar (faint, in the Highlight colour; none on selected cells) under the usual
    /// cell.
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

private:
    int m_shareRole;
};

}  // namespace ckpt::ui
