#include "core/util/isolated_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

// Present when a sanitizer runtime is linked: a fuzzer registers a callback there that saves the
// input as a crash. A crash in the isolated copy is the outcome this file reports, not a crash
// of the program, so the copy clears that callback.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace ckpt::core {
namespace {

/// Virtual memory of this process now, in bytes (0 when /proc is missing).
unsigned long long addressSpaceNow() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long long pages = 0;
    const int read = std::fscanf(f, "%llu", &pages);
    std::fclose(f);
    return read == 1 ? pages * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE)) : 0;
}

constexpr std::size_t kMaxReport = 4096;

[[noreturn]] void runChild(const std::function<std::string()>& work, int reportFd,
                           unsigned long long extra) {
    if (__sanitizer_set_death_callback != nullptr) {
        __sanitizer_set_death_callback(nullptr);
    }
    // Nothing the copy writes may reach the caller's output: a sanitizer report or an
    // allocator's abort message would read as the program's own.
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
    }
    const rlimit noCore{0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    if (const unsigned long long now = addressSpaceNow(); now > 0) {
        const rlimit as{now + extra, now + extra};
        ::setrlimit(RLIMIT_AS, &as);
    }
    std::string report;
    try {
        report = work();
    } catch (...) {
        // A C++ error is a clean end: the caller meets the same error when it does the work.
    }
    report.resize(std::min(report.size(), kMaxReport));  // fits the pipe: the write never blocks
    for (std::size_t done = 0; done < report.size();) {
        const ssize_t n = ::write(reportFd, report.data() + done, report.size() - done);
        if (n <= 0 && errno != EINTR) {
            break;
        }
        done += n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    ::_exit(0);  // no atexit handlers, no stdio flush, no leak check of a discarded copy
}

}  // namespace

std::string IsolatedResult::describe(std::chrono::milliseconds deadline) const {
    switch (outcome) {
        case Outcome::Finished:
            return "finished";
        case Outcome::Crashed:
            if (signal != 0) {
                const char* abbrev = sigabbrev_np(signal);
                return std::string("killed by ") +
                       (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(signal));
            }
            return "exited with status " + std::to_string(exitCode);
        case Outcome::TimedOut:
            return "did not finish within " +
                   std::to_string(
                       std::chrono::duration_cast<std::chrono::seconds>(deadline).count()) +
                   " s";
        case Outcome::Unavailable:
            break;
    }
    return "could not be started";
}

IsolatedResult runIsolated(const std::function<std::string()>& work,
                           std::chrono::milliseconds deadline,
                           unsigned long long extraAddressSpace) {
    IsolatedResult result;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return result;  // Unavailable
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return result;
    }
    if (pid == 0) {
        ::close(fds[0]);
        runChild(work, fds[1], extraAddressSpace);
    }
    ::close(fds[1]);
    struct CloseOnExit {
        int fd;
        ~CloseOnExit() { ::close(fd); }
    } reader{fds[0]};
    // The pipe's end of file is the copy's end (its write end closes when it exits or dies):
    // wait on it, reading the report as it comes, until then or the deadline.
    const auto end = std::chrono::steady_clock::now() + deadline;
    std::string report;
    bool ended = false;
    while (!ended) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd pfd{fds[0], POLLIN, 0};
        const int ready =
            ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            break;
        }
        if (ready <= 0) {
            continue;
        }
        char buffer[kMaxReport];
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n > 0) {
            const std::size_t room = kMaxReport - std::min(kMaxReport, report.size());
            report.append(buffer, std::min(room, static_cast<std::size_t>(n)));
        } else if (n == 0 || errno != EINTR) {
            ended = true;
        }
    }
    int status = 0;
    if (!ended) {
        ::kill(pid, SIGKILL);
    }
    pid_t waited = -1;
    while ((waited = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (!ended) {
        result.outcome = IsolatedResult::Outcome::TimedOut;
        return result;
    }
    if (waited != pid) {
        return result;  // reaped elsewhere (SIGCHLD ignored): the outcome is unknown
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        result.outcome = IsolatedResult::Outcome::Finished;
        result.report = std::move(report);
    } else {
        result.outcome = IsolatedResult::Outcome::Crashed;
        result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    }
    return result;
}

}  // namespace ckpt::core
