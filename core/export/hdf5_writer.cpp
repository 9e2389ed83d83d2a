#include "core/export/hdf5_writer.h"

#include <algorithm>
#include <cstring>

#include "core/util/error.h"

namespace ckpt::core {
namespace {

/// A copy of a predefined HDF5 type; IoError when the library refuses.
H5Id copyType(hid_t predefined) {
    return H5Id(h5check(H5Tcopy(predefined), "copy a type"));
}

/// The HDF5 type of a dtype, little-endian as h5py writes on x86; an invalid id for dtypes HDF5
/// files do not hold. Every call is checked: a type the library did not build is an IoError,
/// never a dataset written with the wrong type.
H5Id fileType(DType t) {
    switch (t) {
        case DType::Bool: {
            // h5py's bool: enum of int8 {FALSE = 0, TRUE = 1}.
            H5Id e(h5check(H5Tenum_create(H5T_NATIVE_INT8), "bool enum type"));
            signed char v = 0;
            h5checkStatus(H5Tenum_insert(e.get(), "FALSE", &v), "bool enum FALSE");
            v = 1;
            h5checkStatus(H5Tenum_insert(e.get(), "TRUE", &v), "bool enum TRUE");
            return e;
        }
        case DType::Int8:
            return copyType(H5T_STD_I8LE);
        case DType::UInt8:
            return copyType(H5T_STD_U8LE);
        case DType::Int16:
            return copyType(H5T_STD_I16LE);
        case DType::UInt16:
            return copyType(H5T_STD_U16LE);
        case DType::Int32:
            return copyType(H5T_STD_I32LE);
        case DType::UInt32:
            return copyType(H5T_STD_U32LE);
        case DType::Int64:
            return copyType(H5T_STD_I64LE);
        case DType::UInt64:
            return copyType(H5T_STD_U64LE);
        case DType::Float16: {
            // h5py's float16: IEEE half built from a float32 type.
            H5Id h = copyType(H5T_IEEE_F32LE);
            h5checkStatus(H5Tset_fields(h.get(), 15, 10, 5, 0, 10), "float16 fields");
            h5checkStatus(H5Tset_size(h.get(), 2), "float16 size");
            h5checkStatus(H5Tset_ebias(h.get(), 15), "float16 exponent bias");
            return h;
        }
        case DType::BFloat16:
            // Keras writes ml_dtypes.bfloat16 arrays as 2-byte opaque elements plus the
            // attribute dtype="bfloat16" (FORMATS.md 2.3); readers rely on the attribute.
            return H5Id(h5check(H5Tcreate(H5T_OPAQUE, 2), "bfloat16 opaque type"));
        case DType::Float32:
            return copyType(H5T_IEEE_F32LE);
        case DType::Float64:
            return copyType(H5T_IEEE_F64LE);
        case DType::Complex64:
        case DType::Complex128: {
            const bool c64 = t == DType::Complex64;
            const hid_t part = c64 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
            const std::size_t half = c64 ? 4 : 8;
            H5Id c(h5check(H5Tcreate(H5T_COMPOUND, 2 * half), "complex type"));
            h5checkStatus(H5Tinsert(c.get(), "r", 0, part), "complex real part");
            h5checkStatus(H5Tinsert(c.get(), "i", half, part), "complex imaginary part");
            return c;
        }
        default:
            return H5Id();
    }
}

H5Id stringType(std::size_t size, bool utf8, bool nullpad) {
    H5Id t(h5check(H5Tcopy(H5T_C_S1), "string type"));
    h5checkStatus(H5Tset_size(t.get(), size == 0 ? H5T_VARIABLE : size), "string size");
    h5checkStatus(H5Tset_cset(t.get(), utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII), "string cset");
    if (nullpad) {
        h5checkStatus(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "string pad");
    }
    return t;
}

void replaceAttribute(hid_t obj, const std::string& name) {
    const htri_t exists = H5Aexists(obj, name.c_str());
    h5checkStatus(exists, "look up attribute '" + name + "'");
    if (exists > 0) {
        h5checkStatus(H5Adelete(obj, name.c_str()), "replace attribute '" + name + "'");
    }
}

}  // namespace

Hdf5Writer::Hdf5Writer(const std::filesystem::path& path) {
    Hdf5Lock lock(hdf5Mutex());
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        throw IoError("cannot create HDF5 file: " + hdf5ErrorStack(),
                      {path.string(), "hdf5", {}, {}});
    }
    m_file = H5Id(f);
}

Hdf5Writer::~Hdf5Writer() = default;

void Hdf5Writer::close() {
    Hdf5Lock lock(hdf5Mutex());
    if (!m_file.valid()) {
        return;
    }
    const hid_t f = m_file.get();
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) {
        throw IoError("cannot flush HDF5 file: " + hdf5ErrorStack());
    }
    // Closing writes the last metadata: a failure here is a failed export, not a warning.
    if (H5Fclose(m_file.release()) < 0) {
        throw IoError("cannot close HDF5 file: " + hdf5ErrorStack());
    }
}

H5Id Hdf5Writer::group(const std::string& path) {
    Hdf5Lock lock(hdf5Mutex());
    if (path.empty() || path == "/") {
        return H5Id(h5check(H5Gopen2(m_file.get(), "/", H5P_DEFAULT), "open root group"));
    }
    if (h5Exists(m_file.get(), path)) {
        return H5Id(h5check(H5Gopen2(m_file.get(), path.c_str(), H5P_DEFAULT),
                            "open group '" + path + "'"));
    }
    H5Id lcpl(h5check(H5Pcreate(H5P_LINK_CREATE), "link plist"));
    h5checkStatus(H5Pset_create_intermediate_group(lcpl.get(), 1), "intermediate groups");
    return H5Id(
        h5check(H5Gcreate2(m_file.get(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                "create group '" + path + "'"));
}

void Hdf5Writer::writeString(hid_t obj, const std::string& name, const std::string& value,
                             bool utf8) {
    Hdf5Lock lock(hdf5Mutex());
    replaceAttribute(obj, name);
    H5Id type = stringType(0, utf8, false);
    H5Id space(h5check(H5Screate(H5S_SCALAR), "scalar space"));
    H5Id attr(
        h5check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                "create attribute '" + name + "'"));
    const char* p = value.c_str();
    h5checkStatus(H5Awrite(attr.get(), type.get(), &p), "write attribute '" + name + "'");
}

void Hdf5Writer::writeVlenList(hid_t obj, const std::string& name,
                               const std::vector<std::string>& values) {
    Hdf5Lock lock(hdf5Mutex());
    replaceAttribute(obj, name);
    H5Id type = stringType(0, false, false);
    const hsize_t n = values.size();
    H5Id space(h5check(H5Screate_simple(1, &n, nullptr), "list space"));
    H5Id attr(
        h5check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                "create attribute '" + name + "'"));
    std::vector<const char*> ptrs;
    for (const auto& v : values) {
        ptrs.push_back(v.c_str());
    }
    h5checkStatus(H5Awrite(attr.get(), type.get(), ptrs.data()), "write attribute '" + name + "'");
}

void Hdf5Writer::writeFixedList(hid_t obj, const std::string& name,
                                const std::vector<std::string>& values) {
    Hdf5Lock lock(hdf5Mutex());
    replaceAttribute(obj, name);
    std::size_t width = 1;
    for (const auto& v : values) {
        width = std::max(width, v.size());
    }
    H5Id type = stringType(width, false, true);
    const hsize_t n = values.size();
    H5Id space(h5check(H5Screate_simple(1, &n, nullptr), "list space"));
    H5Id attr(
        h5check(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                "create attribute '" + name + "'"));
    std::vector<char> buf(values.size() * width, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        std::memcpy(buf.data() + i * width, values[i].data(), values[i].size());
    }
    h5checkStatus(H5Awrite(attr.get(), type.get(), buf.data()), "write attribute '" + name + "'");
}

void Hdf5Writer::writeEmptyList(hid_t obj, const std::string& name) {
    Hdf5Lock lock(hdf5Mutex());
    replaceAttribute(obj, name);
    const hsize_t zero = 0;
    H5Id space(h5check(H5Screate_simple(1, &zero, nullptr), "empty space"));
    H5Id attr(h5check(
        H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        "create attribute '" + name + "'"));
}

void Hdf5Writer::writeKerasNameList(hid_t obj, const std::string& name,
                                    const std::vector<std::string>& values) {
    if (values.empty()) {
        writeEmptyList(obj, name);
        return;
    }
    const auto fixedBytes = [&](std::size_t first, std::size_t count) {
        std::size_t width = 1;
        for (std::size_t i = first; i < first + count; ++i) {
            width = std::max(width, values[i].size());
        }
        return width * count;
    };
    for (const auto& v : values) {
        if (v.size() > kKerasHeaderLimit) {
            throw UnsupportedError("the name '" + v.substr(0, 60) + "...' is longer than " +
                                   std::to_string(kKerasHeaderLimit) +
                                   " bytes, which Keras cannot store");
        }
    }
    if (fixedBytes(0, values.size()) <= kKerasHeaderLimit) {
        writeVlenList(obj, name, values);
        return;
    }
    // np.array_split into k parts: the first n % k parts get one item more.
    for (std::size_t k = 2;; ++k) {
        const std::size_t n = values.size();
        std::vector<std::pair<std::size_t, std::size_t>> parts;
        std::size_t first = 0;
        bool fits = true;
        for (std::size_t i = 0; i < k; ++i) {
            const std::size_t count = n / k + (i < n % k ? 1 : 0);
            fits = fits && fixedBytes(first, count) <= kKerasHeaderLimit;
            parts.emplace_back(first, count);
            first += count;
        }
        if (!fits) {
            continue;
        }
        for (std::size_t i = 0; i < k; ++i) {
            const auto [f, c] = parts[i];
            writeFixedList(obj, name + std::to_string(i),
                           std::vector<std::string>(values.begin() + static_cast<long>(f),
                                                    values.begin() + static_cast<long>(f + c)));
        }
        return;
    }
}

void Hdf5Writer::writeDataset(const std::string& path, const Tensor& tensor, std::size_t chunkBytes,
                              const std::function<void(std::uint64_t)>& onBytes) {
    const std::size_t es = dtypeSize(tensor.dtype());
    const auto& shape = tensor.shape();
    if (tensor.fortranOrder() && shape.size() > 1) {
        throw UnsupportedError("'" + path + "': Fortran-order tensors are not written to HDF5");
    }
    H5Id dset;
    H5Id memType;
    {
        Hdf5Lock lock(hdf5Mutex());
        H5Id type = fileType(tensor.dtype());
        if (!type.valid() || es == 0) {
            throw UnsupportedError("cannot write a " + std::string(dtypeName(tensor.dtype())) +
                                   " tensor to HDF5");
        }
        H5Id space(shape.empty()
                       ? H5Screate(H5S_SCALAR)
                       : H5Screate_simple(static_cast<int>(shape.size()),
                                          reinterpret_cast<const hsize_t*>(shape.data()), nullptr));
        h5check(space.get(), "dataspace of '" + path + "'");
        H5Id lcpl(h5check(H5Pcreate(H5P_LINK_CREATE), "link plist"));
        h5checkStatus(H5Pset_create_intermediate_group(lcpl.get(), 1), "intermediate groups");
        dset = H5Id(h5check(H5Dcreate2(m_file.get(), path.c_str(), type.get(), space.get(),
                                       lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                            "create dataset '" + path + "'"));
        memType = std::move(type);  // element bytes are native little-endian already
    }
    if (tensor.dtype() == DType::BFloat16) {
        Hdf5Lock lock(hdf5Mutex());
        writeString(dset.get(), "dtype", "bfloat16", true);
    }
    if (tensor.numel() == 0) {
        return;
    }
    // Blocks are runs of whole "rows" below axis k, where k is the outermost axis whose
    // trailing block fits in chunkBytes; each block is one hyperslab and one contiguous range.
    const std::size_t rank = shape.size();
    const std::uint64_t budget = std::max<std::uint64_t>(1, chunkBytes / es);
    std::vector<std::uint64_t> trailing(rank + 1, 1);  // trailing[k] = prod(shape[k..])
    for (std::size_t k = rank; k-- > 0;) {
        trailing[k] = trailing[k + 1] * shape[k];
    }
    std::size_t axis = 0;
    while (rank > 0 && axis + 1 < rank && trailing[axis + 1] > budget) {
        ++axis;
    }
    const std::uint64_t unit = rank == 0 ? 1 : trailing[axis + 1];
    const std::uint64_t perBlock = std::max<std::uint64_t>(1, budget / unit);
    const std::uint64_t outer = rank == 0 ? 1 : tensor.numel() / trailing[axis];
    const std::uint64_t along = rank == 0 ? 1 : shape[axis];
    std::vector<std::byte> buf(static_cast<std::size_t>(std::min(perBlock, along) * unit * es));
    std::vector<hsize_t> start(rank, 0), count(rank, 1);
    for (std::uint64_t p = 0; p < outer; ++p) {
        // unravel p over axes [0, axis)
        std::uint64_t rest = p;
        for (std::size_t k = axis; k-- > 0;) {
            start[k] = rest % shape[k];
            rest /= shape[k];
        }
        for (std::uint64_t j = 0; j < along; j += perBlock) {
            const std::uint64_t rows = std::min(perBlock, along - j);
            const std::uint64_t first = (p * along + j) * unit;
            const std::uint64_t n = rows * unit;
            tensor.readRaw(first, n, buf.data());
            Hdf5Lock lock(hdf5Mutex());
            H5Id fileSpace(h5check(H5Dget_space(dset.get()), "dataset space"));
            if (rank > 0) {
                start[axis] = j;
                count[axis] = rows;
                for (std::size_t k = axis + 1; k < rank; ++k) {
                    start[k] = 0;
                    count[k] = shape[k];
                }
                h5checkStatus(H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(),
                                                  nullptr, count.data(), nullptr),
                              "select block of '" + path + "'");
            }
            const hsize_t memCount = n;
            H5Id memSpace(h5check(H5Screate_simple(1, &memCount, nullptr), "memory space"));
            if (H5Dwrite(dset.get(), memType.get(), memSpace.get(), fileSpace.get(), H5P_DEFAULT,
                         buf.data()) < 0) {
                throw IoError("cannot write dataset '" + path + "': " + hdf5ErrorStack());
            }
            onBytes(n * es);
        }
    }
}

}  // namespace ckpt::core
