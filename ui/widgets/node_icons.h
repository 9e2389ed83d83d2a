#pragma once
// Small icons for the kinds of tree nodes, painted in code so they need no image plugin and
// stay legible on light and dark palettes (mid-tone fills with a darker outline).

#include <QIcon>

namespace ckpt::ui {

/// Each icon is painted once and kept; static functions only.
class NodeIcons {
public:
    /// The icon of a core::NodeKind given as int; an unknown kind gives the group icon.
    [[nodiscard]] static QIcon forKind(int kind);
    /// The icon of an opened checkpoint (a top-level document row).
    [[nodiscard]] static QIcon document();
    /// The application icon (a stack of tensors).
    [[nodiscard]] static QIcon application();
};

}  // namespace ckpt::ui
