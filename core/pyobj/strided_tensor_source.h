#pragma once
/// A TensorSource for a view onto a storage: element (i0, i1, ...) sits at storage element
/// offset + sum(i_k * stride_k). Reads gather the elements in row-major order of the view.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/model/tensor.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pyobj {

/// Gathers strided elements from `storage` (all its bytes; element size `elementSize`). The
/// caller checks that every reachable element lies inside the storage. Thread-safe.
class StridedTensorSource final : public TensorSource {
public:
    StridedTensorSource(std::shared_ptr<const ByteSource> storage, std::size_t elementSize,
                        std::uint64_t offset, std::vector<std::uint64_t> shape,
                        std::vector<std::uint64_t> strides, bool swap);

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override;
    [[nodiscard]] std::string storageDescription() const override;

private:
    std::shared_ptr<const ByteSource> m_storage;
    std::size_t m_elementSize;
    std::uint64_t m_offset;
    std::vector<std::uint64_t> m_shape;
    std::vector<std::uint64_t> m_strides;
    bool m_swap;
};

/// True when `strides` are the row-major strides of `shape` (dimensions of size 1 ignored).
[[nodiscard]] bool isRowMajor(const std::vector<std::uint64_t>& shape,
                              const std::vector<std::uint64_t>& strides);

/// One past the highest storage element a view reaches (offset when it has no elements), or
/// nullopt on overflow.
[[nodiscard]] std::optional<std::uint64_t> viewExtent(std::uint64_t offset,
                                                      const std::vector<std::uint64_t>& shape,
                                                      const std::vector<std::uint64_t>& strides);

}  // namespace ckpt::core::pyobj
