#pragma once
// How a tree node reads in the UI: its type ("float32", "group", "torch.nn.Linear"), its
// shape or short value, and a tooltip.

#include <QString>

namespace ckpt::core {
class Node;
}

namespace ckpt::ui {

/// Texts that describe a core::Node in the tree; static functions only.
class NodeText {
public:
    /// dtype for tensors (or the reader's detail for non-numeric ones), the kind otherwise.
    [[nodiscard]] static QString type(const core::Node& n);
    /// "[3, 4]" for tensors, the value (one line, at most `maxChars`) for values, else empty.
    [[nodiscard]] static QString shapeOrValue(const core::Node& n, int maxChars = 80);
    /// Rich-text tooltip: path, type, and shape/elements/bytes, value or child count.
    [[nodiscard]] static QString toolTip(const core::Node& n);
};

}  // namespace ckpt::ui
