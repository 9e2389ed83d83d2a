#include "core/model/tensor.h"

#include <limits>
#include <span>

#include "core/io/byte_source.h"
#include "core/util/error.h"

namespace ckpt::core {

Tensor::Tensor(DType dtype, std::vector<std::uint64_t> shape,
               std::shared_ptr<const TensorSource> source)
    : m_dtype(dtype), m_shape(std::move(shape)), m_source(std::move(source)) {}

std::uint64_t Tensor::numel() const {
    std::uint64_t n = 1;
    for (const auto d : m_shape) {
        if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) {
            return std::numeric_limits<std::uint64_t>::max();
        }
        n *= d;
    }
    return n;
}

std::uint64_t Tensor::nbytes() const {
    const auto n = numel();
    const auto size = dtypeSize(m_dtype) != 0 ? dtypeSize(m_dtype) : m_itemSize;
    if (size != 0 && n > std::numeric_limits<std::uint64_t>::max() / size) {
        return std::numeric_limits<std::uint64_t>::max();
    }
    return n * size;
}

std::uint64_t Tensor::storedBytes() const {
    return m_encoding.name.empty() ? nbytes() : m_encoding.storedBytes;
}

std::string Tensor::typeLabel() const {
    if (m_encoding.name.empty()) {
        return std::string(dtypeName(m_dtype));
    }
    if (m_dtype == DType::Other || m_dtype == DType::String) {
        return m_encoding.name;
    }
    return m_encoding.name + " (" + std::string(dtypeName(m_dtype)) + ")";
}

bool Tensor::readable() const {
    return m_source != nullptr && dtypeSize(m_dtype) != 0;
}

void Tensor::readRaw(std::uint64_t first, std::uint64_t count, std::byte* out) const {
    if (!readable()) {
        throw UnsupportedError("tensor data of type " + std::string(dtypeName(m_dtype)) +
                               " cannot be read");
    }
    const auto n = numel();
    if (first > n || count > n - first) {
        throw CorruptDataError("element range " + std::to_string(first) + "+" +
                               std::to_string(count) + " is outside a tensor of " +
                               std::to_string(n) + " elements");
    }
    if (count > 0) {
        m_source->read(first, count, out);
    }
}

void Tensor::readAsDouble(std::uint64_t first, std::uint64_t count, double* out) const {
    const auto size = dtypeSize(m_dtype);
    std::vector<std::byte> raw(static_cast<std::size_t>(count * size));
    readRaw(first, count, raw.data());
    convertToDouble(m_dtype, raw.data(), static_cast<std::size_t>(count), out);
}

std::string Tensor::shapeText() const {
    std::string out = "[";
    for (std::size_t i = 0; i < m_shape.size(); ++i) {
        out += (i ? ", " : "") + std::to_string(m_shape[i]);
    }
    return out + "]";
}

ContiguousTensorSource::ContiguousTensorSource(std::shared_ptr<const ByteSource> bytes,
                                               std::uint64_t offset, std::size_t elementSize,
                                               std::uint64_t numel, bool swap)
    : m_bytes(std::move(bytes)),
      m_offset(offset),
      m_elementSize(elementSize),
      m_numel(numel),
      m_swap(swap) {}

void ContiguousTensorSource::read(std::uint64_t first, std::uint64_t count, std::byte* out) const {
    if (first > m_numel || count > m_numel - first) {
        throw CorruptDataError("element range outside the tensor");
    }
    const auto nbytes = static_cast<std::size_t>(count * m_elementSize);
    m_bytes->read(m_offset + first * m_elementSize, std::span<std::byte>(out, nbytes));
    if (m_swap) {
        byteSwap(out, static_cast<std::size_t>(count), m_elementSize);
    }
}

std::string ContiguousTensorSource::storageDescription() const {
    return "contiguous, " + std::to_string(m_numel * m_elementSize) + " bytes at offset " +
           std::to_string(m_bytes->fileOffset() + m_offset);
}

std::optional<TensorSource::FileExtent> ContiguousTensorSource::fileExtent() const {
    auto file = m_bytes->filePath();
    if (m_swap || file.empty()) {
        return std::nullopt;
    }
    return FileExtent{std::move(file), m_bytes->fileOffset() + m_offset};
}

}  // namespace ckpt::core
