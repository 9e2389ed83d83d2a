#pragma once
/// Writing HDF5 the way h5py writes Keras files: groups with intermediate groups, vlen and
/// fixed-length string attributes, Keras's chunked name lists, empty float64 arrays, and
/// contiguous unfiltered datasets streamed from a source tensor. Every call holds hdf5Mutex().

#include <hdf5.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/io/hdf5_file.h"
#include "core/model/tensor.h"

namespace ckpt::core {

/// Keras's HDF5_OBJECT_HEADER_LIMIT: name lists whose fixed-length form exceeds it are split.
inline constexpr std::size_t kKerasHeaderLimit = 64512;

/// A new HDF5 file created (truncated) at `path` with the default (earliest) file format, as
/// h5py creates it. Closed by the destructor; close() reports errors.
class Hdf5Writer {
public:
    explicit Hdf5Writer(const std::filesystem::path& path);
    ~Hdf5Writer();
    Hdf5Writer(const Hdf5Writer&) = delete;
    Hdf5Writer& operator=(const Hdf5Writer&) = delete;

    [[nodiscard]] hid_t id() const { return m_file.get(); }
    /// Flushes and closes the file; throws IoError when HDF5 fails.
    void close();

    /// Opens the group at `path` (relative to the root), creating it and its parents.
    [[nodiscard]] H5Id group(const std::string& path);

    /// Scalar variable-length string attribute; `utf8` picks the character set (h5py writes
    /// Python str as UTF-8, bytes as ASCII).
    static void writeString(hid_t obj, const std::string& name, const std::string& value,
                            bool utf8);
    /// 1-D list of variable-length ASCII strings (h5py 3 writing a list of bytes).
    static void writeVlenList(hid_t obj, const std::string& name,
                              const std::vector<std::string>& values);
    /// 1-D list of fixed-length NULLPAD strings of the longest item's length (np.asarray).
    static void writeFixedList(hid_t obj, const std::string& name,
                               const std::vector<std::string>& values);
    /// A float64 array of shape (0): Keras's empty list.
    static void writeEmptyList(hid_t obj, const std::string& name);
    /// Keras's save_attributes_to_hdf5_group: empty list -> float64 (0); a list whose
    /// fixed-length form fits kKerasHeaderLimit -> `name` (vlen); else np.array_split into
    /// name0, name1, ... of fixed-length strings, each within the limit.
    static void writeKerasNameList(hid_t obj, const std::string& name,
                                   const std::vector<std::string>& values);

    /// Creates the dataset `path` (parents created) with the tensor's dtype and shape,
    /// contiguous, no filters, and streams its elements in blocks of about `chunkBytes`,
    /// calling `onBytes` after each block (it may throw CancelledError). bfloat16 gets the
    /// attribute dtype="bfloat16", as Keras writes it.
    void writeDataset(const std::string& path, const Tensor& tensor, std::size_t chunkBytes,
                      const std::function<void(std::uint64_t)>& onBytes);

private:
    H5Id m_file;
};

}  // namespace ckpt::core
