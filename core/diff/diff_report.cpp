#include "core/diff/diff_report.h"

namespace ckpt::core {

std::string_view tensorDiffStatusName(TensorDiffStatus s) {
    switch (s) {
        case TensorDiffStatus::Equal:
            return "equal";
        case TensorDiffStatus::Changed:
            return "changed";
        case TensorDiffStatus::ShapeChanged:
            return "shape_changed";
        case TensorDiffStatus::DtypeChanged:
            return "dtype_changed";
        case TensorDiffStatus::Added:
            return "added";
        case TensorDiffStatus::Removed:
            return "removed";
    }
    return "?";
}

std::string_view configChangeKindName(ConfigChangeKind k) {
    switch (k) {
        case ConfigChangeKind::LayerAdded:
            return "layer_added";
        case ConfigChangeKind::LayerRemoved:
            return "layer_removed";
        case ConfigChangeKind::LayerRenamed:
            return "layer_renamed";
        case ConfigChangeKind::FieldAdded:
            return "field_added";
        case ConfigChangeKind::FieldRemoved:
            return "field_removed";
        case ConfigChangeKind::FieldChanged:
            return "field_changed";
    }
    return "?";
}

}  // namespace ckpt::core
