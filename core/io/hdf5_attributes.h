#pragma once
/// Reading HDF5 attributes the way Keras and h5py write them: fixed- and variable-length strings,
/// scalars and 1-D arrays, empty float64 arrays for empty lists, chunked name lists.

#include <hdf5.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/model/json.h"

namespace ckpt::core {

/// Attribute names of the object `obj`, in creation/name order.
[[nodiscard]] std::vector<std::string> attributeNames(hid_t obj);

/// True when `obj` has an attribute `name`; never throws.
[[nodiscard]] bool hasAttribute(hid_t obj, const std::string& name);

/// Reads attribute `name` of `obj` as JSON: strings as strings, numbers as numbers, arrays as
/// (nested) arrays. Arrays with more than `maxElements` elements and types without a JSON form
/// (compound, opaque, references) become a short descriptive string. Throws CorruptDataError
/// when the attribute claims more data than it stores.
[[nodiscard]] Json readAttribute(hid_t obj, const std::string& name,
                                 std::size_t maxElements = 4096);

/// Reads a string attribute (scalar or the first element of a 1-D array), fixed- or
/// variable-length, any character set; nullopt when absent or not a string.
[[nodiscard]] std::optional<std::string> readStringAttribute(hid_t obj, const std::string& name);

/// Reads a list-of-strings attribute; an empty numeric array (Keras's empty list) gives {}.
/// nullopt when absent. Throws CorruptDataError for other types or damaged data.
[[nodiscard]] std::optional<std::vector<std::string>> readStringListAttribute(
    hid_t obj, const std::string& name);

/// Keras's chunked lists: `name` if present, else the concatenation of `name0`, `name1`, ...
/// until one is missing; nullopt when neither form is present.
[[nodiscard]] std::optional<std::vector<std::string>> readKerasNameList(hid_t obj,
                                                                        const std::string& name);

}  // namespace ckpt::core
