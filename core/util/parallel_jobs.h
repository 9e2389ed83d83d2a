#pragma once
/// Runs numbered jobs on worker threads while the calling thread reports progress, so the
/// progress callback (and with it cancellation) never runs concurrently or off its thread.
/// Shared by the statistics and the diff kernels.

#include <cstdint>
#include <functional>

#include "core/util/progress.h"

namespace ckpt::core {

struct ParallelJobs {
    std::uint64_t jobCount = 0;
    int threads = 1;
    /// Units of work in all (for progress); each job reports how many it did.
    std::uint64_t totalUnits = 0;
    /// Workers run at most this many jobs per thread ahead of the last progress the callback
    /// accepted, so a cancel stops the work within a bounded number of jobs however slowly the
    /// caller is scheduled. Without a progress callback nobody can cancel: no window.
    std::uint64_t jobsAheadPerThread = 2;
    /// Does job `job` on worker `worker` (0 ≤ worker < threads) without any lock held;
    /// returns the units it did. May throw: the first exception stops every worker and is
    /// rethrown to the caller.
    std::function<std::uint64_t(int worker, std::uint64_t job)> run;
    /// Optional: called under the scheduler's lock right after `run` returned, in completion
    /// order, e.g. to fold results in job order.
    std::function<void(int worker, std::uint64_t job)> completed;
};

/// Runs `jobs` (threads > 1 spawns that many workers; 1 runs them on the calling thread in
/// order) and reports progress through `progress`; throws CancelledError when it asks to stop.
void runParallelJobs(const ParallelJobs& jobs, const ProgressFn& progress);

/// How many threads to use: `requested` if > 0, else all cores when `bytes` reach
/// `parallelMinBytes`, else one; never more than `jobCount` or `maxThreads`.
[[nodiscard]] int chooseThreadCount(int requested, std::uint64_t bytes,
                                    std::uint64_t parallelMinBytes, std::uint64_t jobCount,
                                    std::uint64_t maxThreads = 64);

}  // namespace ckpt::core
