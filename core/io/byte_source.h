#pragma once
/// Read-only byte sources: a memory-mapped file, an owned buffer, or a slice of another source.
/// Every read is bounds-checked against the source's real size.
///
/// Memory: view() hands out the mapping (zero copy; every page touched through it counts in the
/// process's RSS until the source is destroyed). read() on a file copies with pread(), never
/// through the mapping, so streaming readers that want a copy anyway (export, statistics, HDF5
/// raw data) leave no resident pages behind however large the file.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ckpt::core {

/// Random-access, read-only bytes. Thread-safe for concurrent reads.
class ByteSource {
public:
    virtual ~ByteSource() = default;

    /// Total size in bytes.
    [[nodiscard]] virtual std::uint64_t size() const = 0;

    /// Contiguous view of all bytes when the source is memory-backed (mmap or buffer), else empty.
    [[nodiscard]] virtual std::span<const std::byte> view() const = 0;

    /// Copies `out.size()` bytes starting at `offset`. Throws CorruptDataError when the range
    /// runs past the end (a truncated file).
    virtual void read(std::uint64_t offset, std::span<std::byte> out) const;

    /// Returns up to `n` bytes from `offset` (fewer at the end of the source).
    [[nodiscard]] std::vector<std::byte> peek(std::uint64_t offset, std::size_t n) const;

    /// A name for messages: the file path, or a description such as "model.weights.h5 in x.keras".
    [[nodiscard]] virtual std::string name() const = 0;

    /// The file on disk that holds these bytes at `fileOffset()`, when there is one.
    [[nodiscard]] virtual std::filesystem::path filePath() const { return {}; }
    [[nodiscard]] virtual std::uint64_t fileOffset() const { return 0; }

    /// A read-only descriptor of the whole file when these bytes are exactly one whole file on
    /// disk (byte 0 of the source is byte 0 of the file), else -1. Owned by the source: do not
    /// close it; positional calls only (pread, copy_file_range with an offset).
    [[nodiscard]] virtual int wholeFileDescriptor() const { return -1; }
    /// A read-only descriptor of the file that holds these bytes at `fileOffset()` (the whole
    /// file or a part of it), else -1. Owned by the source, like wholeFileDescriptor().
    [[nodiscard]] virtual int fileDescriptor() const { return -1; }

    /// A hint that bytes [offset, offset + length) are not needed in memory for now: a mapped
    /// file drops the whole pages among them from the process's resident set (they are read
    /// from the file again if touched; views stay valid). Other sources ignore it.
    virtual void dropCachedPages(std::uint64_t offset, std::uint64_t length) const {
        (void)offset;
        (void)length;
    }
};

/// A file mapped read-only into memory, with its descriptor kept open for pread(). The file is
/// never written. read() uses pread(): a file that shrinks while open gives CorruptDataError,
/// not SIGBUS.
class FileSource final : public ByteSource {
public:
    /// Opens and maps `path`; throws IoError when it cannot be opened or is not a regular file.
    static std::shared_ptr<FileSource> open(const std::filesystem::path& path);
    ~FileSource() override;
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    [[nodiscard]] std::uint64_t size() const override { return m_size; }
    [[nodiscard]] std::span<const std::byte> view() const override;
    void read(std::uint64_t offset, std::span<std::byte> out) const override;
    [[nodiscard]] std::string name() const override { return m_path.string(); }
    [[nodiscard]] std::filesystem::path filePath() const override { return m_path; }
    [[nodiscard]] int wholeFileDescriptor() const override { return m_fd; }
    [[nodiscard]] int fileDescriptor() const override { return m_fd; }
    void dropCachedPages(std::uint64_t offset, std::uint64_t length) const override;

private:
    FileSource(std::filesystem::path path, int fd, void* map, std::uint64_t size);

    std::filesystem::path m_path;
    int m_fd = -1;
    void* m_map = nullptr;
    std::uint64_t m_size = 0;
};

/// Bytes owned in memory (e.g. an inflated zip member).
class MemorySource final : public ByteSource {
public:
    MemorySource(std::vector<std::byte> bytes, std::string name);

    [[nodiscard]] std::uint64_t size() const override { return m_bytes.size(); }
    [[nodiscard]] std::span<const std::byte> view() const override { return m_bytes; }
    [[nodiscard]] std::string name() const override { return m_name; }

private:
    std::vector<std::byte> m_bytes;
    std::string m_name;
};

/// A window [offset, offset+length) of another source; keeps the parent alive.
class SliceSource final : public ByteSource {
public:
    /// Throws CorruptDataError if the window does not fit inside `parent`.
    SliceSource(std::shared_ptr<const ByteSource> parent, std::uint64_t offset,
                std::uint64_t length, std::string name);

    [[nodiscard]] std::uint64_t size() const override { return m_length; }
    [[nodiscard]] std::span<const std::byte> view() const override;
    void read(std::uint64_t offset, std::span<std::byte> out) const override;
    void dropCachedPages(std::uint64_t offset, std::uint64_t length) const override {
        if (offset < m_length) {
            m_parent->dropCachedPages(m_offset + offset, std::min(length, m_length - offset));
        }
    }
    [[nodiscard]] std::string name() const override { return m_name; }
    [[nodiscard]] std::filesystem::path filePath() const override { return m_parent->filePath(); }
    [[nodiscard]] std::uint64_t fileOffset() const override {
        return m_parent->fileOffset() + m_offset;
    }
    [[nodiscard]] int fileDescriptor() const override { return m_parent->fileDescriptor(); }

private:
    std::shared_ptr<const ByteSource> m_parent;
    std::uint64_t m_offset;
    std::uint64_t m_length;
    std::string m_name;
};

/// Hex dump of the first bytes, for "not a format I know (first bytes: 89 48 44 46 ...)".
[[nodiscard]] std::string hexPreview(std::span<const std::byte> bytes, std::size_t maxBytes = 16);

}  // namespace ckpt::core
