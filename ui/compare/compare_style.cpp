#include "ui/compare/compare_style.h"

#include <QObject>
#include <QPainter>
#include <QPixmap>

namespace ckpt::ui::compare_style {

using core::ConfigChangeKind;
using core::TensorDiffStatus;

QString statusText(TensorDiffStatus s) {
    switch (s) {
        case TensorDiffStatus::Equal:
            return QObject::tr("equal");
        case TensorDiffStatus::Changed:
            return QObject::tr("changed");
        case TensorDiffStatus::ShapeChanged:
            return QObject::tr("shape changed");
        case TensorDiffStatus::DtypeChanged:
            return QObject::tr("dtype changed");
        case TensorDiffStatus::Added:
            return QObject::tr("added");
        case TensorDiffStatus::Removed:
            return QObject::tr("removed");
    }
    return {};
}

QColor statusBackground(TensorDiffStatus s) {
    switch (s) {
        case TensorDiffStatus::Equal:
            return {};
        case TensorDiffStatus::Changed:
            return {0xfc, 0xe4, 0xa8};  // amber
        case TensorDiffStatus::ShapeChanged:
            return {0xe2, 0xd2, 0xf7};  // violet
        case TensorDiffStatus::DtypeChanged:
            return {0xcf, 0xe3, 0xf8};  // blue
        case TensorDiffStatus::Added:
            return {0xcd, 0xf0, 0xc4};  // green
        case TensorDiffStatus::Removed:
            return {0xf8, 0xc9, 0xc9};  // red
    }
    return {};
}

QColor statusForeground(TensorDiffStatus s) {
    return s == TensorDiffStatus::Equal ? QColor() : QColor(0x20, 0x20, 0x20);
}

QString tensorName(const core::TensorDiff& t) {
    return QString::fromStdString(t.aPath.empty() ? t.bPath : t.aPath);
}

QString pairedByText(core::PairedBy p) {
    switch (p) {
        case core::PairedBy::None:
            return {};
        case core::PairedBy::Rule:
            return QObject::tr("map");
        case core::PairedBy::Name:
            return QObject::tr("name");
        case core::PairedBy::Layer:
            return QObject::tr("layer");
        case core::PairedBy::WeightOrder:
            return QObject::tr("weight order");
        case core::PairedBy::Position:
            return QObject::tr("position");
        case core::PairedBy::Shape:
            return QObject::tr("shape");
    }
    return {};
}

QString pairedByToolTip(core::PairedBy p) {
    if (p == core::PairedBy::None) {
        return QObject::tr("Only on one side: not paired");
    }
    QString text = QObject::tr("Paired by %1").arg(sv(core::pairedByDescription(p)));
    if (core::pairedByGuess(p)) {
        text += QObject::tr(" — a guess: check that A and B hold the same thing");
    }
    return text;
}

QIcon guessedPairIcon() {
    QIcon icon;
    for (const int side : {16, 32}) {
        QPixmap pm(side, side);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal s = side / 16.0;
        p.setPen(QPen(QColor(0x8a, 0x5a, 0x00), 1.0 * s));
        p.setBrush(QColor(0xf5, 0xb0, 0x20));
        p.drawEllipse(QRectF(1 * s, 1 * s, 14 * s, 14 * s));
        QFont f = p.font();
        f.setPixelSize(static_cast<int>(12 * s));
        f.setBold(true);
        p.setFont(f);
        p.setPen(QColor(0x20, 0x20, 0x20));
        p.drawText(QRectF(0, 0, side, side), Qt::AlignCenter, QStringLiteral("≈"));
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

QColor configBackground(ConfigChangeKind k) {
    switch (k) {
        case ConfigChangeKind::LayerAdded:
        case ConfigChangeKind::FieldAdded:
            return statusBackground(TensorDiffStatus::Added);
        case ConfigChangeKind::LayerRemoved:
        case ConfigChangeKind::FieldRemoved:
            return statusBackground(TensorDiffStatus::Removed);
        case ConfigChangeKind::LayerRenamed:
            return statusBackground(TensorDiffStatus::DtypeChanged);
        case ConfigChangeKind::FieldChanged:
            return statusBackground(TensorDiffStatus::Changed);
    }
    return {};
}

QString configKindText(ConfigChangeKind k) {
    switch (k) {
        case ConfigChangeKind::LayerAdded:
            return QObject::tr("+ layer");
        case ConfigChangeKind::LayerRemoved:
            return QObject::tr("− layer");
        case ConfigChangeKind::LayerRenamed:
            return QObject::tr("renamed");
        case ConfigChangeKind::FieldAdded:
            return QObject::tr("+ field");
        case ConfigChangeKind::FieldRemoved:
            return QObject::tr("− field");
        case ConfigChangeKind::FieldChanged:
            return QObject::tr("changed");
    }
    return {};
}

}  // namespace ckpt::ui::compare_style
