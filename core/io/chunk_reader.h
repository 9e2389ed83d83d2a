#pragma once
/// Element ranges of a tensor for streaming consumers that read every byte once.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace ckpt::core {

class Tensor;

/// Read-only file descriptors shared by the readers of one job, opened on first use and closed
/// when the set is destroyed. Thread-safe.
class OpenFiles {
public:
    OpenFiles() = default;
    ~OpenFiles();
    OpenFiles(const OpenFiles&) = delete;
    OpenFiles& operator=(const OpenFiles&) = delete;

    /// A descriptor of `path` opened O_RDONLY, or -1 when it cannot be opened.
    [[nodiscard]] int descriptor(const std::filesystem::path& path);

private:
    std::mutex m_mutex;
    std::map<std::filesystem::path, int> m_descriptors;
};

/// A read-only range of file pages mapped for one chunk, unmapped when destroyed.
class MappedRange {
public:
    MappedRange() = default;
    ~MappedRange();
    MappedRange(const MappedRange&) = delete;
    MappedRange& operator=(const MappedRange&) = delete;

    /// Maps `length` bytes of `fd` from `offset` (any alignment), with the pages populated;
    /// returns the address of byte `offset`, or null when the mapping failed.
    const std::byte* map(int fd, std::uint64_t offset, std::size_t length);
    /// Unmaps the current range, if any.
    void reset();

private:
    void* m_address = nullptr;
    std::size_t m_length = 0;
};

/// Reads element ranges of one tensor. When the tensor's elements lie contiguously in a file
/// (TensorSource::fileExtent), view() maps just the chunk's pages and read() uses pread(): no
/// lock, no copy for views, and no pages stay mapped after a chunk, so memory does not grow
/// with the tensor. Otherwise reads go through the tensor's source (HDF5 under its lock,
/// inflated zip members, ...). Thread-safe; `tensor` and `files` must outlive the reader.
class ChunkReader {
public:
    ChunkReader(const Tensor& tensor, OpenFiles& files);

    /// Copies elements [first, first + count) in storage order, native byte order, into `out`
    /// (count * element size bytes). Throws CorruptDataError when the file ends early.
    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const;

    /// The bytes of elements [first, first + count): mapped through `mapping` for large direct
    /// ranges, else read into `buffer` (grown as needed). Valid until `mapping` or `buffer`
    /// change.
    [[nodiscard]] const std::byte* view(std::uint64_t first, std::uint64_t count,
                                        std::vector<std::byte>& buffer, MappedRange& mapping) const;

    /// True when reads bypass the tensor's source.
    [[nodiscard]] bool direct() const { return m_descriptor >= 0; }

private:
    const Tensor& m_tensor;
    int m_descriptor = -1;
    std::uint64_t m_offset = 0;
    std::size_t m_elementSize = 0;
};

}  // namespace ckpt::core
