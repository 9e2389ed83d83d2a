#include "core/util/parallel_jobs.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ckpt::core {
namespace {

void runSerial(const ParallelJobs& jobs, const ProgressFn& progress) {
    std::uint64_t done = 0;
    for (std::uint64_t j = 0; j < jobs.jobCount; ++j) {
        done += jobs.run(0, j);
        if (jobs.completed) {
            jobs.completed(0, j);
        }
        reportProgress(progress, done, jobs.totalUnits);
    }
}

/// State shared by the workers and the reporting thread, all guarded by `mutex`.
struct Schedule {
    std::mutex mutex;
    std::condition_variable jobDone;   // workers -> caller
    std::condition_variable accepted;  // caller -> workers
    std::uint64_t nextJob = 0;
    std::uint64_t jobsDone = 0;
    std::uint64_t jobsAccepted = 0;
    std::uint64_t unitsDone = 0;
    int finished = 0;
    bool stop = false;
    std::exception_ptr failure;
};

void work(const ParallelJobs& jobs, std::uint64_t window, int worker, Schedule& s) {
    std::unique_lock lock(s.mutex);
    try {
        for (;;) {
            s.accepted.wait(lock, [&] { return s.stop || s.nextJob < s.jobsAccepted + window; });
            if (s.stop || s.nextJob >= jobs.jobCount) {
                break;
            }
            const std::uint64_t j = s.nextJob++;
            lock.unlock();
            const std::uint64_t units = jobs.run(worker, j);
            lock.lock();
            s.unitsDone += units;
            if (jobs.completed) {
                jobs.completed(worker, j);
            }
            ++s.jobsDone;
            s.jobDone.notify_one();
        }
    } catch (...) {
        if (!lock.owns_lock()) {
            lock.lock();
        }
        if (!s.failure) {
            s.failure = std::current_exception();
        }
        s.stop = true;
        s.accepted.notify_all();
    }
    ++s.finished;
    s.jobDone.notify_one();
}

void runThreads(const ParallelJobs& jobs, const ProgressFn& progress) {
    const std::uint64_t window = progress ? std::max<std::uint64_t>(1, jobs.jobsAheadPerThread) *
                                                static_cast<std::uint64_t>(jobs.threads)
                                          : jobs.jobCount;
    Schedule s;
    std::vector<std::jthread> workers;  // joined before `s` goes away
    try {
        for (int t = 0; t < jobs.threads; ++t) {
            workers.emplace_back([&jobs, window, t, &s] { work(jobs, window, t, s); });
        }
        std::unique_lock lock(s.mutex);
        std::uint64_t reported = 0;
        for (;;) {
            s.jobDone.wait(lock,
                           [&] { return s.jobsDone != reported || s.finished == jobs.threads; });
            if (s.failure || s.jobsDone == reported) {
                break;  // a worker failed, or all finished and everything was reported
            }
            reported = s.jobsDone;
            const std::uint64_t units = s.unitsDone;
            lock.unlock();
            reportProgress(progress, units, jobs.totalUnits);
            lock.lock();
            s.jobsAccepted = reported;
            s.accepted.notify_all();
        }
    } catch (...) {
        {
            const std::lock_guard lock(s.mutex);
            s.stop = true;
        }
        s.accepted.notify_all();
        throw;
    }
    for (auto& w : workers) {
        w.join();
    }
    if (s.failure) {
        std::rethrow_exception(s.failure);
    }
}

}  // namespace

void runParallelJobs(const ParallelJobs& jobs, const ProgressFn& progress) {
    if (jobs.threads > 1 && jobs.jobCount > 1) {
        runThreads(jobs, progress);
    } else {
        runSerial(jobs, progress);
    }
}

int chooseThreadCount(int requested, std::uint64_t bytes, std::uint64_t parallelMinBytes,
                      std::uint64_t jobCount, std::uint64_t maxThreads) {
    std::uint64_t wanted = 1;
    if (requested > 0) {
        wanted = static_cast<std::uint64_t>(requested);
    } else if (bytes >= parallelMinBytes) {
        wanted = std::max(1u, std::thread::hardware_concurrency());
    }
    return static_cast<int>(std::clamp<std::uint64_t>(std::min(wanted, jobCount), 1,
                                                      std::max<std::uint64_t>(1, maxThreads)));
}

}  // namespace ckpt::core
