// runParallelJobs: every job runs exactly once whatever the thread count, `completed` sees
// them under the lock, progress is monotonic and ends at the total, a failing job's exception
// reaches the caller, and a cancel stops the workers within the window of jobs ahead.

#include <QtTest>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/util/error.h"
#include "core/util/parallel_jobs.h"

using namespace ckpt::core;

class TestParallelJobs : public QObject {
    Q_OBJECT

private slots:
    void everyJobOnceAndProgressReachesTotal_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("withProgress");
        for (int t : {1, 2, 3, 8}) {
            QTest::addRow("threads=%d progress", t) << t << true;
            QTest::addRow("threads=%d silent", t) << t << false;
        }
    }

    void everyJobOnceAndProgressReachesTotal() {
        QFETCH(int, threads);
        QFETCH(bool, withProgress);
        constexpr std::uint64_t kJobs = 257;
        std::vector<std::atomic<int>> runs(kJobs);
        std::vector<int> completedOrder;  // touched under the scheduler's lock only
        ParallelJobs jobs;
        jobs.jobCount = kJobs;
        jobs.threads = threads;
        jobs.totalUnits = kJobs * (kJobs + 1) / 2;
        jobs.run = [&](int worker, std::uint64_t job) {
            if (worker < 0 || worker >= threads) {
                throw std::logic_error("worker index out of range");
            }
            runs[job].fetch_add(1);
            return job + 1;
        };
        jobs.completed = [&](int, std::uint64_t job) {
            completedOrder.push_back(static_cast<int>(job));
        };
        std::uint64_t last = 0;
        bool monotonic = true;
        ProgressFn progress;
        if (withProgress) {
            progress = [&](std::uint64_t done, std::uint64_t total) {
                monotonic = monotonic && done >= last && total == jobs.totalUnits;
                last = done;
                return true;
            };
        }
        runParallelJobs(jobs, progress);
        for (std::uint64_t j = 0; j < kJobs; ++j) {
            QCOMPARE(runs[j].load(), 1);
        }
        QCOMPARE(completedOrder.size(), std::size_t{kJobs});
        if (withProgress) {
            QVERIFY(monotonic);
            QCOMPARE(last, jobs.totalUnits);
        }
        if (threads == 1) {  // serial: in order
            for (std::uint64_t j = 0; j < kJobs; ++j) {
                QCOMPARE(completedOrder[j], static_cast<int>(j));
            }
        }
    }

    void failureReachesTheCaller() {
        for (int threads : {1, 4}) {
            std::atomic<int> started{0};
            ParallelJobs jobs;
            jobs.jobCount = 1000;
            jobs.threads = threads;
            jobs.totalUnits = 1000;
            jobs.run = [&](int, std::uint64_t job) -> std::uint64_t {
                started.fetch_add(1);
                if (job == 5) {
                    throw FormatError("bad chunk 5");
                }
                return 1;
            };
            bool caught = false;
            try {
                runParallelJobs(jobs, [](std::uint64_t, std::uint64_t) { return true; });
            } catch (const FormatError& e) {
                caught = QString::fromUtf8(e.what()).contains("bad chunk 5");
            }
            QVERIFY2(caught, "the job's own error must reach the caller");
            QVERIFY2(started.load() < 1000, "workers must stop after a failure");
        }
    }

    void cancelStopsWithinTheWindow() {
        for (int threads : {1, 2, 4}) {
            std::atomic<int> started{0};
            ParallelJobs jobs;
            jobs.jobCount = 100000;
            jobs.threads = threads;
            jobs.totalUnits = jobs.jobCount;
            jobs.jobsAheadPerThread = 2;
            jobs.run = [&](int, std::uint64_t) -> std::uint64_t {
                started.fetch_add(1);
                return 1;
            };
            int calls = 0;
            QVERIFY_THROWS_EXCEPTION(
                CancelledError, runParallelJobs(jobs, [&](std::uint64_t, std::uint64_t) {
                    return ++calls < 3;
                }));
            // Three progress reports, each at least one job; then at most the window ahead.
            QVERIFY2(started.load() <= 3 * threads * 2 + 2 * threads * 2 + threads,
                     qPrintable(QString("%1 jobs started after a cancel").arg(started.load())));
        }
    }

    void threadCountChoice() {
        QCOMPARE(chooseThreadCount(3, 0, 100, 10), 3);
        QCOMPARE(chooseThreadCount(3, 0, 100, 2), 2);       // never more than jobs
        QCOMPARE(chooseThreadCount(0, 99, 100, 10), 1);     // small: one thread
        QVERIFY(chooseThreadCount(0, 100, 100, 1000) >= 1);  // big: the cores
        QCOMPARE(chooseThreadCount(500, 0, 0, 1000, 64), 64);
        QCOMPARE(chooseThreadCount(0, 0, 100, 0), 1);
    }

    void noJobs() {
        ParallelJobs jobs;
        jobs.threads = 4;
        jobs.run = [](int, std::uint64_t) -> std::uint64_t { throw std::logic_error("no jobs"); };
        runParallelJobs(jobs, {});
    }
};

QTEST_GUILESS_MAIN(TestParallelJobs)
#include "test_parallel_jobs.moc"
