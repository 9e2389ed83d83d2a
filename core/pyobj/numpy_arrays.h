#pragma once
/// numpy arrays and scalars inside pickles (FORMATS.md §6): `_reconstruct` with its BUILD state,
/// protocol 5 `_frombuffer`, `scalar(dtype, bytes)`, under numpy 1 and 2 module names.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/pyobj/numpy_dtype.h"

namespace ckpt::core {
class Tensor;
}

namespace ckpt::core::pyobj {

/// An ndarray described by a pickle: type, shape, order and the value holding its data.
struct NumpyArray {
    NumpyDType dtype;
    std::vector<std::uint64_t> shape;
    bool fortranOrder = false;
    /// The data: bytes-like for numeric arrays, a list for object arrays, a Buffer for an
    /// out-of-band protocol 5 buffer.
    pickle::ValueId data = pickle::kNoValue;
    std::string origin;  ///< "_reconstruct" or "_frombuffer"
};

/// The array made by value `id`, or nullopt when `id` is not a recognised ndarray.
[[nodiscard]] std::optional<NumpyArray> numpyArray(const pickle::ValueGraph& g, pickle::ValueId id);

/// A lazy tensor over the array's data: a window of the pickle's bytes when the data is a
/// BINBYTES range (nothing copied), else the decoded bytes in memory. Object arrays and data of
/// the wrong size give a tensor without a reader, and `problem` says why.
[[nodiscard]] std::shared_ptr<Tensor> numpyTensor(const pickle::ValueGraph& g,
                                                  const NumpyArray& array, std::string& problem);

/// A numpy scalar (`scalar(dtype, bytes)`): its type ("numpy.float64") and Python-like text.
struct NumpyScalar {
    std::string typeName;
    std::string text;
};
[[nodiscard]] std::optional<NumpyScalar> numpyScalar(const pickle::ValueGraph& g,
                                                     pickle::ValueId id);

/// Element count of `shape`, or nullopt on overflow.
[[nodiscard]] std::optional<std::uint64_t> elementCount(const std::vector<std::uint64_t>& shape);

}  // namespace ckpt::core::pyobj
