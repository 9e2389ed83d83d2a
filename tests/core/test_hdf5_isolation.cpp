// core/util/isolated_run.h and the separate check of HDF5 files in Hdf5File::open: a crash, a
// hang or a libhdf5 failure in the checking copy never reaches the program, which refuses the
// file with a clear error; sound files open as before, and the check can be turned off.
#include <QtTest>

#include <csignal>
#include <string>
#include <thread>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/util/isolated_run.h"
#include "core/util/limits.h"

using namespace ckpt::core;
using namespace std::chrono_literals;
using Outcome = IsolatedResult::Outcome;

namespace {

QString openError(const QString& path) {
    try {
        (void)openCheckpoint(path.toStdString());
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

struct LimitOverride {
    std::uint64_t saved = limits().hdf5CheckSeconds;
    explicit LimitOverride(std::uint64_t v) { limits().hdf5CheckSeconds = v; }
    ~LimitOverride() { limits().hdf5CheckSeconds = saved; }
};

}  // namespace

class TestHdf5Isolation : public QObject {
    Q_OBJECT
private slots:
    void finishedWorkReturnsItsReport() {
        const auto r = runIsolated([] { return std::string("walked 3 groups"); }, 10s, 1ull << 30);
        QCOMPARE(int(r.outcome), int(Outcome::Finished));
        QCOMPARE(QString::fromStdString(r.report), QStringLiteral("walked 3 groups"));
    }

    void aThrownErrorIsACleanEnd() {
        const auto r =
            runIsolated([]() -> std::string { throw CorruptDataError("bad"); }, 10s, 1ull << 30);
        QCOMPARE(int(r.outcome), int(Outcome::Finished));
        QVERIFY(r.report.empty());
    }

    void aCrashEndsOnlyTheCopy() {
        const auto r = runIsolated(
            []() -> std::string {
                std::raise(SIGSEGV);
                return "unreachable";
            },
            10s, 1ull << 30);
        QCOMPARE(int(r.outcome), int(Outcome::Crashed));
#if !defined(CKPT_SANITIZED)  // ASan turns the SIGSEGV into its report and an abort
        QCOMPARE(r.signal, SIGSEGV);
        QCOMPARE(QString::fromStdString(r.describe(10s)), QStringLiteral("killed by SIGSEGV"));
#endif
        const auto aborted = runIsolated([]() -> std::string { std::abort(); }, 10s, 1ull << 30);
        QCOMPARE(int(aborted.outcome), int(Outcome::Crashed));
        QCOMPARE(aborted.signal, SIGABRT);
    }

    void theProgramsSignalHandlersNeverRunInTheCopy() {
        // A crash handler of the program (Qt Test's forks a debugger; here one that never
        // returns) must not run in the copy: a crash there, even inside fork(), left the copy
        // hanging in the handler until the deadline, and orphaned when its parent was killed
        // (the conformance suite's hang on generic.h5, byte 27 inserted at 1384).
        struct sigaction hang {};
        hang.sa_handler = [](int) {
            for (;;) {
                ::pause();
            }
        };
        sigemptyset(&hang.sa_mask);
        struct sigaction savedSegv {};
        struct sigaction savedTerm {};
        ::sigaction(SIGSEGV, &hang, &savedSegv);
        ::sigaction(SIGTERM, &hang, &savedTerm);
        QElapsedTimer timer;
        timer.start();
        const auto r = runIsolated(
            []() -> std::string {
                std::raise(SIGSEGV);
                return "unreachable";
            },
            20s, 1ull << 30);
        const auto term = runIsolated(
            []() -> std::string {
                std::raise(SIGTERM);
                return "unreachable";
            },
            20s, 1ull << 30);
        ::sigaction(SIGSEGV, &savedSegv, nullptr);
        ::sigaction(SIGTERM, &savedTerm, nullptr);
        QCOMPARE(int(r.outcome), int(Outcome::Crashed));
        QCOMPARE(int(term.outcome), int(Outcome::Crashed));
        QCOMPARE(term.signal, SIGTERM);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
    }

    void aHangIsKilledAtTheDeadline() {
        QElapsedTimer timer;
        timer.start();
        const auto r = runIsolated(
            []() -> std::string {
                for (;;) {
                    std::this_thread::sleep_for(1s);
                }
            },
            300ms, 1ull << 30);
        QCOMPARE(int(r.outcome), int(Outcome::TimedOut));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(QString::fromStdString(r.describe(2s)),
                 QStringLiteral("did not finish within 2 s"));
    }

    void theCopyIsHeldToItsAddressSpace() {
        // 1 GiB more than the copy has: touching 2 GiB cannot succeed there.
        const auto r = runIsolated(
            []() -> std::string {
                try {
                    std::string big(2ull << 30, 'x');
                    return big.substr(0, 1);
                } catch (const std::bad_alloc&) {
                    return "refused";
                }
            },
            20s, 1ull << 30);
        QVERIFY(r.outcome == Outcome::Finished || r.outcome == Outcome::Crashed);
        if (r.outcome == Outcome::Finished) {
            QCOMPARE(QString::fromStdString(r.report), QStringLiteral("refused"));
        }
    }

    void aLibraryFailureIsRefusedBeforeTheFileIsRead() {
        // libhdf5 1.10 frees an invalid pointer on the error path of listing this root group
        // (fuzz_hdf5; ASan reports it, a release build carries on with a damaged heap). The
        // separate check meets the failure first, and the group is never listed here.
        const QString path =
            ckpt::test::fixture("fuzz-regressions/hdf5/invalid_free_h5o_msg_reset.h5");
        const QString error = openError(path);
        // Whether the invalid free crashes depends on the heap's layout: in a clean clone's
        // test run the copy died of SIGSEGV, here it usually reports the failed listing.
        QVERIFY2(error.contains("separate checking process"), qPrintable(error));
        const bool crashed = error.contains("libhdf5 crashed") && error.contains("killed by SIG");
        const bool failed = error.contains("cannot list group '/'") &&
                            error.contains("--limit hdf5-check-seconds=0");
        QVERIFY2(crashed || failed, qPrintable(error));
        QVERIFY2(error.contains("invalid_free_h5o_msg_reset.h5"), qPrintable(error));
    }

    void theProjectsOwnChecksStillShowTheFile() {
        // A dataset stored past the end of the file is the Keras reader's finding, with its
        // offset; libhdf5 read the structure without failing, so the check passes it on.
        const QString error = openError(ckpt::test::fixture("bad/dataset_past_eof.h5"));
        QVERIFY2(error.contains("offset 1073741824"), qPrintable(error));
        QVERIFY2(!error.contains("separate checking process"), qPrintable(error));
    }

    void soundFilesOpenWithAndWithoutTheCheck() {
        for (const char* name : {"keras/k2_weights_only.h5", "keras/k3_model.weights.h5",
                                 "keras/generic.h5", "bad/cyclic_group.h5"}) {
            const std::string path = ckpt::test::fixture(name).toStdString();
            const auto checked = openCheckpoint(path);
            std::size_t withCheck = checked->tensorNodes().size();
            LimitOverride off(0);
            const auto unchecked = openCheckpoint(path);
            QCOMPARE(unchecked->tensorNodes().size(), withCheck);
        }
    }

    void theCliPrintsOneLine() {
        const auto r = ckpt::test::run(
            ckpt::test::cliPath(),
            {"info", ckpt::test::fixture("fuzz-regressions/hdf5/invalid_free_h5o_msg_reset.h5")});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.trimmed().count('\n'), 0);
        QVERIFY2(r.err.contains("separate checking process"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHdf5Isolation)
#include "test_hdf5_isolation.moc"
