#pragma once
// Runs a program as a child process and measures what it cost: wall time and peak resident
// memory (wait4's ru_maxrss of that one child), killing it at a time limit. For the hostile-input
// tests: "ends within 5 s and 64 MiB".

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QString>
#include <QStringList>
#include <QTemporaryFile>
#include <QThread>
#include <string>
#include <vector>

namespace ckpt::test {

/// True when this test (and so the ckpt it runs, built in the same tree) is instrumented by
/// AddressSanitizer.
constexpr bool kSanitized =
#if defined(CKPT_SANITIZED) || defined(__SANITIZE_ADDRESS__)
    true;
#else
    false;
#endif

/// A memory budget for a child run: the product's own figure, or under ASan that figure plus
/// the sanitizer's fixed cost and 2x slack (shadow memory, quarantine, redzones: ASan documents
/// about 2-3x).
constexpr long memoryBudgetKiB(long kib) {
    return kSanitized ? 2 * kib + 128 * 1024 : kib;
}

/// A time budget for a child run: under ASan and UBSan instrumented code runs 2-5x slower.
constexpr double timeBudgetSeconds(double s) {
    return kSanitized ? 5 * s : s;
}

struct MeasuredRun {
    int exitCode = -1;      ///< exit status; -1 when killed by a signal
    int signal = 0;         ///< the signal that ended it, 0 if none
    bool timedOut = false;  ///< killed at the time limit
    double seconds = 0;     ///< wall time
    double cpuSeconds = 0;  ///< user + system time of the child: its own work, whatever the load
    long maxRssKiB = 0;
    QByteArray out;
    QByteArray err;
};

/// Runs `program args` with stdin from /dev/null; kills it after `timeoutMs`.
inline MeasuredRun runMeasured(const QString& program, const QStringList& args,
                               int timeoutMs = 5000) {
    MeasuredRun r;
    QTemporaryFile outFile;
    QTemporaryFile errFile;
    if (!outFile.open() || !errFile.open()) {
        return r;
    }
    // Peak RSS through /usr/bin/time: a child forked from this (large) test process would
    // report the parent's pages as its own peak (ru_maxrss survives exec).
    QTemporaryFile timeFile;
    const bool viaTime = QFile::exists("/usr/bin/time") && timeFile.open();
    std::vector<std::string> argv;
    if (viaTime) {
        argv = {"/usr/bin/time", "-f", "%M", "-o", timeFile.fileName().toStdString()};
    }
    argv.push_back(program.toStdString());
    for (const auto& a : args) {
        argv.push_back(a.toStdString());
    }
    std::vector<char*> cargv;
    for (auto& a : argv) {
        cargv.push_back(a.data());
    }
    cargv.push_back(nullptr);
    const int outFd = outFile.handle();
    const int errFd = errFile.handle();
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int nul = ::open("/dev/null", O_RDONLY);
        ::dup2(nul, 0);
        ::dup2(outFd, 1);
        ::dup2(errFd, 2);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    int status = 0;
    struct rusage usage {};
    for (;;) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) {
            break;
        }
        if (timer.elapsed() > timeoutMs) {
            r.timedOut = true;
            ::kill(pid, SIGKILL);
            ::wait4(pid, &status, 0, &usage);
            break;
        }
        QThread::msleep(5);
    }
    r.seconds = static_cast<double>(timer.elapsed()) / 1000.0;
    r.maxRssKiB = usage.ru_maxrss;
    r.cpuSeconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                   static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    if (WIFEXITED(status)) {
        r.exitCode = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    }
    if (viaTime) {
        QFile t(timeFile.fileName());
        if (t.open(QIODevice::ReadOnly)) {
            const QList<QByteArray> lines = t.readAll().trimmed().split('\n');
            r.maxRssKiB = lines.isEmpty() ? r.maxRssKiB : lines.last().trimmed().toLong();
        }
        if (r.exitCode == 128 + 9 || r.timedOut) {
            r.exitCode = r.timedOut ? -1 : r.exitCode;
        }
    }
    QFile o(outFile.fileName());
    QFile e(errFile.fileName());
    if (o.open(QIODevice::ReadOnly)) {
        r.out = o.readAll();
    }
    if (e.open(QIODevice::ReadOnly)) {
        r.err = e.readAll();
    }
    return r;
}

}  // namespace ckpt::test
