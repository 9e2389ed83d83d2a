#pragma once
/// numpy dtypes as they appear in pickles: `numpy.dtype('f4', False, True)` plus its BUILD state
/// `(version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])`.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/dtype.h"
#include "core/pickle/value.h"

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core::pyobj {

/// A numpy element type, as far as a reader needs it.
struct NumpyDType {
    DType dtype = DType::Other;  ///< Other for structured, datetime, void; String for U/S
    std::size_t itemsize = 0;    ///< bytes per element (0 when unknown, e.g. object)
    bool bigEndian = false;
    bool isObject = false;  ///< 'O': elements are Python objects
    /// numpy's descr text: "<f4", "|u1", "<U3", or the list form of a structured type
    /// "[('a', '<f4'), ('b', '|u1', (2,))]".
    std::string descr;
    /// Subarray types ('u1', (2,)): the shape text "(2,)"; descr is then the base type's.
    std::string subShape;
};

/// Parses a numpy type string with an optional byte-order prefix ("<f4", "f4", "|b1", ">i8",
/// "U3", "O8", "M8[ms]", "V6"). `order` ('<', '>', '|', '=') overrides the prefix when given.
[[nodiscard]] NumpyDType numpyTypestr(std::string_view typestr, char order = 0);

/// The dtype made by a `numpy.dtype(...)` call node `id` (any of numpy's module spellings),
/// byte order and structured fields taken from its BUILD state. nullopt when `id` is not one.
[[nodiscard]] std::optional<NumpyDType> numpyDtype(const pickle::ValueGraph& g, pickle::ValueId id);

/// True when `module` is one of numpy's modules (numpy, numpy.core.*, numpy._core.*).
[[nodiscard]] bool isNumpyModule(std::string_view module);

}  // namespace ckpt::core::pyobj
