#include "core/io/hdf5_attributes.h"

#include <cstring>

#include "core/io/hdf5_file.h"
#include "core/io/hdf5_vlen.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

constexpr hssize_t kMaxAttributeElements = 64 * 1024 * 1024;

herr_t collectAttributeName(hid_t, const char* name, const H5A_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
}

/// Number of elements of the attribute, checked against what it really stores.
hsize_t checkedElementCount(hid_t attr, hid_t type, hid_t space, const std::string& name) {
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0) {
        throw Hdf5LibraryError("attribute '" + name +
                               "' has an unreadable dataspace: " + hdf5ErrorStack());
    }
    if (n > kMaxAttributeElements) {
        throw CorruptDataError("attribute '" + name + "' claims " + std::to_string(n) +
                               " elements, more than any real attribute holds");
    }
    const hsize_t stored = H5Aget_storage_size(attr);
    const bool vlen = H5Tis_variable_str(type) > 0 || H5Tget_class(type) == H5T_VLEN;
    const std::size_t size = H5Tget_size(type);
    // A variable-length element stores at least a heap reference; a fixed one its full size.
    const hsize_t needed = vlen ? static_cast<hsize_t>(n) : static_cast<hsize_t>(n) * size;
    if (n > 0 && stored < needed) {
        throw CorruptDataError("attribute '" + name + "' claims " + std::to_string(needed) +
                               " bytes but stores " + std::to_string(stored));
    }
    return static_cast<hsize_t>(n);
}

std::vector<std::string> readStrings(hid_t obj, const std::string& name, hid_t attr, hid_t type,
                                     hsize_t n) {
    if (H5Tis_variable_str(type) > 0) {
        // Never through H5Aread: libhdf5 trusts the file's vlen lengths and heap objects.
        return readVlenStringsFromFile(obj, name, n);
    }
    std::vector<std::string> out;
    out.reserve(n);
    H5Id mem(h5check(H5Tcopy(type), "copy string type"));
    const std::size_t size = H5Tget_size(type);
    std::vector<char> buf(n * size + 1, '\0');
    h5checkStatus(H5Aread(attr, mem.get(), buf.data()), "read string attribute");
    const bool spacePad = H5Tget_strpad(type) == H5T_STR_SPACEPAD;
    for (hsize_t i = 0; i < n; ++i) {
        const char* p = buf.data() + i * size;
        std::size_t len = strnlen(p, size);
        while (spacePad && len > 0 && p[len - 1] == ' ') {
            --len;
        }
        out.emplace_back(p, len);
    }
    return out;
}

Json numberArray(const std::vector<double>& values, bool integer, bool boolean,
                 const std::vector<long long>& ints) {
    Json arr = Json::array();
    const std::size_t n = integer ? ints.size() : values.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (boolean) {
            arr.push_back(ints[i] != 0);
        } else if (integer) {
            arr.push_back(ints[i]);
        } else {
            arr.push_back(values[i]);
        }
    }
    return arr;
}

/// Reshapes a flat JSON array into nested arrays following `dims`.
Json nest(const Json& flat, const std::vector<hsize_t>& dims, std::size_t dim, std::size_t& pos) {
    Json out = Json::array();
    for (hsize_t i = 0; i < dims[dim]; ++i) {
        if (dim + 1 == dims.size()) {
            out.push_back(flat[pos++]);
        } else {
            out.push_back(nest(flat, dims, dim + 1, pos));
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> attributeNames(hid_t obj) {
    Hdf5Lock lock(hdf5Mutex());
    std::vector<std::string> names;
    hsize_t idx = 0;
    h5checkStatus(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collectAttributeName, &names),
                  "cannot list attributes");
    return names;
}

bool hasAttribute(hid_t obj, const std::string& name) {
    Hdf5Lock lock(hdf5Mutex());
    const htri_t r = H5Aexists(obj, name.c_str());
    if (r < 0) {
        H5Eclear2(H5E_DEFAULT);
    }
    return r > 0;
}

Json readAttribute(hid_t obj, const std::string& name, std::size_t maxElements) {
    Hdf5Lock lock(hdf5Mutex());
    H5Id attr(
        h5check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "cannot open attribute '" + name + "'"));
    H5Id type(h5check(H5Aget_type(attr.get()), "attribute type"));
    H5Id space(h5check(H5Aget_space(attr.get()), "attribute dataspace"));
    const hsize_t n = checkedElementCount(attr.get(), type.get(), space.get(), name);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(rank > 0 ? static_cast<std::size_t>(rank) : 0);
    if (rank > 0) {
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    }
    const bool scalar = rank == 0 && H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
        return nullptr;
    }
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_STRING) {
        if (n == 0) {
            return Json::array();
        }
        auto strings = readStrings(obj, name, attr.get(), type.get(), n);
        if (scalar) {
            return strings.empty() ? Json("") : Json(strings[0]);
        }
        Json arr = Json::array();
        for (auto& s : strings) {
            arr.push_back(std::move(s));
        }
        return arr;
    }
    const bool numeric = cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM;
    if (!numeric) {
        return "<" + std::to_string(n) + " element(s) of an HDF5 type without a JSON form>";
    }
    if (n > maxElements) {
        return "<array of " + std::to_string(n) + " elements>";
    }
    if (n == 0) {
        return Json::array();  // Keras writes an empty list as an empty float64 array
    }
    const bool boolean = cls == H5T_ENUM && H5Tget_size(type.get()) == 1;
    const bool integer = cls == H5T_INTEGER || cls == H5T_ENUM;
    std::vector<double> values;
    std::vector<long long> ints;
    if (cls == H5T_ENUM) {
        // h5py writes bool as an int8 enum {FALSE, TRUE}; read the raw member values.
        const std::size_t size = H5Tget_size(type.get());
        std::vector<unsigned char> raw(n * size);
        h5checkStatus(H5Aread(attr.get(), type.get(), raw.data()), "read attribute");
        ints.resize(n);
        for (hsize_t i = 0; i < n; ++i) {
            long long v = 0;
            std::memcpy(&v, raw.data() + i * size, std::min<std::size_t>(size, sizeof v));
            ints[i] = v;
        }
    } else if (integer) {
        ints.resize(n);
        h5checkStatus(H5Aread(attr.get(), H5T_NATIVE_LLONG, ints.data()), "read attribute");
    } else {
        values.resize(n);
        h5checkStatus(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()), "read attribute");
    }
    Json flat = numberArray(values, integer, boolean, ints);
    if (scalar) {
        return flat.empty() ? Json(nullptr) : flat[0];
    }
    if (dims.size() <= 1) {
        return flat;
    }
    std::size_t pos = 0;
    return nest(flat, dims, 0, pos);
}

std::optional<std::string> readStringAttribute(hid_t obj, const std::string& name) {
    if (!hasAttribute(obj, name)) {
        return std::nullopt;
    }
    Json v = readAttribute(obj, name);
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_array() && !v.empty() && v[0].is_string()) {
        return v[0].get<std::string>();
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> readStringListAttribute(hid_t obj,
                                                                const std::string& name) {
    if (!hasAttribute(obj, name)) {
        return std::nullopt;
    }
    Json v = readAttribute(obj, name, 1u << 24);
    std::vector<std::string> out;
    if (v.is_string()) {
        out.push_back(v.get<std::string>());
        return out;
    }
    if (!v.is_array()) {
        throw CorruptDataError("attribute '" + name + "' is not a list of names");
    }
    for (const auto& e : v) {
        if (!e.is_string()) {
            if (e.is_number()) {
                throw CorruptDataError("attribute '" + name + "' holds numbers, not names");
            }
            continue;
        }
        out.push_back(e.get<std::string>());
    }
    return out;
}

std::optional<std::vector<std::string>> readKerasNameList(hid_t obj, const std::string& name) {
    if (auto whole = readStringListAttribute(obj, name)) {
        return whole;
    }
    std::optional<std::vector<std::string>> out;
    for (int i = 0;; ++i) {
        auto part = readStringListAttribute(obj, name + std::to_string(i));
        if (!part) {
            break;
        }
        if (!out) {
            out.emplace();
        }
        out->insert(out->end(), part->begin(), part->end());
    }
    return out;
}

}  // namespace ckpt::core
