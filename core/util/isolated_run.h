#pragma once
/// Runs a piece of work in a forked copy of this process, so that a crash inside a library the
/// project does not own (libhdf5 reading a hostile file) ends that copy instead of the program.
/// The copy shares nothing writable with the caller: only how it ended comes back, and a short
/// text the work returns.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ckpt::core {

struct IsolatedResult {
    enum class Outcome {
        Finished,     ///< the work returned or threw a C++ exception (the caller meets the same)
        Crashed,      ///< ended by a signal or a sanitizer/allocator abort
        TimedOut,     ///< still running at the deadline; killed
        Unavailable,  ///< no copy could be made (fork failed); the work did not run
    };
    Outcome outcome = Outcome::Unavailable;
    int signal = 0;      ///< the signal that ended a Crashed copy, 0 when it exited
    int exitCode = 0;    ///< the exit status of a Crashed copy that exited
    std::string report;  ///< what a Finished work returned (at most 4 KiB)

    /// "killed by SIGSEGV", "exited with status 1", "did not finish within 30 s".
    [[nodiscard]] std::string describe(std::chrono::milliseconds deadline) const;
};

/// Forks, runs `work` in the child with its standard error discarded and its address space
/// bounded to what it has now plus `extraAddressSpace` bytes, and waits up to `deadline`. What
/// `work` returns comes back as `report`; a C++ exception out of it counts as an empty report.
/// The caller must hold whatever locks keep other threads away from the state `work` reads
/// (the child has only the calling thread; locks held by other threads stay held in it), and
/// `work` must reset any lock the calling thread held (its owner id differs in the child).
[[nodiscard]] IsolatedResult runIsolated(const std::function<std::string()>& work,
                                         std::chrono::milliseconds deadline,
                                         unsigned long long extraAddressSpace);

/// True when this process runs more than one thread now (or when that cannot be read): a
/// forked copy of it may then inherit a lock another thread holds.
[[nodiscard]] bool otherThreadsRunning();

/// Writes all `size` bytes of `data` to `fd`, again after EINTR; false when a write fails.
bool writeAll(int fd, const void* data, std::size_t size);

/// Virtual memory of this process now, in bytes (0 when /proc is missing): the base of the
/// address-space caps of checking processes.
[[nodiscard]] unsigned long long addressSpaceNow();

/// Runs `program` with `args` as a fresh process (posix_spawn: no copy of this process, so it
/// is safe while other threads hold locks, allocator locks included), with `inputFd` as its
/// descriptor 3 (or none when negative), its standard output read back as `report`, its
/// standard error discarded, every signal at its default action and none blocked. Waits up to
/// `deadline`, then kills it. The program bounds its own address space and CPU time.
[[nodiscard]] IsolatedResult runIsolatedProgram(const std::string& program,
                                                const std::vector<std::string>& args, int inputFd,
                                                std::chrono::milliseconds deadline);

}  // namespace ckpt::core
