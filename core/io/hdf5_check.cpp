#include "core/io/hdf5_check.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/util/isolated_run.h"

namespace ckpt::core {
namespace {

bool executable(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string findChecker() {
    if (const char* env = std::getenv("CKPT_HDF5_CHECKER"); env != nullptr && *env != '\0') {
        return executable(env) ? std::string(env) : std::string();
    }
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto dir = self.parent_path();
        for (const auto& candidate :
             {dir / "ckpt-hdf5-check", dir / "../libexec/ckpt-inspector/ckpt-hdf5-check"}) {
            if (executable(candidate)) {
                return candidate.lexically_normal().string();
            }
        }
    }
#ifdef CKPT_HDF5_CHECKER_BUILD_PATH
    if (executable(CKPT_HDF5_CHECKER_BUILD_PATH)) {
        return CKPT_HDF5_CHECKER_BUILD_PATH;
    }
#endif
    return {};
}

bool number(const char* text, unsigned long long& out) {
    if (text == nullptr || *text < '0' || *text > '9') {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    out = std::strtoull(text, &end, 10);
    return errno == 0 && end != nullptr && *end == '\0';
}

}  // namespace

const std::string& hdf5CheckerPath() {
    static const std::string path = findChecker();
    return path;
}

bool hdf5CheckerNamed() {
    static const bool named = [] {
        const char* env = std::getenv("CKPT_HDF5_CHECKER");
        return env != nullptr && *env != '\0';
    }();
    return named;
}

int hdf5CheckerMain(int argc, char** argv) {
    unsigned long long offset = 0;
    unsigned long long length = 0;
    unsigned long long seconds = 30;
    unsigned long long parent = 0;
    bool haveLength = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        unsigned long long* target = a == "--offset"    ? &offset
                                     : a == "--length"  ? &length
                                     : a == "--seconds" ? &seconds
                                     : a == "--parent"  ? &parent
                                                        : nullptr;
        if (target == nullptr || !number(value, *target)) {
            std::fprintf(stderr,
                         "ckpt-hdf5-check: reads the HDF5 file on descriptor 3 for ckpt; "
                         "not meant to be run by hand\n"
                         "usage: ckpt-hdf5-check --offset N --length N --seconds N --parent PID\n");
            return 64;
        }
        haveLength |= target == &length;
        ++i;
    }
    // Dies with the program that started it, and cannot outlive its deadline by more than a
    // little CPU time even if that program's kill never comes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (parent != 0 && static_cast<unsigned long long>(::getppid()) != parent) {
        return 3;  // the parent ended before the line above
    }
    const rlimit cpu{static_cast<rlim_t>(seconds + 2), static_cast<rlim_t>(seconds + 3)};
    ::setrlimit(RLIMIT_CPU, &cpu);
    const rlimit noCore{0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    if (const unsigned long long now = addressSpaceNow(); now > 0) {
        const unsigned long long cap = now + Hdf5File::kCheckAddressSpace;
        const rlimit as{cap, cap};
        ::setrlimit(RLIMIT_AS, &as);
    }
    std::string report;
    try {
        std::shared_ptr<const ByteSource> source = FileSource::open("/proc/self/fd/3");
        if (offset != 0 || (haveLength && length != source->size())) {
            source = std::make_shared<SliceSource>(source, offset, length, "input");
        }
        report = Hdf5File::checkStructureHere(std::move(source));
    } catch (...) {
        // A C++ error is a clean end: the program that asked meets the same error itself.
    }
    report.resize(std::min<std::size_t>(report.size(), 4096));
    (void)writeAll(STDOUT_FILENO, report.data(), report.size());
    ::_exit(0);  // no leak check or library teardown of a process whose only output is above
}

}  // namespace ckpt::core
