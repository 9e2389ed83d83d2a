#pragma once
/// A tensor: its type and shape, and a lazy reader of its elements.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/dtype.h"

namespace ckpt::core {

class ByteSource;

/// Reads element ranges of one tensor on demand. Implementations are thread-safe and never read
/// more than asked; the element data is returned in native byte order.
class TensorSource {
public:
    virtual ~TensorSource() = default;

    /// Copies elements [first, first+count) in storage order into `out`, which holds at least
    /// count * elementSize bytes. Throws CorruptDataError for truncated or unreadable data.
    virtual void read(std::uint64_t first, std::uint64_t count, std::byte* out) const = 0;

    /// A short description of where the bytes live ("contiguous at offset 2048", "chunked,
    /// gzip"), for the UI.
    [[nodiscard]] virtual std::string storageDescription() const { return {}; }

    /// Where element 0 sits in a file on disk, when the elements are stored there contiguously
    /// in native byte order, so a streaming consumer may read them with its own read calls
    /// (memory then does not grow with the mapped pages it touched). Empty otherwise.
    struct FileExtent {
        std::filesystem::path file;
        std::uint64_t offset = 0;
    };
    [[nodiscard]] virtual std::optional<FileExtent> fileExtent() const { return std::nullopt; }
};

/// Type, shape and data of one tensor. Shape and dtype are known without reading any data.
class Tensor {
public:
    Tensor(DType dtype, std::vector<std::uint64_t> shape,
           std::shared_ptr<const TensorSource> source = nullptr);

    [[nodiscard]] DType dtype() const { return m_dtype; }
    [[nodiscard]] const std::vector<std::uint64_t>& shape() const { return m_shape; }
    /// Number of elements (1 for a scalar).
    [[nodiscard]] std::uint64_t numel() const;
    /// Bytes of element data: numel * element size (itemSize() for string/other types, 0 when
    /// that is unknown).
    [[nodiscard]] std::uint64_t nbytes() const;
    /// Elements are stored column-major (npy fortran_order, joblib order 'F').
    [[nodiscard]] bool fortranOrder() const { return m_fortranOrder; }
    void setFortranOrder(bool f) { m_fortranOrder = f; }
    /// Byte order in the file; reads are always converted to native order.
    [[nodiscard]] ByteOrder fileByteOrder() const { return m_fileByteOrder; }
    void setFileByteOrder(ByteOrder o) { m_fileByteOrder = o; }
    /// A dtype name to show when dtype() is Other/String (e.g. an HDF5 compound description).
    [[nodiscard]] const std::string& dtypeDetail() const { return m_dtypeDetail; }
    void setDtypeDetail(std::string d) { m_dtypeDetail = std::move(d); }

    /// Bytes per element for a dtype without a size of its own (Other/String: a numpy structured
    /// or datetime type, fixed-length strings), so that nbytes() is right; 0 when unknown.
    [[nodiscard]] std::size_t itemSize() const { return m_itemSize; }
    void setItemSize(std::size_t n) { m_itemSize = n; }

    /// How the elements are stored when that is not dtype() itself: a block-quantised encoding
    /// such as GGUF's "Q4_K", read through a source that decodes it (dtype() is then what reads
    /// produce, e.g. float32) or not read at all (dtype() Other). `storedBytes` is what the
    /// elements take in the file. Empty name: stored as dtype().
    struct Encoding {
        std::string name;
        std::uint64_t storedBytes = 0;
    };
    [[nodiscard]] const Encoding& encoding() const { return m_encoding; }
    void setEncoding(Encoding e) { m_encoding = std::move(e); }
    /// Bytes the elements take in the file: the encoding's when there is one, else nbytes().
    [[nodiscard]] std::uint64_t storedBytes() const;
    /// The type to show: "float32", or the encoding with what it reads as ("Q4_K (float32)"),
    /// or the encoding alone when it is not decoded ("IQ2_XXS").
    [[nodiscard]] std::string typeLabel() const;

    /// True when element data can be read (numeric type and a source).
    [[nodiscard]] bool readable() const;
    [[nodiscard]] const TensorSource* source() const { return m_source.get(); }

    /// Reads elements [first, first+count) in storage order as native-order raw bytes.
    void readRaw(std::uint64_t first, std::uint64_t count, std::byte* out) const;
    /// Reads elements [first, first+count) converted to double.
    void readAsDouble(std::uint64_t first, std::uint64_t count, double* out) const;

    /// "[3, 4]" style text of the shape; "[]" for a scalar.
    [[nodiscard]] std::string shapeText() const;

private:
    DType m_dtype;
    std::vector<std::uint64_t> m_shape;
    std::shared_ptr<const TensorSource> m_source;
    bool m_fortranOrder = false;
    ByteOrder m_fileByteOrder = ByteOrder::Little;
    std::string m_dtypeDetail;
    std::size_t m_itemSize = 0;
    Encoding m_encoding;
};

/// A TensorSource over a contiguous byte range of a memory-backed ByteSource (safetensors, npy,
/// contiguous HDF5 datasets, stored zip members). Reads need no lock.
class ContiguousTensorSource final : public TensorSource {
public:
    /// `offset` is where element 0 starts inside `bytes`; `swap` converts from big-endian.
    ContiguousTensorSource(std::shared_ptr<const ByteSource> bytes, std::uint64_t offset,
                           std::size_t elementSize, std::uint64_t numel, bool swap);
    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override;
    [[nodiscard]] std::string storageDescription() const override;
    [[nodiscard]] std::optional<FileExtent> fileExtent() const override;

private:
    std::shared_ptr<const ByteSource> m_bytes;
    std::uint64_t m_offset;
    std::size_t m_elementSize;
    std::uint64_t m_numel;
    bool m_swap;
};

}  // namespace ckpt::core
