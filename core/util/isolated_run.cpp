#include "core/util/isolated_run.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

// Present when a sanitizer runtime is linked: a fuzzer registers a callback there that saves the
// input as a crash. A crash in the isolated copy is the outcome this file reports, not a crash
// of the program, so the copy clears that callback.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace ckpt::core {
namespace {

constexpr std::size_t kMaxReport = 4096;

/// The copy's first steps, with every signal still blocked (see runIsolated): handlers the
/// program installed (Qt Test's crash handler, which forks a debugger; the export's temp-file
/// cleanup) are reset, so a crash in the copy ends it at once as a crash; the copy dies with
/// its parent and cannot outlive the deadline by more than a little CPU time.
void detachChild(pid_t parent, std::chrono::milliseconds deadline) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            ::sigaction(sig, &dfl, nullptr);
        }
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
        ::_exit(3);  // the parent ended before the line above
    }
    const auto seconds =
        static_cast<rlim_t>(std::chrono::duration_cast<std::chrono::seconds>(deadline).count() + 2);
    const rlimit cpu{seconds, seconds + 1};
    ::setrlimit(RLIMIT_CPU, &cpu);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

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
    (void)writeAll(reportFd, report.data(), report.size());
    ::_exit(0);  // no atexit handlers, no stdio flush, no leak check of a discarded copy
}

/// `fd` moved to a descriptor number of 10 or more (close-on-exec); `fd` itself when that fails.
int above(int fd) {
    if (fd >= 10) {
        return fd;
    }
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    if (moved < 0) {
        return fd;
    }
    ::close(fd);
    return moved;
}

/// Reads the child's report from `readFd` (closed here) until its end or the deadline, then
/// reaps the child: how it ended.
IsolatedResult collect(pid_t pid, int readFd, std::chrono::milliseconds deadline) {
    IsolatedResult result;
    struct CloseOnExit {
        int fd;
        ~CloseOnExit() { ::close(fd); }
    } reader{readFd};
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
        pollfd pfd{readFd, POLLIN, 0};
        const int ready =
            ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            break;
        }
        if (ready <= 0) {
            continue;
        }
        char buffer[kMaxReport];
        const ssize_t n = ::read(readFd, buffer, sizeof buffer);
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

}  // namespace

bool writeAll(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::write(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool otherThreadsRunning() {
    DIR* tasks = ::opendir("/proc/self/task");
    if (tasks == nullptr) {
        return true;
    }
    int threads = 0;
    while (const dirent* e = ::readdir(tasks)) {
        threads += e->d_name[0] != '.' ? 1 : 0;
    }
    ::closedir(tasks);
    return threads != 1;
}

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
    // Every signal is blocked across the fork: the copy must not run a handler of this
    // program's before detachChild resets them (a crash there, even inside fork, then ends
    // the copy with the default action).
    sigset_t all;
    sigset_t old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        detachChild(parent, deadline);
        ::close(fds[0]);
        runChild(work, fds[1], extraAddressSpace);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return result;
    }
    ::close(fds[1]);
    return collect(pid, fds[0], deadline);
}

IsolatedResult runIsolatedProgram(const std::string& program, const std::vector<std::string>& args,
                                  int inputFd, std::chrono::milliseconds deadline) {
    IsolatedResult result;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return result;  // Unavailable
    }
    // The descriptors the child's 1 and 3 are copied from sit above 3, so that no dup2 of the
    // file actions copies a descriptor onto itself (which would leave it close-on-exec) or onto
    // one still to be copied.
    fds[1] = above(fds[1]);
    const int input = inputFd >= 0 ? ::fcntl(inputFd, F_DUPFD_CLOEXEC, 10) : -1;
    struct CloseInput {
        int fd;
        ~CloseInput() {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    } inputCopy{input};
    if (inputFd >= 0 && input < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
    // dup2 clears FD_CLOEXEC on the copy; every other descriptor of this process is close-on-exec
    // or not the program's business (it reads only descriptor 3).
    ::posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    ::posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (input >= 0) {
        ::posix_spawn_file_actions_adddup2(&actions, input, 3);
    }
    sigset_t all;
    sigset_t none;
    sigfillset(&all);
    sigemptyset(&none);
    ::posix_spawnattr_setsigdefault(&attr, &all);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    // The child's environment is this one (sanitizer options included).
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return result;  // Unavailable
    }
    return collect(pid, fds[0], deadline);
}

}  // namespace ckpt::core
