#include "core/io/hdf5_dataset.h"

#include <algorithm>
#include <span>

#include "core/io/byte_source.h"
#include "core/io/hdf5_attributes.h"
#include "core/io/hdf5_file.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

/// Datasets up to this many elements are always read, however sparse.
constexpr std::uint64_t kAlwaysReadElements = std::uint64_t{1} << 24;

/// Reads through HDF5: a linear element range of a row-major n-d dataset becomes a union of at
/// most 2*rank-1 hyperslab blocks, read in one H5Dread into a 1-D memory space.
class Hdf5DatasetSource final : public TensorSource {
public:
    Hdf5DatasetSource(std::shared_ptr<Hdf5File> file, std::string path, std::vector<hsize_t> dims,
                      std::string layout)
        : m_file(std::move(file)),
          m_path(std::move(path)),
          m_dims(std::move(dims)),
          m_layout(std::move(layout)) {}

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        Hdf5Lock lock(hdf5Mutex());
        H5Id dset(h5check(H5Dopen2(m_file->id(), m_path.c_str(), H5P_DEFAULT),
                          "cannot open dataset '" + m_path + "'"));
        H5Id fileType(h5check(H5Dget_type(dset.get()), "dataset type"));
        H5Id memType(h5check(H5Tcopy(fileType.get()), "copy dataset type"));
        const H5T_class_t cls = H5Tget_class(fileType.get());
        if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
            H5Tset_order(memType.get(), H5T_ORDER_LE);
        }
        H5Id fileSpace(h5check(H5Dget_space(dset.get()), "dataset dataspace"));
        if (m_dims.empty()) {
            h5checkStatus(H5Sselect_all(fileSpace.get()), "select scalar");
        } else {
            h5checkStatus(H5Sselect_none(fileSpace.get()), "clear selection");
            std::vector<hsize_t> prefix;
            selectRange(fileSpace.get(), 0, prefix, first, first + count);
        }
        const hsize_t memCount = count;
        H5Id memSpace(h5check(H5Screate_simple(1, &memCount, nullptr), "memory dataspace"));
        h5checkStatus(
            H5Dread(dset.get(), memType.get(), memSpace.get(), fileSpace.get(), H5P_DEFAULT, out),
            "cannot read dataset '" + m_path + "'");
    }

    [[nodiscard]] std::string storageDescription() const override { return m_layout; }

private:
    [[nodiscard]] hsize_t stride(std::size_t dim) const {
        hsize_t s = 1;
        for (std::size_t i = dim + 1; i < m_dims.size(); ++i) {
            s *= m_dims[i];
        }
        return s;
    }

    void addBlock(hid_t space, const std::vector<hsize_t>& prefix, std::size_t dim, hsize_t lo,
                  hsize_t hi) const {
        std::vector<hsize_t> start(m_dims.size(), 0);
        std::vector<hsize_t> cnt(m_dims.size(), 1);
        for (std::size_t i = 0; i < prefix.size(); ++i) {
            start[i] = prefix[i];
        }
        start[dim] = lo;
        cnt[dim] = hi - lo;
        for (std::size_t i = dim + 1; i < m_dims.size(); ++i) {
            cnt[i] = m_dims[i];
        }
        h5checkStatus(
            H5Sselect_hyperslab(space, H5S_SELECT_OR, start.data(), nullptr, cnt.data(), nullptr),
            "select hyperslab");
    }

    /// Selects linear elements [a, b) of the sub-array at `dim` below `prefix`.
    void selectRange(hid_t space, std::size_t dim, std::vector<hsize_t>& prefix, hsize_t a,
                     hsize_t b) const {
        if (a >= b) {
            return;
        }
        const hsize_t s = stride(dim);
        hsize_t i0 = a / s;
        const hsize_t i1 = (b - 1) / s;
        if (i0 == i1 && (a % s != 0 || b % s != 0 || b - a != s)) {
            prefix.push_back(i0);
            selectRange(space, dim + 1, prefix, a - i0 * s, b - i0 * s);
            prefix.pop_back();
            return;
        }
        if (a % s != 0) {  // partial head row
            prefix.push_back(i0);
            selectRange(space, dim + 1, prefix, a - i0 * s, s);
            prefix.pop_back();
            ++i0;
        }
        const hsize_t fullEnd = b / s;  // rows [i0, fullEnd) are whole
        if (fullEnd > i0) {
            addBlock(space, prefix, dim, i0, fullEnd);
        }
        if (b % s != 0 && fullEnd >= i0) {  // partial tail row
            prefix.push_back(fullEnd);
            selectRange(space, dim + 1, prefix, 0, b - fullEnd * s);
            prefix.pop_back();
        }
    }

    std::shared_ptr<Hdf5File> m_file;
    std::string m_path;
    std::vector<hsize_t> m_dims;
    std::string m_layout;
};

std::string describeType(hid_t type) {
    switch (H5Tget_class(type)) {
        case H5T_COMPOUND:
            return "compound (" + std::to_string(H5Tget_nmembers(type)) + " fields)";
        case H5T_OPAQUE:
            return "opaque, " + std::to_string(H5Tget_size(type)) + " bytes";
        case H5T_REFERENCE:
            return "reference";
        case H5T_ARRAY:
            return "array type";
        case H5T_VLEN:
            return "variable-length sequence";
        case H5T_BITFIELD:
            return "bitfield";
        default:
            return "unsupported type";
    }
}

}  // namespace

DType dtypeFromHdf5(hid_t type, const std::string& dtypeAttr, std::string& detail) {
    const H5T_class_t cls = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (dtypeAttr == "bfloat16" && size == 2) {
        return DType::BFloat16;
    }
    switch (cls) {
        case H5T_INTEGER: {
            const bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
            switch (size) {
                case 1:
                    return isSigned ? DType::Int8 : DType::UInt8;
                case 2:
                    return isSigned ? DType::Int16 : DType::UInt16;
                case 4:
                    return isSigned ? DType::Int32 : DType::UInt32;
                case 8:
                    return isSigned ? DType::Int64 : DType::UInt64;
                default:
                    break;
            }
            break;
        }
        case H5T_FLOAT: {
            if (size == 2) {
                std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
                H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize);
                return esize == 8 ? DType::BFloat16 : DType::Float16;
            }
            if (size == 4) {
                return DType::Float32;
            }
            if (size == 8) {
                return DType::Float64;
            }
            break;
        }
        case H5T_ENUM:
            if (size == 1 && H5Tget_nmembers(type) == 2) {
                return DType::Bool;  // h5py's bool: enum int8 {FALSE=0, TRUE=1}
            }
            break;
        case H5T_STRING:
            detail = H5Tis_variable_str(type) > 0 ? "str (variable length)"
                                                  : "bytes (" + std::to_string(size) + " each)";
            return DType::String;
        case H5T_COMPOUND:
            if (H5Tget_nmembers(type) == 2 && (size == 8 || size == 16)) {
                char* n0 = H5Tget_member_name(type, 0);
                char* n1 = H5Tget_member_name(type, 1);
                const bool complex = n0 && n1 && std::string(n0) == "r" && std::string(n1) == "i";
                H5free_memory(n0);
                H5free_memory(n1);
                if (complex) {
                    return size == 8 ? DType::Complex64 : DType::Complex128;
                }
            }
            break;
        default:
            break;
    }
    detail = describeType(type);
    return DType::Other;
}

std::shared_ptr<Tensor> openDatasetTensor(const std::shared_ptr<Hdf5File>& file,
                                          const std::string& path) {
    Hdf5Lock lock(hdf5Mutex());
    H5Id dset(h5check(H5Dopen2(file->id(), path.c_str(), H5P_DEFAULT),
                      "cannot open dataset '" + path + "'"));
    return datasetTensor(file, path, dset.get());
}

std::shared_ptr<Tensor> datasetTensor(const std::shared_ptr<Hdf5File>& file,
                                      const std::string& path, hid_t dataset) {
    Hdf5Lock lock(hdf5Mutex());
    H5Id type(h5check(H5Dget_type(dataset), "dataset type of '" + path + "'"));
    H5Id space(h5check(H5Dget_space(dataset), "dataspace of '" + path + "'"));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > H5S_MAX_RANK) {
        throw CorruptDataError("dataset '" + path + "' has an unreadable dataspace");
    }
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) {
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    }
    std::string dtypeAttr;
    if (hasAttribute(dataset, "dtype")) {
        dtypeAttr = readStringAttribute(dataset, "dtype").value_or("");
    }
    std::string detail;
    const DType dtype = dtypeFromHdf5(type.get(), dtypeAttr, detail);
    std::vector<std::uint64_t> shape(dims.begin(), dims.end());
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
        shape = {0};
    }
    const bool bigEndian = H5Tget_order(type.get()) == H5T_ORDER_BE;
    const auto finish = [&](std::shared_ptr<const TensorSource> source) {
        auto tensor = std::make_shared<Tensor>(dtype, shape, std::move(source));
        tensor->setDtypeDetail(detail);
        tensor->setFileByteOrder(bigEndian ? ByteOrder::Big : ByteOrder::Little);
        return tensor;
    };
    const std::size_t elementSize = dtypeSize(dtype);
    if (elementSize == 0) {
        return finish(nullptr);  // strings and other types: shape only
    }
    std::uint64_t numel = 1;
    for (const auto d : shape) {
        if (d != 0 && numel > (std::uint64_t{1} << 62) / d) {
            throw CorruptDataError("dataset '" + path + "' claims an impossible shape",
                                   {{}, {}, path});
        }
        numel *= d;
    }
    const std::uint64_t nbytes = numel * elementSize;
    H5Id dcpl(h5check(H5Dget_create_plist(dataset), "dataset creation properties"));
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    std::shared_ptr<const TensorSource> source;
    if (layout == H5D_CONTIGUOUS && H5Pget_external_count(dcpl.get()) == 0 &&
        H5Tget_class(type.get()) != H5T_ENUM) {
        const haddr_t offset = H5Dget_offset(dataset);
        if (offset != HADDR_UNDEF) {
            H5Eclear2(H5E_DEFAULT);
            // Contiguous, unfiltered bytes: read them straight from the mapped file, no lock.
            const auto& bytes = file->source();
            if (offset > bytes->size() || nbytes > bytes->size() - offset) {
                throw CorruptDataError("dataset '" + path + "' stores " + std::to_string(nbytes) +
                                           " bytes at offset " + std::to_string(offset) +
                                           " past the end of the file (" +
                                           std::to_string(bytes->size()) + " bytes): truncated",
                                       {{}, {}, path, offset});
            }
            source = std::make_shared<ContiguousTensorSource>(bytes, offset, elementSize, numel,
                                                              bigEndian);
        } else {
            H5Eclear2(H5E_DEFAULT);
        }
    }
    if (!source && numel > kAlwaysReadElements) {
        // Chunked (or unallocated) storage: unallocated chunks hold the fill value and cost
        // nothing in the file, so a 2 KiB file can claim 10^12 elements. Reading them would
        // take hours and exporting them terabytes: such a dataset keeps its dtype and shape but
        // is not read.
        const hsize_t stored = H5Dget_storage_size(dataset);
        const std::uint64_t perByte = limits().hdf5ExtentPerByte;
        if (stored == 0 || numel / stored > perByte) {
            auto tensor = finish(nullptr);
            tensor->setDtypeDetail("sparse: " + std::to_string(numel) + " elements in " +
                                   std::to_string(stored) +
                                   " allocated bytes, not read (limit hdf5-extent-per-byte=" +
                                   std::to_string(perByte) + ")");
            return tensor;
        }
    }
    if (!source) {
        std::string desc = layout == H5D_CHUNKED   ? "chunked"
                           : layout == H5D_COMPACT ? "compact"
                                                   : "contiguous (unallocated)";
        const int filters = layout == H5D_CHUNKED ? H5Pget_nfilters(dcpl.get()) : 0;
        for (int i = 0; i < filters; ++i) {
            unsigned flags = 0;
            std::size_t nelmts = 0;
            char name[64] = {0};
            H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nelmts, nullptr,
                           sizeof name, name, nullptr);
            desc += std::string(", ") + name;
        }
        source = std::make_shared<Hdf5DatasetSource>(file, path, dims, desc);
    }
    return finish(std::move(source));
}

}  // namespace ckpt::core
