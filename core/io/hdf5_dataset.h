#pragma once
/// HDF5 datasets as core Tensors: type mapping and a lazy element reader.

#include <hdf5.h>

#include <memory>
#include <string>

#include "core/model/tensor.h"

namespace ckpt::core {

class Hdf5File;

/// Maps an HDF5 datatype to a DType; `dtypeAttr` is the dataset's `dtype` attribute if any
/// (Keras 3 marks bfloat16 this way). `detail` receives a description for non-numeric types.
[[nodiscard]] DType dtypeFromHdf5(hid_t type, const std::string& dtypeAttr, std::string& detail);

/// A tensor for the dataset at `path` in `file`: dtype, shape and a reader that fetches element
/// ranges on demand (directly from the mapped bytes for contiguous storage, through HDF5
/// hyperslabs otherwise). Reads nothing but metadata now.
[[nodiscard]] std::shared_ptr<Tensor> openDatasetTensor(const std::shared_ptr<Hdf5File>& file,
                                                        const std::string& path);

/// The same for a dataset the caller has already opened as `dataset` (its full `path` is kept
/// for the lazy reader and for messages).
[[nodiscard]] std::shared_ptr<Tensor> datasetTensor(const std::shared_ptr<Hdf5File>& file,
                                                    const std::string& path, hid_t dataset);

}  // namespace ckpt::core
