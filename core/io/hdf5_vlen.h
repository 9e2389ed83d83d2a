#pragma once
/// Variable-length string attributes read from the file's bytes, not through libhdf5's vlen
/// conversion. HDF5 1.10 trusts the lengths a file claims when it converts variable-length data
/// (H5Aread -> H5T__conv_vlen -> H5HG_read): a changed length field allocates gigabytes, and a
/// heap object larger than its claimed length is copied past the end of the buffer. Here the
/// attribute message is found in the object header, every element's global heap reference is
/// checked against the heap collection it points into and against the file size, and only then
/// are the bytes copied.

#include <hdf5.h>

#include <string>
#include <vector>

namespace ckpt::core {

/// The `n` strings of the variable-length string attribute `name` of the open object `obj`.
/// Throws CorruptDataError when a reference, a length or a heap collection does not fit the
/// file, and UnsupportedError when the attribute lives in dense (fractal heap) storage, which
/// this reader does not parse.
[[nodiscard]] std::vector<std::string> readVlenStringsFromFile(hid_t obj, const std::string& name,
                                                               hsize_t n);

}  // namespace ckpt::core
