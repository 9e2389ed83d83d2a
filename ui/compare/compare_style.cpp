#include "ui/compare/compare_style.h"

#include <QObject>

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
