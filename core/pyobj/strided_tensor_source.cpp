#include "core/pyobj/strided_tensor_source.h"

#include <algorithm>
#include <optional>
#include <span>

#include "core/io/byte_source.h"
#include "core/pyobj/wide_int.h"
#include "core/util/error.h"

namespace ckpt::core::pyobj {

namespace {

constexpr std::uint64_t kMaxGatherWindow = 1U << 20;  // bytes read at once for one strided run

}  // namespace

bool isRowMajor(const std::vector<std::uint64_t>& shape,
                const std::vector<std::uint64_t>& strides) {
    if (shape.size() != strides.size()) {
        return false;
    }
    std::uint64_t expected = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        if (shape[i] != 1 && strides[i] != expected) {
            return false;
        }
        expected *= shape[i];
    }
    return true;
}

std::optional<std::uint64_t> viewExtent(std::uint64_t offset,
                                        const std::vector<std::uint64_t>& shape,
                                        const std::vector<std::uint64_t>& strides) {
    U128 last = offset;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == 0) {
            return offset;
        }
        last += static_cast<U128>(shape[i] - 1) * strides[i];
    }
    if (last + 1 > std::numeric_limits<std::uint64_t>::max()) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(last + 1);
}

StridedTensorSource::StridedTensorSource(std::shared_ptr<const ByteSource> storage,
                                         std::size_t elementSize, std::uint64_t offset,
                                         std::vector<std::uint64_t> shape,
                                         std::vector<std::uint64_t> strides, bool swap)
    : m_storage(std::move(storage)),
      m_elementSize(elementSize),
      m_offset(offset),
      m_shape(std::move(shape)),
      m_strides(std::move(strides)),
      m_swap(swap) {}

void StridedTensorSource::read(std::uint64_t first, std::uint64_t count, std::byte* out) const {
    if (count == 0) {
        return;
    }
    const std::size_t rank = m_shape.size();
    if (rank == 0) {
        m_storage->read(m_offset * m_elementSize, std::span<std::byte>(out, m_elementSize));
    } else {
        // Multi-index of `first`, then walk runs along the innermost dimension.
        std::vector<std::uint64_t> index(rank, 0);
        std::uint64_t rest = first;
        for (std::size_t i = rank; i-- > 0;) {
            index[i] = rest % m_shape[i];
            rest /= m_shape[i];
        }
        const std::uint64_t innerStride = m_strides[rank - 1];
        std::vector<std::byte> window;
        std::uint64_t done = 0;
        while (done < count) {
            std::uint64_t base = m_offset;
            for (std::size_t i = 0; i < rank; ++i) {
                base += index[i] * m_strides[i];
            }
            const std::uint64_t run = std::min(m_shape[rank - 1] - index[rank - 1], count - done);
            std::byte* dst = out + done * m_elementSize;
            if (innerStride == 1) {
                m_storage->read(base * m_elementSize,
                                std::span<std::byte>(dst, run * m_elementSize));
            } else {
                // Read the span the run covers in bounded windows, then pick the elements.
                std::uint64_t k = 0;
                while (k < run) {
                    const std::uint64_t perWindow = std::max<std::uint64_t>(
                        1,
                        kMaxGatherWindow / std::max<std::uint64_t>(1, innerStride * m_elementSize));
                    const std::uint64_t n = std::min(run - k, perWindow);
                    const std::uint64_t span = ((n - 1) * innerStride + 1) * m_elementSize;
                    window.resize(span);
                    m_storage->read((base + k * innerStride) * m_elementSize, window);
                    for (std::uint64_t j = 0; j < n; ++j) {
                        std::copy_n(window.data() + j * innerStride * m_elementSize, m_elementSize,
                                    dst + (k + j) * m_elementSize);
                    }
                    k += n;
                }
            }
            done += run;
            index[rank - 1] += run;
            for (std::size_t i = rank; i-- > 1 && index[i] >= m_shape[i];) {
                index[i] = 0;
                ++index[i - 1];
            }
        }
    }
    if (m_swap) {
        byteSwap(out, static_cast<std::size_t>(count), m_elementSize);
    }
}

std::string StridedTensorSource::storageDescription() const {
    std::string strides;
    for (std::size_t i = 0; i < m_strides.size(); ++i) {
        strides += (i ? ", " : "") + std::to_string(m_strides[i]);
    }
    return "strided view (offset " + std::to_string(m_offset) + ", strides [" + strides +
           "]) of a " + std::to_string(m_storage->size()) + "-byte storage at offset " +
           std::to_string(m_storage->fileOffset());
}

}  // namespace ckpt::core::pyobj
