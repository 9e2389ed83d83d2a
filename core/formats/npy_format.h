#pragma once
/// The .npy array format (numpy/lib/format.py): versions 1-3, C and Fortran order. Shared by
/// the .npy and .npz readers.

#include <memory>
#include <string>

#include "core/model/tensor.h"

namespace ckpt::core {

class ByteSource;

struct NpyHeader {
    std::string descr;  ///< numpy type string, e.g. "<f4", "|b1"; structured types verbatim
    DType dtype = DType::Other;
    bool fortranOrder = false;
    bool bigEndian = false;
    std::vector<std::uint64_t> shape;
    std::uint64_t dataOffset = 0;  ///< where the array bytes start
    int major = 1;
};

/// True when the bytes start with the .npy magic.
[[nodiscard]] bool isNpy(const ByteSource& source);

/// Parses and checks the header: the data must fit in the source. Throws CorruptDataError.
[[nodiscard]] NpyHeader parseNpyHeader(const ByteSource& source);

/// A lazy tensor over the array bytes (object arrays: shape only, no reader).
[[nodiscard]] std::shared_ptr<Tensor> npyTensor(const std::shared_ptr<const ByteSource>& source,
                                                const NpyHeader& header);

}  // namespace ckpt::core
