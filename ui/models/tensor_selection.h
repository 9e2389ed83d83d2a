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

struct TensorSelection {
    std::shared_ptr<const core::Checkpoint> checkpoint;
    std::shared_ptr<const core::Tensor> tensor;  ///< null when the selection is not a tensor
    QString path;                                ///< the node's path inside the checkpoint

    [[nodiscard]] bool isValid() const { return tensor != nullptr; }
};

}  // namespace ckpt::ui
