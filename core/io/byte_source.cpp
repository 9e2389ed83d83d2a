#include "core/io/byte_source.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/io/pread_fully.h"
#include "core/util/error.h"

namespace ckpt::core {

namespace {

void checkRange(const ByteSource& source, std::uint64_t offset, std::size_t n) {
    if (offset > source.size() || n > source.size() - offset) {
        throw CorruptDataError("unexpected end of data: needed " + std::to_string(n) +
                                   " bytes at offset " + std::to_string(offset) + " but the " +
                                   "data ends at " + std::to_string(source.size()),
                               {source.name(), {}, {}, offset});
    }
}

}  // namespace

void ByteSource::read(std::uint64_t offset, std::span<std::byte> out) const {
    checkRange(*this, offset, out.size());
    if (!out.empty()) {
        std::memcpy(out.data(), view().data() + offset, out.size());
    }
}

std::vector<std::byte> ByteSource::peek(std::uint64_t offset, std::size_t n) const {
    if (offset >= size()) {
        return {};
    }
    const auto available = size() - offset;
    std::vector<std::byte> out(static_cast<std::size_t>(std::min<std::uint64_t>(n, available)));
    read(offset, out);
    return out;
}

std::shared_ptr<FileSource> FileSource::open(const std::filesystem::path& path) {
    // Refuse FIFOs, sockets and devices before opening: open() on a FIFO blocks until a writer
    // appears. O_NONBLOCK covers a path swapped for one between stat() and open(); fstat()
    // below checks what was really opened.
    struct stat before {};
    if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) {
        throw IoError(
            S_ISDIR(before.st_mode) ? "not a regular file (a folder)" : "not a regular file",
            {path.string()});
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        throw IoError(std::string("cannot open file: ") + std::strerror(errno), {path.string()});
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw IoError(std::string("cannot stat file: ") + std::strerror(err), {path.string()});
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError("not a regular file", {path.string()});
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    void* map = nullptr;
    if (size > 0) {
        map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw IoError(std::string("cannot map file: ") + std::strerror(err), {path.string()});
        }
    }
    // The descriptor stays open for read(): copies go through pread, not the mapping.
    return std::shared_ptr<FileSource>(new FileSource(path, fd, map, size));
}

FileSource::FileSource(std::filesystem::path path, int fd, void* map, std::uint64_t size)
    : m_path(std::move(path)), m_fd(fd), m_map(map), m_size(size) {}

FileSource::~FileSource() {
    if (m_map != nullptr) {
        ::munmap(m_map, m_size);
    }
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void FileSource::read(std::uint64_t offset, std::span<std::byte> out) const {
    checkRange(*this, offset, out.size());
    const std::size_t got = preadFully(m_fd, out, offset, "cannot read file", {name(), {}, {}, {}});
    if (got < out.size()) {
        const std::uint64_t at = offset + got;
        throw CorruptDataError("unexpected end of file at offset " + std::to_string(at) +
                                   ": the file is shorter than when it was opened (" +
                                   std::to_string(m_size) + " bytes)",
                               {name(), {}, {}, at});
    }
}

void FileSource::dropCachedPages(std::uint64_t offset, std::uint64_t length) const {
    if (m_map == nullptr || offset >= m_size) {
        return;
    }
    length = std::min(length, m_size - offset);
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t begin = (offset + page - 1) / page * page;  // whole pages only
    const std::uint64_t end = (offset + length) / page * page;
    if (end > begin) {
        // A read-only private mapping that is never written: dropped pages are read again
        // from the file on the next access, so this cannot change what any view sees.
        (void)::madvise(static_cast<std::byte*>(m_map) + begin, end - begin, MADV_DONTNEED);
    }
}

std::span<const std::byte> FileSource::view() const {
    return {static_cast<const std::byte*>(m_map), static_cast<std::size_t>(m_size)};
}

MemorySource::MemorySource(std::vector<std::byte> bytes, std::string name)
    : m_bytes(std::move(bytes)), m_name(std::move(name)) {}

SliceSource::SliceSource(std::shared_ptr<const ByteSource> parent, std::uint64_t offset,
                         std::uint64_t length, std::string name)
    : m_parent(std::move(parent)), m_offset(offset), m_length(length), m_name(std::move(name)) {
    if (m_offset > m_parent->size() || m_length > m_parent->size() - m_offset) {
        throw CorruptDataError("member extends past the end of its container (" +
                                   std::to_string(m_offset) + "+" + std::to_string(m_length) +
                                   " > " + std::to_string(m_parent->size()) + ")",
                               {m_parent->name(), {}, m_name, m_offset});
    }
}

std::span<const std::byte> SliceSource::view() const {
    const auto whole = m_parent->view();
    if (whole.empty()) {
        return {};
    }
    return whole.subspan(static_cast<std::size_t>(m_offset), static_cast<std::size_t>(m_length));
}

void SliceSource::read(std::uint64_t offset, std::span<std::byte> out) const {
    if (offset > m_length || out.size() > m_length - offset) {
        throw CorruptDataError("unexpected end of data: needed " + std::to_string(out.size()) +
                                   " bytes at offset " + std::to_string(offset) + " of " +
                                   std::to_string(m_length),
                               {m_name, {}, {}, offset});
    }
    m_parent->read(m_offset + offset, out);
}

std::string hexPreview(std::span<const std::byte> bytes, std::size_t maxBytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(bytes.size(), maxBytes);
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = static_cast<unsigned>(bytes[i]);
        if (i > 0) {
            out += ' ';
        }
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    if (bytes.size() > maxBytes) {
        out += " ...";
    }
    if (n == 0) {
        out = "(empty file)";
    }
    return out;
}

}  // namespace ckpt::core
