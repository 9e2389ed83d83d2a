#pragma once
// Shared helpers for the Qt Test suites: where fixtures, real data and built tools live.

#include <cstddef>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace ckpt::test {

/// True in the sanitized build (AddressSanitizer; tests/common/run_measured.h has the budgets).
constexpr bool kSanitizedBuild =
#if defined(CKPT_SANITIZED)
    true;
#else
    false;
#endif

/// Step of the "every byte" loops of the hostile suites: 1, or 7 in the sanitized build (its
/// run repeats, on a sample of cut points, what the normal build checks at every byte; the
/// conformance suite does the same with CKPT_CONFORMANCE_CUT_STRIDE).
constexpr std::size_t kEveryByteStep =
#if defined(CKPT_SANITIZED)
    7;
#else
    1;
#endif

/// tests/fixtures in the source tree.
inline QString fixtureDir() {
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures");
}
inline QString fixture(const QString& name) {
    return fixtureDir() + "/" + name;
}

/// ../shared/data/real beside the project, or an empty string when absent (tests then QSKIP).
inline QString realDataDir() {
    const QString dir = QStringLiteral(CKPT_SOURCE_DIR "/../shared/data/real");
    return QDir(dir).exists() ? QDir(dir).absolutePath() : QString();
}

/// ../shared/data/hostile beside the project: reproducers of crashes, hangs and bombs (it may be
/// absent; a test then runs only the project's own hostile fixtures).
inline QString hostileDataDir() {
    return QStringLiteral(CKPT_SOURCE_DIR "/../shared/data/hostile");
}

/// The hostile inputs every command and the app must survive: the files of hostileDataDir()
/// (when present) and the project's own sparse 10^12-element HDF5 fixture, so that a test
/// function always has at least one data row.
inline QStringList hostileInputs() {
    QStringList paths;
    for (const auto& name : QDir(hostileDataDir()).entryList(QDir::Files, QDir::Name)) {
        if (!name.endsWith(".md")) {
            paths << hostileDataDir() + "/" + name;
        }
    }
    paths << fixture("bad/sparse_huge_dataset.h5");
    // An object header claiming 37 PiB: libhdf5 asks malloc for it before reading (fuzz/hdf5).
    paths << fixture("fuzz-regressions/hdf5/h5c_protect_claims_37_pib.h5");
    // A root attribute message shorter than its parts: libhdf5 crashed in H5Aexists (fuzz/hdf5).
    paths << fixture("fuzz-regressions/hdf5/segv_h5aexists_attribute_overruns.h5");
    return paths;
}

/// SHA-256 of a file's bytes (empty when it cannot be read): "the input is unchanged" checks.
inline QByteArray fileSha(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result();
}

/// The built `ckpt` command-line tool.
inline QString cliPath() {
    return QStringLiteral(CKPT_CLI_PATH);
}

/// Debian's Python with h5py/numpy/torch; other interpreters on PATH may lack them.
inline QString systemPython() {
    return QStringLiteral("/usr/bin/python3");
}

/// True when `f()` throws an exception of type E (or derived); other exceptions propagate.
template <typename E, typename F>
bool throws(F&& f) {
    try {
        f();
    } catch (const E&) {
        return true;
    }
    return false;
}

struct RunResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/// Runs a program to completion (60 s limit) and returns its exit code and output.
inline RunResult run(const QString& program, const QStringList& args, int timeoutMs = 60000) {
    QProcess p;
    p.start(program, args);
    RunResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.exitCode = -2;
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

}  // namespace ckpt::test
