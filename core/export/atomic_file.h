#pragma once
/// Atomic file writes: the output is written to a temporary file in the target's folder (same
/// filesystem), flushed and fsynced, then renamed over the target. On any error, or when the
/// work is cancelled, the temporary is removed and the target is left as it was.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ckpt::core {

/// One atomic write of `target`. Construct, write through write() (or let a library write to
/// tempPath() after closeHandle()), then commit(). Destroying an uncommitted AtomicFile removes
/// the temporary. The temporary is named `.<target name>.ckpt-tmp-<pid>-<random>` so that a
/// stray one (after SIGKILL or a power cut) is recognisable.
class AtomicFile {
public:
    /// Creates the temporary (O_EXCL, mode 0644 minus umask). Throws IoError when `target` is
    /// one of `inputs` (same file by std::filesystem::equivalent, links and hard links
    /// included), is a directory, or its folder is not writable.
    explicit AtomicFile(std::filesystem::path target,
                        const std::vector<std::filesystem::path>& inputs = {});
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    [[nodiscard]] const std::filesystem::path& target() const { return m_target; }
    [[nodiscard]] const std::filesystem::path& tempPath() const { return m_temp; }

    /// Appends `size` bytes (retries short writes and EINTR); throws IoError on failure.
    void write(const void* data, std::size_t size);
    /// Appends `length` bytes of the file open as `fd`, from `offset` (positional: fd's own
    /// offset is not used or moved). Copies inside the kernel (copy_file_range) when it can,
    /// else through a bounded buffer with pread(); no byte passes through the caller. Throws
    /// CorruptDataError when the input ends early, IoError on failure.
    void copyFrom(int fd, std::uint64_t offset, std::uint64_t length);
    /// Starts writing back to disk what has been written so far (asynchronous; commit() still
    /// waits for everything). Lets the disk work while the rest is still being copied.
    void startWriteback();

    /// Bytes written through write() and copyFrom() so far.
    [[nodiscard]] std::uint64_t written() const { return m_written; }

    /// Closes this object's descriptor so that another writer (HDF5, libzip) can create the
    /// file at tempPath(); commit() then syncs whatever is at tempPath().
    void closeHandle();

    /// fsyncs the temporary, renames it onto the target and fsyncs the folder. Throws IoError
    /// (and removes the temporary) when any step fails.
    void commit();

    /// Removes the temporary now (also done by the destructor when not committed).
    void discard() noexcept;

    /// Throws IoError when writing `target` would overwrite one of `inputs`.
    static void checkNotInput(const std::filesystem::path& target,
                              const std::vector<std::filesystem::path>& inputs);

    /// A fresh, unused temporary path beside `target`, with `suffix` appended (for helper files
    /// such as the weights of a .keras archive). The caller creates and removes it.
    [[nodiscard]] static std::filesystem::path siblingTempPath(const std::filesystem::path& target,
                                                               const std::string& suffix);

private:
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    int m_fd = -1;
    bool m_done = false;
    bool m_noCopyRange = false;  // copy_file_range refused once: use pread/write
    std::uint64_t m_written = 0;
    std::uint64_t m_writebackFrom = 0;
    int m_cleanupSlot = -1;  // registered for removal on SIGINT/SIGTERM (core/util/temp_files.h)
};

/// Removes `path` on destruction (for helper temporaries).
class TempFileGuard {
public:
    explicit TempFileGuard(std::filesystem::path path);
    ~TempFileGuard();
    TempFileGuard(const TempFileGuard&) = delete;
    TempFileGuard& operator=(const TempFileGuard&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    int m_cleanupSlot = -1;
};

}  // namespace ckpt::core
