#pragma once
// Runs conformance cases in forked children so that a crash or an endless loop becomes one failed
// case (with its mutation named) instead of a dead test. The child reports over a pipe:
// "S <i>" before case i, "F <i> <text>" for each broken rule, "D <i>" when done. The parent
// restarts a child after the case that killed or hung the previous one.

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace ckpt::conformance {

struct CaseFailure {
    std::size_t index = 0;
    std::string text;
};

/// The pipe of the current child (-1 in the parent).
inline int& progressFd() {
    static int fd = -1;
    return fd;
}

/// Called by a case between its steps: the parent restarts its hang timer.
inline void caseProgress() {
    if (progressFd() >= 0) {
        (void)!write(progressFd(), "P 0\n", 4);
    }
}

/// Multiplier for every time limit (the sanitized build sets 4: instrumented code is slower).
inline double timeScale() {
    const char* s = std::getenv("CKPT_CONFORMANCE_TIME_SCALE");
    const double v = s ? std::atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

#if defined(CKPT_SANITIZED) || defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

/// Runs check(i) for i in [0, count) in children. `check` returns the broken rules of one case
/// (empty when it passed). A case that crashes the child or takes longer than `hangSeconds`
/// becomes a failure "crashed ..." or "no end after ...".
inline std::vector<CaseFailure> runCases(
    std::size_t count, const std::function<std::vector<std::string>(std::size_t)>& check,
    double hangSeconds) {
    std::vector<CaseFailure> failures;
    std::size_t next = 0;
    while (next < count) {
        int fds[2];
        if (pipe(fds) != 0) {
            failures.push_back({next, "pipe() failed"});
            return failures;
        }
        std::fflush(stdout);
        std::fflush(stderr);
        const pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            progressFd() = fds[1];
            if (!kAddressSanitizer) {
                // Without ASan's own allocator cap, a claimed size that gets allocated shows as
                // bad_alloc instead of taking the machine's memory. (ASan: max_allocation_size_mb.)
                rlimit lim{rlim_t(2) << 30, rlim_t(2) << 30};
                setrlimit(RLIMIT_AS, &lim);
            }
            auto say = [&](const std::string& line) {
                const std::string l = line + "\n";
                (void)!write(fds[1], l.data(), l.size());
            };
            for (std::size_t i = next; i < count; ++i) {
                say("S " + std::to_string(i));
                for (std::string f : check(i)) {
                    for (char& c : f) {
                        c = (c == '\n' || c == '\r') ? ' ' : c;
                    }
                    say("F " + std::to_string(i) + " " + f.substr(0, 600));
                }
                say("D " + std::to_string(i));
            }
            _exit(0);
        }
        close(fds[1]);
        std::string buffer;
        std::size_t current = next;
        bool started = false;
        bool hung = false;
        auto last = std::chrono::steady_clock::now();
        for (;;) {
            pollfd p{fds[0], POLLIN, 0};
            const int r = poll(&p, 1, 200);
            if (r > 0) {
                char chunk[4096];
                const ssize_t got = read(fds[0], chunk, sizeof chunk);
                if (got <= 0) {
                    break;  // the child closed the pipe: it ended
                }
                buffer.append(chunk, std::size_t(got));
                std::size_t nl;
                while ((nl = buffer.find('\n')) != std::string::npos) {
                    const std::string line = buffer.substr(0, nl);
                    buffer.erase(0, nl + 1);
                    const std::size_t i = std::strtoull(line.c_str() + 2, nullptr, 10);
                    if (line[0] == 'S') {
                        current = i;
                        started = true;
                        last = std::chrono::steady_clock::now();
                    } else if (line[0] == 'P') {
                        last = std::chrono::steady_clock::now();
                    } else if (line[0] == 'D') {
                        started = false;
                        next = i + 1;
                    } else if (line[0] == 'F') {
                        const auto sp = line.find(' ', 2);
                        failures.push_back({i, sp == std::string::npos ? "" : line.substr(sp + 1)});
                    }
                }
            }
            const double idle =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count();
            if (started && idle > hangSeconds) {
                kill(pid, SIGKILL);
                hung = true;
                break;
            }
        }
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (hung) {
            failures.push_back(
                {current, "no end after " + std::to_string(int(hangSeconds)) + " s"});
            next = current + 1;
        } else if (started) {
            std::string how = WIFSIGNALED(status)
                                  ? "crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                                  : "crashed (exit " + std::to_string(WEXITSTATUS(status)) + ")";
            failures.push_back({current, how});
            next = current + 1;
        } else if (next < count) {
            failures.push_back({next, "the child ended early"});
            return failures;
        }
    }
    return failures;
}

}  // namespace ckpt::conformance
