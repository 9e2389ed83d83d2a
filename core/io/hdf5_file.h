#pragma once
/// Checked, RAII access to the HDF5 C API. The Debian HDF5 build is not thread-safe: every HDF5
/// call in the project runs under hdf5Mutex(). Errors become CorruptDataError/FormatError with
/// the message from the HDF5 error stack; HDF5 itself prints nothing.

#include <hdf5.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace ckpt::core {

class ByteSource;
struct IsolatedResult;

/// The one lock around the HDF5 library (recursive: helpers may nest).
[[nodiscard]] std::recursive_mutex& hdf5Mutex();
using Hdf5Lock = std::lock_guard<std::recursive_mutex>;

/// Owns one HDF5 identifier (file, group, dataset, attribute, type, space, plist) and releases
/// it under the lock.
class H5Id {
public:
    H5Id() = default;
    explicit H5Id(hid_t id) : m_id(id) {}
    ~H5Id();
    H5Id(H5Id&& other) noexcept : m_id(other.m_id) { other.m_id = H5I_INVALID_HID; }
    H5Id& operator=(H5Id&& other) noexcept;
    H5Id(const H5Id&) = delete;
    H5Id& operator=(const H5Id&) = delete;

    [[nodiscard]] hid_t get() const { return m_id; }
    [[nodiscard]] bool valid() const { return m_id >= 0; }
    /// Gives up ownership: the caller closes the id (and can check that the close worked).
    [[nodiscard]] hid_t release() {
        const hid_t id = m_id;
        m_id = H5I_INVALID_HID;
        return id;
    }

private:
    hid_t m_id = H5I_INVALID_HID;
};

/// The innermost messages of the current HDF5 error stack, e.g. "truncated file: eof = 100".
[[nodiscard]] std::string hdf5ErrorStack();

/// A call into libhdf5 failed on the file's contents (its message is HDF5's own). Separate from
/// the project's own checks of HDF5 structures: those end in a plain CorruptDataError.
class Hdf5LibraryError : public CorruptDataError {
public:
    using CorruptDataError::CorruptDataError;
};

/// Throws Hdf5LibraryError("<what>: <HDF5 message>") when `id` is negative; returns it otherwise.
hid_t h5check(hid_t id, const std::string& what);
/// Same for herr_t/htri_t results.
int h5checkStatus(int status, const std::string& what);

/// An open HDF5 file over a ByteSource, read-only. A whole file on disk
/// (ByteSource::wholeFileDescriptor) is read through HDF5's POSIX driver with pread(), so
/// metadata reads leave no mapped pages resident; anything else memory-backed (a zip member, an
/// inflated buffer) is opened through HDF5's file-image driver over its view, without copying.
class Hdf5File {
public:
    /// Opens `source`; throws FormatError when it is not HDF5, CorruptDataError when damaged.
    static std::shared_ptr<Hdf5File> open(std::shared_ptr<const ByteSource> source);
    ~Hdf5File();
    Hdf5File(const Hdf5File&) = delete;
    Hdf5File& operator=(const Hdf5File&) = delete;

    [[nodiscard]] hid_t id() const { return m_file.get(); }
    [[nodiscard]] const std::shared_ptr<const ByteSource>& source() const { return m_source; }
    [[nodiscard]] std::string name() const;

    /// The separate checking process's work (the program ckpt-hdf5-check, hdf5_check.h): reads
    /// the whole structure of `source` here and returns "" when libhdf5 read it all, else
    /// "<where>\n<why>". Crashes and hangs are what the process around it is for.
    static std::string checkStructureHere(std::shared_ptr<const ByteSource> source);
    static constexpr unsigned long long kCheckAddressSpace = 4ull << 30;

private:
    Hdf5File(std::shared_ptr<const ByteSource> source, H5Id file);
    static std::shared_ptr<Hdf5File> openUnchecked(std::shared_ptr<const ByteSource> source);
    /// libhdf5 trusts the structures a file claims, and a damaged one can crash it (fuzzing
    /// found SIGSEGVs and invalid frees in 1.10). Before a file is read here, a separate
    /// process reads its whole structure (hdf5_walk.h): the program ckpt-hdf5-check started
    /// fresh, or where it cannot be found a forked copy of this process. A crash there, or no
    /// end within the `hdf5-check-seconds` limit, refuses the file with a clear error.
    /// A file opened again unchanged reuses its earlier result (checkResults in the .cpp).
    static void checkInSeparateProcess(const std::shared_ptr<const ByteSource>& source);
    static IsolatedResult runCheck(const std::shared_ptr<const ByteSource>& source,
                                   std::uint64_t seconds);
    /// Throws the error a check's result means; returns when the file may be read here.
    static void reportCheck(const IsolatedResult& result, const ByteSource& source,
                            std::uint64_t seconds);
    static constexpr std::uint64_t kCheckedObjects = 1'000'000;

    std::shared_ptr<const ByteSource> m_source;
    std::shared_ptr<void> m_image;  // the core driver's view of m_source; outlives m_file
    H5Id m_file;
};

/// The bytes of the open file that holds the object `obj` (any identifier inside a file opened
/// by Hdf5File::open), or null when it is not one of ours. Lets readers check what a file claims
/// against the file itself.
[[nodiscard]] std::shared_ptr<const ByteSource> hdf5SourceOf(hid_t obj);

/// Kind of a link inside a group.
enum class H5ObjectKind { Group, Dataset, Datatype, Other };

struct H5Member {
    std::string name;
    H5ObjectKind kind;
    std::uint64_t objectId = 0;  ///< file address of the object: equal ids are one object
};

/// Members of the group at `groupPath`, in the order of their names (HDF5's name index).
/// Soft and external links are skipped. Throws when the group cannot be opened.
[[nodiscard]] std::vector<H5Member> listGroup(hid_t location, const std::string& groupPath);

/// Members of an already open group (`label` names it in errors).
[[nodiscard]] std::vector<H5Member> listOpenGroup(hid_t group, const std::string& label);

/// True when `path` (relative to `location`) names an existing object; never throws.
[[nodiscard]] bool h5Exists(hid_t location, const std::string& path);

}  // namespace ckpt::core
