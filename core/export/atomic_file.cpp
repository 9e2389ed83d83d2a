#include "core/export/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>
#include <vector>

#include "core/io/pread_fully.h"
#include "core/util/error.h"
#include "core/util/temp_files.h"

namespace ckpt::core {
namespace {

namespace fs = std::filesystem;

std::string errnoText(int e) {
    return std::error_code(e, std::generic_category()).message();
}

[[noreturn]] void throwIo(const std::string& what, const fs::path& path, int e) {
    throw IoError(what + ": " + errnoText(e), {path.string(), "export", {}, {}});
}

std::string randomTag() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const unsigned v = rd() ^ (counter.fetch_add(1) * 2654435761U);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", v);
    return buf;
}

fs::path folderOf(const fs::path& target) {
    const fs::path parent = target.parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

void fsyncFolder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);  // best effort: some filesystems refuse fsync on directories
        ::close(fd);
    }
}

}  // namespace

void AtomicFile::checkNotInput(const fs::path& target, const std::vector<fs::path>& inputs) {
    std::error_code ec;
    if (!fs::exists(target, ec)) {
        return;
    }
    if (fs::is_directory(target, ec)) {
        throw IoError("the output is a folder; give a file name",
                      {target.string(), "export", {}, {}});
    }
    for (const auto& in : inputs) {
        std::error_code eq;
        if (fs::equivalent(target, in, eq) && !eq) {
            throw IoError("refusing to write onto the input file " + in.string() +
                              " (inputs are never modified; choose another output name)",
                          {target.string(), "export", {}, {}});
        }
    }
}

fs::path AtomicFile::siblingTempPath(const fs::path& target, const std::string& suffix) {
    return folderOf(target) / ("." + target.filename().string() + ".ckpt-tmp-" +
                               std::to_string(::getpid()) + "-" + randomTag() + suffix);
}

AtomicFile::AtomicFile(fs::path target, const std::vector<fs::path>& inputs)
    : m_target(std::move(target)) {
    if (m_target.filename().empty()) {
        throw IoError("the output needs a file name", {m_target.string(), "export", {}, {}});
    }
    checkNotInput(m_target, inputs);
    for (int attempt = 0; attempt < 16; ++attempt) {
        m_temp = siblingTempPath(m_target, "");
        m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (m_fd >= 0 || errno != EEXIST) {
            break;
        }
    }
    if (m_fd < 0) {
        throwIo("cannot create a temporary file in " + folderOf(m_target).string(), m_target,
                errno);
    }
    m_cleanupSlot = registerTempFile(m_temp);
}

AtomicFile::~AtomicFile() {
    if (!m_done) {
        discard();
    }
}

void AtomicFile::write(const void* data, std::size_t size) {
    if (m_fd < 0) {
        throw IoError("internal: write after closeHandle()", {m_target.string(), "export", {}, {}});
    }
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwIo("cannot write " + m_temp.string(), m_target, errno);
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        m_written += static_cast<std::uint64_t>(n);
    }
}

void AtomicFile::copyFrom(int fd, std::uint64_t offset, std::uint64_t length) {
    if (m_fd < 0) {
        throw IoError("internal: write after closeHandle()", {m_target.string(), "export", {}, {}});
    }
    auto in = static_cast<off_t>(offset);
    while (length > 0 && !m_noCopyRange) {
        const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(length, 1U << 30));
        const ssize_t n = ::copy_file_range(fd, &in, m_fd, nullptr, step, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                errno == EBADF || errno == EPERM) {
                m_noCopyRange = true;  // not supported between these files: copy below
                break;
            }
            throwIo("cannot copy into " + m_temp.string(), m_target, errno);
        }
        if (n == 0) {
            throw CorruptDataError("unexpected end of the input file at offset " +
                                       std::to_string(in) + " while copying tensor data",
                                   {{}, {}, {}, static_cast<std::uint64_t>(in)});
        }
        length -= static_cast<std::uint64_t>(n);
        m_written += static_cast<std::uint64_t>(n);
    }
    if (length == 0) {
        return;
    }
    std::vector<std::byte> buffer(
        static_cast<std::size_t>(std::min<std::uint64_t>(length, 1U << 20)));
    while (length > 0) {
        const auto step = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer.size()));
        const std::size_t n = preadFully(fd, {buffer.data(), step}, static_cast<std::uint64_t>(in),
                                         "cannot read the input");
        write(buffer.data(), n);
        if (n < step) {
            throw CorruptDataError("unexpected end of the input file at offset " +
                                       std::to_string(in + static_cast<off_t>(n)) +
                                       " while copying tensor data",
                                   {{}, {}, {}, static_cast<std::uint64_t>(in) + n});
        }
        in += static_cast<off_t>(n);
        length -= n;
    }
}

void AtomicFile::startWriteback() {
    if (m_fd < 0 || m_written <= m_writebackFrom) {
        return;
    }
    // Best effort: only a hint to start the disk early; commit() fsyncs everything.
    ::sync_file_range(m_fd, static_cast<off_t>(m_writebackFrom),
                      static_cast<off_t>(m_written - m_writebackFrom), SYNC_FILE_RANGE_WRITE);
    m_writebackFrom = m_written;
}

void AtomicFile::closeHandle() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void AtomicFile::commit() {
    if (m_done) {
        return;
    }
    try {
        // Another writer may have replaced the file at m_temp (libzip renames its own temporary
        // onto it), so sync what the path names now.
        closeHandle();
        const int fd = ::open(m_temp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throwIo("cannot reopen " + m_temp.string(), m_target, errno);
        }
        const int rc = ::fsync(fd);
        const int e = errno;
        ::close(fd);
        if (rc != 0) {
            throwIo("cannot flush " + m_temp.string() + " to disk", m_target, e);
        }
        if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
            throwIo("cannot rename " + m_temp.string() + " into place", m_target, errno);
        }
        m_done = true;
        unregisterTempFile(m_cleanupSlot);
        m_cleanupSlot = -1;
        fsyncFolder(folderOf(m_target));
    } catch (...) {
        discard();
        throw;
    }
}

void AtomicFile::discard() noexcept {
    closeHandle();
    if (!m_done && !m_temp.empty()) {
        ::unlink(m_temp.c_str());
    }
    unregisterTempFile(m_cleanupSlot);
    m_cleanupSlot = -1;
    m_done = true;
}

TempFileGuard::TempFileGuard(std::filesystem::path path)
    : m_path(std::move(path)), m_cleanupSlot(registerTempFile(m_path)) {}

TempFileGuard::~TempFileGuard() {
    if (!m_path.empty()) {
        ::unlink(m_path.c_str());
    }
    unregisterTempFile(m_cleanupSlot);
}

}  // namespace ckpt::core
