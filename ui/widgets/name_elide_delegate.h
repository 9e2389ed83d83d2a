#pragma once
// Paints tree names that do not fit by keeping their end whole: a dotted or slashed key loses
// the middle of its prefix, not the parts that tell siblings apart. So
// "base_model.model.encoder.layer.11.output.dense.lora_A.default.weight" shows as
// "base_model.mo…lora_A.default.weight" and "bn1.running_mean" never becomes "bn1.runn…".

#include <QStyledItemDelegate>

namespace ckpt::ui {

/// Set on the checkpoint tree's name column.
class NameElideDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    /// `text` as it fits in `width` pixels: whole when it fits; else an elided head and a tail
    /// of whole dotted/slashed parts (at least the last one, up to about two thirds of the
    /// room, and always from the part holding `keepFrom` when that fits); a text without such
    /// parts is elided in the middle.
    [[nodiscard]] static QString elide(const QString& text, const QFontMetrics& fm, int width,
                                       qsizetype keepFrom = -1);
    /// Where `index`'s name starts to differ from the names of the rows above and below it
    /// (the part a reader needs to tell them apart), or -1.
    [[nodiscard]] static qsizetype distinguishingPosition(const QModelIndex& index);

    /// Paints the item as usual, its text elided by elide() from distinguishingPosition().
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

}  // namespace ckpt::ui
