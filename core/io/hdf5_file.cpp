#include "core/io/hdf5_file.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <string_view>

#include "core/io/byte_source.h"
#include "core/io/hdf5_check.h"
#include "core/io/hdf5_precheck.h"
#include "core/io/hdf5_walk.h"
#include "core/util/error.h"
#include "core/util/isolated_run.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

/// Turns off libhdf5's printing of its error stack to stderr (errors are read from the stack
/// instead). A thread-safe libhdf5 (Debian's is) keeps that setting per thread: every thread that
/// calls into it must turn it off for itself, or `ckpt scan --jobs` prints HDF5-DIAG traces.
void silenceHdf5() {
#ifdef H5_HAVE_THREADSAFE
    thread_local const bool done = [] {
#else
    static const bool done = [] {
#endif
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

herr_t collectError(unsigned n, const H5E_error2_t* err, void* data) {
    auto* out = static_cast<std::vector<std::string>*>(data);
    if (err->desc != nullptr && err->desc[0] != '\0') {
        out->emplace_back(err->desc);
    }
    (void)n;
    return 0;
}

}  // namespace

std::recursive_mutex& hdf5Mutex() {
    static std::recursive_mutex m;
    silenceHdf5();  // every thread that takes the lock is about to call libhdf5
    return m;
}

H5Id::~H5Id() {
    if (m_id >= 0) {
        Hdf5Lock lock(hdf5Mutex());
        H5Idec_ref(m_id);
    }
}

H5Id& H5Id::operator=(H5Id&& other) noexcept {
    if (this != &other) {
        if (m_id >= 0) {
            Hdf5Lock lock(hdf5Mutex());
            H5Idec_ref(m_id);
        }
        m_id = other.m_id;
        other.m_id = H5I_INVALID_HID;
    }
    return *this;
}

std::string hdf5ErrorStack() {
    std::vector<std::string> messages;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collectError, &messages);
    H5Eclear2(H5E_DEFAULT);
    // Upward walk: the innermost (most specific) message comes first.
    std::string out;
    for (std::size_t i = 0; i < messages.size() && i < 2; ++i) {
        out += (i ? "; " : "") + messages[i];
    }
    return out.empty() ? "unknown HDF5 error" : out;
}

hid_t h5check(hid_t id, const std::string& what) {
    if (id < 0) {
        throw Hdf5LibraryError(what + ": " + hdf5ErrorStack());
    }
    return id;
}

int h5checkStatus(int status, const std::string& what) {
    if (status < 0) {
        throw Hdf5LibraryError(what + ": " + hdf5ErrorStack());
    }
    return status;
}

namespace {

/// The mapped bytes handed to HDF5's core driver. The callbacks hand out this one buffer for
/// every "allocation" and never copy, free or grow it: HDF5 reads the file in place.
struct ImageBuffer {
    void* data;
    std::size_t size;
};

void* imageMalloc(std::size_t size, H5FD_file_image_op_t, void* udata) {
    auto* image = static_cast<ImageBuffer*>(udata);
    return size == image->size ? image->data : nullptr;
}

void* imageMemcpy(void* dest, const void* src, std::size_t, H5FD_file_image_op_t, void*) {
    return dest == src ? dest : nullptr;  // the buffer is read-only: never copy into it
}

void* imageRealloc(void*, std::size_t, H5FD_file_image_op_t, void*) {
    return nullptr;  // read-only: the image never grows
}

herr_t imageFree(void*, H5FD_file_image_op_t, void*) {
    return 0;
}

void* udataCopy(void* udata) {
    return udata;
}

herr_t udataFree(void*) {
    return 0;
}

}  // namespace

namespace {

#if H5_VERSION_GE(1, 12, 1) || (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7)
#define CKPT_H5_HAS_FILE_LOCKING 1
#endif

/// Opens a whole file on disk through HDF5's POSIX (sec2) driver: metadata is read with small
/// pread() calls instead of through the mapping, so opening a large file leaves no mapped pages
/// resident (on kernels that map whole large page-cache folios per fault, reading metadata
/// through the mapping made ~1 MiB of the file resident per object header touched). The file
/// is reopened through /proc/self/fd, i.e. the same inode the source holds, even if the path has
/// been replaced since. Returns a negative id when this fails (no /proc, permissions); the
/// caller then falls back to the file image.
hid_t openThroughDescriptor(int fd) {
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) {
        return H5I_INVALID_HID;
    }
    H5Id owner(fapl);
    if (H5Pset_fapl_sec2(fapl) < 0) {
        return H5I_INVALID_HID;
    }
#ifdef CKPT_H5_HAS_FILE_LOCKING
    // Read-only inspection must not fail because another program holds a write lock.
    H5Pset_file_locking(fapl, false, true);
#endif
    return H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
}

}  // namespace

namespace {

/// Runs ckpt-hdf5-check over `source`: the file's own descriptor and range when it has one,
/// else a copy of its bytes in a memory file. Unavailable when the program or the memory file
/// cannot be had.
IsolatedResult checkWithProgram(const ByteSource& source, std::uint64_t seconds) {
    const std::string& checker = hdf5CheckerPath();
    if (checker.empty()) {
        return {};
    }
    int fd = source.fileDescriptor();
    std::uint64_t offset = source.fileOffset();
    struct Owned {
        int fd = -1;
        ~Owned() {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    } memory;
    if (fd < 0) {
        // An inflated zip member or another buffer: the program reads a copy.
        memory.fd = ::memfd_create("ckpt-hdf5-check", MFD_CLOEXEC);
        if (memory.fd < 0) {
            return {};
        }
        std::vector<std::byte> chunk;
        for (std::uint64_t at = 0; at < source.size();) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(source.size() - at, 1u << 20));
            chunk.resize(n);
            source.read(at, chunk);
            if (!writeAll(memory.fd, chunk.data(), n)) {
                return {};
            }
            at += n;
        }
        fd = memory.fd;
        offset = 0;
    }
    return runIsolatedProgram(
        checker,
        {"--offset", std::to_string(offset), "--length", std::to_string(source.size()), "--seconds",
         std::to_string(seconds), "--parent", std::to_string(::getpid())},
        fd, std::chrono::seconds(seconds));
}

}  // namespace

std::shared_ptr<Hdf5File> Hdf5File::open(std::shared_ptr<const ByteSource> source) {
    Hdf5Lock lock(hdf5Mutex());
    silenceHdf5();
    const Error::Context ctx{source->name(), "hdf5"};
    if (source->size() == 0) {
        throw FormatError("empty data is not an HDF5 file", ctx);
    }
    precheckHdf5(source->view(), source->name());
    checkInSeparateProcess(source);
    return openUnchecked(std::move(source));
}

namespace {

/// The bytes a check was run on, when they are a file's: the file (device, inode), its size and
/// change times, the range, the limit, and a hash of its first 4 MiB (two writes of one file
/// within a clock tick can leave equal times). A file that changes between
/// two opens could as well change between a check and the read that follows it, so reusing a
/// result adds no way around the check; in-memory bytes (inflated members) are not reused.
struct CheckKey {
    std::uint64_t device = 0, inode = 0, fileSize = 0, offset = 0, length = 0, seconds = 0;
    std::int64_t modified = 0, changed = 0;
    std::size_t bytesHash = 0;
    auto operator<=>(const CheckKey&) const = default;
};

std::optional<CheckKey> checkKeyOf(const ByteSource& source, std::uint64_t seconds) {
    const int fd = source.fileDescriptor();
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    CheckKey key;
    key.device = std::uint64_t(st.st_dev);
    key.inode = std::uint64_t(st.st_ino);
    key.fileSize = std::uint64_t(st.st_size);
    key.offset = source.fileOffset();
    key.length = source.size();
    key.seconds = seconds;
    key.modified = std::int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    key.changed = std::int64_t(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    // The bytes are read, not mapped: a check leaves no pages of the file resident.
    const std::uint64_t hashed = std::min<std::uint64_t>(source.size(), 4u << 20);
    std::vector<char> chunk(64u << 10);
    for (std::uint64_t at = 0; at < hashed;) {
        const auto want = std::size_t(std::min<std::uint64_t>(hashed - at, chunk.size()));
        const ssize_t got = ::pread(fd, chunk.data(), want, off_t(key.offset + at));
        if (got <= 0) {
            return std::nullopt;
        }
        key.bytesHash =
            key.bytesHash * 1099511628211ull ^
            std::hash<std::string_view>{}(std::string_view(chunk.data(), std::size_t(got)));
        at += std::uint64_t(got);
    }
    return key;
}

/// The check's deadline for the `hdf5-check-seconds` limit (at most a day).
std::chrono::milliseconds checkDeadline(std::uint64_t seconds) {
    return std::chrono::milliseconds(std::min<std::uint64_t>(seconds, 86400) * 1000);
}

/// Results of finished and crashed checks in this process (guarded by hdf5Mutex()): opening
/// one file again (`ckpt diff a.h5 a.h5`, each view of the app, a validator after the tree)
/// runs no second check. Bounded: cleared when full.
std::map<CheckKey, IsolatedResult>& checkResults() {
    static std::map<CheckKey, IsolatedResult> results;
    return results;
}

}  // namespace

void Hdf5File::checkInSeparateProcess(const std::shared_ptr<const ByteSource>& source) {
    const std::uint64_t seconds = limits().hdf5CheckSeconds;
    if (seconds == 0) {
        return;
    }
    const auto key = checkKeyOf(*source, seconds);
    if (key) {
        if (const auto it = checkResults().find(*key); it != checkResults().end()) {
            reportCheck(it->second, *source, seconds);
            return;
        }
    }
    const auto result = runCheck(source, seconds);
    using Outcome = IsolatedResult::Outcome;
    if (key && (result.outcome == Outcome::Finished || result.outcome == Outcome::Crashed)) {
        if (checkResults().size() >= 256) {
            checkResults().clear();
        }
        checkResults().emplace(*key, result);
    }
    reportCheck(result, *source, seconds);
}

IsolatedResult Hdf5File::runCheck(const std::shared_ptr<const ByteSource>& source,
                                  std::uint64_t seconds) {
    const auto deadline = checkDeadline(seconds);
    // A forked copy costs least (a 380-cut conformance row of a Keras .h5: 41 s, against 94 s
    // with the program) and is safe while this process has no other thread: none can hold a
    // lock the copy needs. With other threads (`ckpt scan --jobs`, the app), or when
    // $CKPT_HDF5_CHECKER names it, the program ckpt-hdf5-check runs instead.
    IsolatedResult result;
    if (hdf5CheckerNamed() || otherThreadsRunning()) {
        result = checkWithProgram(*source, std::min<std::uint64_t>(seconds, 86400));
    }
    if (result.outcome == IsolatedResult::Outcome::Unavailable) {
        // Single-threaded, or no ckpt-hdf5-check here (a program built outside this tree): a
        // forked copy. The calling thread holds hdf5Mutex(), so no other thread is inside
        // libhdf5 at the fork.
        result = runIsolated(
            [&source] {
                // The copy has one thread, whose id is not the one that locked the mutex.
                new (&hdf5Mutex()) std::recursive_mutex();
                return walkHdf5Structure(openUnchecked(source), kCheckedObjects);
            },
            deadline, kCheckAddressSpace);
    }
    return result;
}

void Hdf5File::reportCheck(const IsolatedResult& result, const ByteSource& source,
                           std::uint64_t seconds) {
    const auto deadline = checkDeadline(seconds);
    const Error::Context ctx{source.name(), "hdf5"};
    using Outcome = IsolatedResult::Outcome;
    if (result.outcome == Outcome::Crashed) {
        throw CorruptDataError(
            "libhdf5 crashed reading this file's structure in a separate checking process (" +
                result.describe(deadline) +
                "): the file is damaged or made to attack libhdf5, and was not read further",
            ctx);
    }
    if (result.outcome == Outcome::TimedOut) {
        throw LimitError(
            "the HDF5 library did not finish reading this file's structure in a "
            "separate checking process within " +
                std::to_string(seconds) + " s",
            "hdf5-check-seconds", seconds, ctx);
    }
    if (result.outcome == Outcome::Finished && !result.report.empty()) {
        // libhdf5's bugs live on its error paths (both crashes fuzzing found did): a structure
        // it fails to read is refused here rather than read again in this process.
        const auto newline = result.report.find('\n');
        const std::string where = result.report.substr(0, newline);
        const std::string why =
            newline == std::string::npos ? std::string() : result.report.substr(newline + 1);
        throw CorruptDataError("libhdf5 cannot read this file's structure: " + why +
                                   " (found by a separate checking process, so the failure "
                                   "is not repeated here; --limit hdf5-check-seconds=0 reads "
                                   "the file without that check)",
                               {source.name(), "hdf5", where});
    }
    // Finished clean, or no process could be made (the file is then read here unchecked).
}

std::string Hdf5File::checkStructureHere(std::shared_ptr<const ByteSource> source) {
    Hdf5Lock lock(hdf5Mutex());
    silenceHdf5();
    return walkHdf5Structure(openUnchecked(std::move(source)), kCheckedObjects);
}

std::shared_ptr<Hdf5File> Hdf5File::openUnchecked(std::shared_ptr<const ByteSource> source) {
    Hdf5Lock lock(hdf5Mutex());
    const Error::Context ctx{source->name(), "hdf5"};
    if (const int fd = source->wholeFileDescriptor(); fd >= 0) {
        const hid_t id = openThroughDescriptor(fd);
        if (id >= 0) {
            return std::shared_ptr<Hdf5File>(new Hdf5File(std::move(source), H5Id(id)));
        }
        // Damaged files fail here too: the file image below gives the error (same messages
        // as before for every file).
        H5Eclear2(H5E_DEFAULT);
    }
    const auto bytes = source->view();
    if (bytes.empty()) {
        throw FormatError("data that is not memory-backed cannot be opened as HDF5", ctx);
    }
    auto image = std::make_unique<ImageBuffer>(
        ImageBuffer{const_cast<std::byte*>(bytes.data()), bytes.size()});  // opened read-only
    H5Id fapl(h5check(H5Pcreate(H5P_FILE_ACCESS), "file access properties"));
    h5checkStatus(H5Pset_fapl_core(fapl.get(), 1 << 16, 0), "core driver");
    H5FD_file_image_callbacks_t callbacks{imageMalloc, imageMemcpy, imageRealloc, imageFree,
                                          udataCopy,   udataFree,   image.get()};
    h5checkStatus(H5Pset_file_image_callbacks(fapl.get(), &callbacks), "file image callbacks");
    h5checkStatus(H5Pset_file_image(fapl.get(), image->data, image->size), "file image");
    // The name is only a label for the core driver; nothing is read from or written to disk.
    // It must differ between images open at once: libhdf5 takes two core-driver files of the
    // same name for one file and hands back the one already open (with `ckpt scan --jobs`, a
    // truncated .h5 opened while another thread held a .keras's weights was read as those).
    static std::uint64_t imageNumber = 0;  // guarded by hdf5Mutex()
    const std::string label = "ckpt-image-" + std::to_string(++imageNumber);
    const hid_t id = H5Fopen(label.c_str(), H5F_ACC_RDONLY, fapl.get());
    if (id < 0) {
        const std::string why = hdf5ErrorStack();  // read before any other call clears it
        throw CorruptDataError("cannot open HDF5 file: " + why, ctx);
    }
    auto file = std::shared_ptr<Hdf5File>(new Hdf5File(std::move(source), H5Id(id)));
    file->m_image = std::move(image);
    return file;
}

namespace {

/// Open files by their HDF5 file identifier (H5Iget_file_id returns the identifier the file was
/// opened with while it is open). Guarded by hdf5Mutex().
std::map<hid_t, std::shared_ptr<const ByteSource>>& openSources() {
    static std::map<hid_t, std::shared_ptr<const ByteSource>> sources;
    return sources;
}

}  // namespace

Hdf5File::Hdf5File(std::shared_ptr<const ByteSource> source, H5Id file)
    : m_source(std::move(source)), m_file(std::move(file)) {
    Hdf5Lock lock(hdf5Mutex());
    openSources()[m_file.get()] = m_source;
}

Hdf5File::~Hdf5File() {
    Hdf5Lock lock(hdf5Mutex());
    openSources().erase(m_file.get());
}

std::shared_ptr<const ByteSource> hdf5SourceOf(hid_t obj) {
    Hdf5Lock lock(hdf5Mutex());
    const hid_t file = H5Iget_file_id(obj);
    if (file < 0) {
        H5Eclear2(H5E_DEFAULT);
        return nullptr;
    }
    H5Idec_ref(file);  // H5Iget_file_id added a reference
    const auto it = openSources().find(file);
    return it == openSources().end() ? nullptr : it->second;
}

std::string Hdf5File::name() const {
    return m_source->name();
}

namespace {

struct IterateState {
    std::vector<H5Member>* out;
};

#if H5_VERSION_GE(1, 12, 0)
using LinkInfo = H5L_info2_t;
using ObjectInfo = H5O_info2_t;
#define CKPT_H5_LITERATE H5Literate2
#define CKPT_H5_OINFO(g, n, i) H5Oget_info_by_name3(g, n, i, H5O_INFO_BASIC, H5P_DEFAULT)
#else
using LinkInfo = H5L_info_t;
using ObjectInfo = H5O_info_t;
#define CKPT_H5_LITERATE H5Literate
#define CKPT_H5_OINFO(g, n, i) H5Oget_info_by_name2(g, n, i, H5O_INFO_BASIC, H5P_DEFAULT)
#endif

herr_t collectMember(hid_t group, const char* name, const LinkInfo* info, void* data) {
    auto* state = static_cast<IterateState*>(data);
    if (info->type != H5L_TYPE_HARD) {
        return 0;
    }
    ObjectInfo oinfo{};
    if (CKPT_H5_OINFO(group, name, &oinfo) < 0) {
        return -1;
    }
    H5ObjectKind kind = H5ObjectKind::Other;
    if (oinfo.type == H5O_TYPE_GROUP) {
        kind = H5ObjectKind::Group;
    } else if (oinfo.type == H5O_TYPE_DATASET) {
        kind = H5ObjectKind::Dataset;
    } else if (oinfo.type == H5O_TYPE_NAMED_DATATYPE) {
        kind = H5ObjectKind::Datatype;
    }
#if H5_VERSION_GE(1, 12, 0)
    std::uint64_t objectId = 0;
    std::memcpy(&objectId, &oinfo.token, sizeof objectId);
#else
    const std::uint64_t objectId = oinfo.addr;
#endif
    state->out->push_back({name, kind, objectId});
    return 0;
}

}  // namespace

std::vector<H5Member> listGroup(hid_t location, const std::string& groupPath) {
    Hdf5Lock lock(hdf5Mutex());
    H5Id group(h5check(H5Gopen2(location, groupPath.c_str(), H5P_DEFAULT),
                       "cannot open group '" + groupPath + "'"));
    return listOpenGroup(group.get(), groupPath);
}

std::vector<H5Member> listOpenGroup(hid_t group, const std::string& label) {
    Hdf5Lock lock(hdf5Mutex());
    std::vector<H5Member> out;
    IterateState state{&out};
    hsize_t index = 0;
    h5checkStatus(
        CKPT_H5_LITERATE(group, H5_INDEX_NAME, H5_ITER_INC, &index, collectMember, &state),
        "cannot list group '" + label + "'");
    return out;
}

bool h5Exists(hid_t location, const std::string& path) {
    Hdf5Lock lock(hdf5Mutex());
    if (path.empty() || path == "/") {
        return true;
    }
    // Check each component: H5Lexists fails on a missing intermediate group.
    std::string prefix;
    std::size_t start = path[0] == '/' ? 1 : 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string::npos ? path.size() : slash;
        prefix = path.substr(0, end);
        if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        if (slash == std::string::npos) {
            break;
        }
        start = slash + 1;
    }
    return H5Oexists_by_name(location, path.c_str(), H5P_DEFAULT) > 0;
}

}  // namespace ckpt::core
