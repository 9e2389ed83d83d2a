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

std::string_view pairedByName(PairedBy p) {
    switch (p) {
        case PairedBy::None:
            return "";
        case PairedBy::Rule:
            return "map";
        case PairedBy::Name:
            return "name";
        case PairedBy::Layer:
            return "layer";
        case PairedBy::WeightOrder:
            return "weight_order";
        case PairedBy::Position:
            return "position";
        case PairedBy::Shape:
            return "shape";
    }
    return "?";
}

std::string_view pairedByDescription(PairedBy p) {
    switch (p) {
        case PairedBy::None:
            return "not paired";
        case PairedBy::Rule:
            return "a --map rule";
        case PairedBy::Name:
            return "the same name";
        case PairedBy::Layer:
            return "the same layer and weight index";
        case PairedBy::WeightOrder:
            return "the same layer, Keras 3 variable index against legacy weight_names order";
        case PairedBy::Position:
            return "layer position, class and weight shapes (names differ)";
        case PairedBy::Shape:
            return "order and equal shape only (names differ)";
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
