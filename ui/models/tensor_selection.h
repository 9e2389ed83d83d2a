#pragma once
// The tensor the user selected, with what keeps it readable (its checkpoint).

#include <QString>
#include <memory>

namespace ckpt::core {
class Checkpoint;
class Node;
class Tensor;
}  // namespace ckpt::core

namespace ckpt::ui {

/// Default-constructed (all null): nothing selected.
struct TensorSelection {
    std::shared_ptr<const core::Checkpoint> checkpoint;  ///< keeps the tensor readable
    std::shared_ptr<const core::Tensor> tensor;  ///< null when the selection is not a tensor
    QString path;                                ///< the node's path inside the checkpoint

    /// True when a tensor is selected.
    [[nodiscard]] bool isValid() const { return tensor != nullptr; }
};

}  // namespace ckpt::ui
