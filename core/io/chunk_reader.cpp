#include "core/io/chunk_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/model/tensor.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

/// Below this a chunk is cheaper to copy than to map and unmap.
constexpr std::size_t kMapMinBytes = std::size_t{256} << 10;

std::size_t pageSize() {
    static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

}  // namespace

MappedRange::~MappedRange() {
    reset();
}

void MappedRange::reset() {
    if (m_address != nullptr) {
        ::munmap(m_address, m_length);
        m_address = nullptr;
        m_length = 0;
    }
}

const std::byte* MappedRange::map(int fd, std::uint64_t offset, std::size_t length) {
    reset();
    const std::uint64_t start = offset - offset % pageSize();
    const auto lead = static_cast<std::size_t>(offset - start);
    void* p = ::mmap(nullptr, lead + length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
                     static_cast<off_t>(start));
    if (p == MAP_FAILED) {
        return nullptr;
    }
    m_address = p;
    m_length = lead + length;
    return static_cast<const std::byte*>(p) + lead;
}

OpenFiles::~OpenFiles() {
    for (const auto& [path, fd] : m_descriptors) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

int OpenFiles::descriptor(const std::filesystem::path& path) {
    const std::lock_guard lock(m_mutex);
    const auto it = m_descriptors.find(path);
    if (it != m_descriptors.end()) {
        return it->second;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    m_descriptors.emplace(path, fd);
    return fd;
}

ChunkReader::ChunkReader(const Tensor& tensor, OpenFiles& files)
    : m_tensor(tensor), m_elementSize(dtypeSize(tensor.dtype())) {
    if (tensor.source() == nullptr || m_elementSize == 0) {
        return;
    }
    if (const auto extent = tensor.source()->fileExtent()) {
        m_descriptor = files.descriptor(extent->file);
        m_offset = extent->offset;
    }
}

const std::byte* ChunkReader::view(std::uint64_t first, std::uint64_t count,
                                   std::vector<std::byte>& buffer, MappedRange& mapping) const {
    const auto bytes = static_cast<std::size_t>(count * m_elementSize);
    if (m_descriptor >= 0 && bytes >= kMapMinBytes) {
        if (first > m_tensor.numel() || count > m_tensor.numel() - first) {
            throw CorruptDataError("element range outside the tensor");
        }
        // A mapping past the end of the file would fault on access; the reader checked the
        // extent against the file size when it opened it, so this only fails if the file
        // shrank since.
        if (const std::byte* p =
                mapping.map(m_descriptor, m_offset + first * m_elementSize, bytes)) {
            return p;
        }
    }
    mapping.reset();
    buffer.resize(std::max(buffer.size(), bytes));
    read(first, count, buffer.data());
    return buffer.data();
}

void ChunkReader::read(std::uint64_t first, std::uint64_t count, std::byte* out) const {
    if (m_descriptor < 0) {
        m_tensor.readRaw(first, count, out);
        return;
    }
    const std::uint64_t numel = m_tensor.numel();
    if (first > numel || count > numel - first) {
        throw CorruptDataError("element range " + std::to_string(first) + "+" +
                               std::to_string(count) + " is outside a tensor of " +
                               std::to_string(numel) + " elements");
    }
    const std::uint64_t at = m_offset + first * m_elementSize;
    const auto bytes = static_cast<std::size_t>(count * m_elementSize);
    const std::size_t got =
        preadFully(m_descriptor, {out, bytes}, at, "cannot read tensor data", {});
    if (got < bytes) {
        throw CorruptDataError("unexpected end of file while reading tensor data",
                               {{}, {}, {}, at + got});
    }
}

}  // namespace ckpt::core
