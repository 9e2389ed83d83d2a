#include "core/analysis/tensor_stats.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/analysis/stats_accumulator.h"
#include "core/model/tensor.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

/// Below this many bytes a second thread costs more than it saves.
constexpr std::uint64_t kParallelMinBytes = std::uint64_t{8} << 20;
/// Even when asked for more: each thread holds a chunk buffer.
constexpr std::uint64_t kMaxThreads = 64;

/// Chunks [0, chunkCount) of a tensor, handed out to whoever asks next.
class ChunkPlan {
public:
    ChunkPlan(const Tensor& tensor, std::uint64_t chunkElements)
        : m_tensor(tensor),
          m_chunkElements(chunkElements),
          m_total(tensor.numel()),
          m_chunkCount(m_total / chunkElements + (m_total % chunkElements != 0 ? 1 : 0)) {}

    [[nodiscard]] DType dtype() const { return m_tensor.dtype(); }
    [[nodiscard]] std::uint64_t total() const { return m_total; }
    [[nodiscard]] std::uint64_t chunkCount() const { return m_chunkCount; }

    /// Reads and accumulates chunk `index` using `buffer`; returns its element count.
    std::uint64_t process(std::uint64_t index, std::vector<std::byte>& buffer,
                          StatsAccumulator& into) const {
        const std::uint64_t first = index * m_chunkElements;
        const std::uint64_t count = std::min(m_chunkElements, m_total - first);
        const std::size_t bytes = static_cast<std::size_t>(count) * dtypeSize(m_tensor.dtype());
        if (buffer.size() < bytes) {
            buffer.resize(bytes);
        }
        m_tensor.readRaw(first, count, buffer.data());
        into.add(buffer.data(), static_cast<std::size_t>(count));
        return count;
    }

private:
    const Tensor& m_tensor;
    std::uint64_t m_chunkElements;
    std::uint64_t m_total;
    std::uint64_t m_chunkCount;
};

void runSerial(const ChunkPlan& plan, const ProgressFn& progress, StatsAccumulator& acc) {
    std::vector<std::byte> buffer;
    std::uint64_t done = 0;
    for (std::uint64_t c = 0; c < plan.chunkCount(); ++c) {
        done += plan.process(c, buffer, acc);
        reportProgress(progress, done, plan.total());
    }
}

/// Workers take chunks in order into their own accumulators; the calling thread only reports
/// progress, so the callback never runs concurrently or off its thread. Workers stay at most
/// kChunksAhead chunks per thread ahead of the last progress the callback accepted, so a cancel
/// stops the reading within a bounded number of chunks however slowly the caller is scheduled.
void runParallel(const ChunkPlan& plan, const ProgressFn& progress, int threadCount,
                 StatsAccumulator& acc) {
    constexpr std::uint64_t kChunksAhead = 2;
    const std::uint64_t window = kChunksAhead * static_cast<std::uint64_t>(threadCount);
    std::vector<StatsAccumulator> partials;
    for (int t = 0; t < threadCount; ++t) {
        partials.emplace_back(plan.dtype(), plan.total());
    }
    std::mutex mutex;
    std::condition_variable chunkDone;  // workers -> caller
    std::condition_variable accepted;   // caller -> workers
    std::uint64_t nextChunk = 0;
    std::uint64_t chunksDone = 0;
    std::uint64_t chunksAccepted = 0;
    std::uint64_t done = 0;
    int finished = 0;
    bool stop = false;
    std::exception_ptr failure;

    auto work = [&](StatsAccumulator& mine) {
        std::vector<std::byte> buffer;
        std::unique_lock lock(mutex);
        try {
            for (;;) {
                accepted.wait(lock, [&] { return stop || nextChunk < chunksAccepted + window; });
                if (stop || nextChunk >= plan.chunkCount()) {
                    break;
                }
                const std::uint64_t c = nextChunk++;
                lock.unlock();
                const std::uint64_t n = plan.process(c, buffer, mine);
                lock.lock();
                done += n;
                ++chunksDone;
                chunkDone.notify_one();
            }
        } catch (...) {
            if (!lock.owns_lock()) {
                lock.lock();
            }
            if (!failure) {
                failure = std::current_exception();
            }
            stop = true;
            accepted.notify_all();
        }
        ++finished;
        chunkDone.notify_one();
    };

    std::vector<std::jthread> workers;  // joined before the state above goes away
    try {
        for (auto& partial : partials) {
            workers.emplace_back(work, std::ref(partial));
        }
        std::unique_lock lock(mutex);
        std::uint64_t reported = 0;
        for (;;) {
            chunkDone.wait(lock, [&] { return chunksDone != reported || finished == threadCount; });
            if (failure || chunksDone == reported) {
                break;  // a worker failed, or all finished and everything was reported
            }
            reported = chunksDone;
            const std::uint64_t elements = done;
            lock.unlock();
            reportProgress(progress, elements, plan.total());
            lock.lock();
            chunksAccepted = reported;
            accepted.notify_all();
        }
    } catch (...) {
        {
            const std::lock_guard lock(mutex);
            stop = true;
        }
        accepted.notify_all();
        throw;
    }
    for (auto& w : workers) {
        w.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    for (const auto& partial : partials) {
        acc.merge(partial);
    }
}

int chooseThreads(const Tensor& tensor, const StatsOptions& options, std::uint64_t chunkCount) {
    std::uint64_t wanted = 1;
    if (options.threads > 0) {
        wanted = static_cast<std::uint64_t>(options.threads);
    } else if (tensor.nbytes() >= kParallelMinBytes) {
        wanted = std::max(1u, std::thread::hardware_concurrency());
    }
    return static_cast<int>(
        std::clamp<std::uint64_t>(std::min(wanted, chunkCount), 1, kMaxThreads));
}

}  // namespace

TensorStats computeStats(const Tensor& tensor, const ProgressFn& progress,
                         const StatsOptions& options) {
    const DType type = tensor.dtype();
    const bool complex = type == DType::Complex64 || type == DType::Complex128;
    if (!dtypeIsNumeric(type) && !complex) {
        std::string what = std::string(dtypeName(type));
        if (!tensor.dtypeDetail().empty()) {
            what += " (" + tensor.dtypeDetail() + ")";
        }
        throw UnsupportedError("statistics need numeric elements; this tensor holds " + what);
    }
    const ChunkPlan plan(tensor, std::max<std::uint64_t>(1, options.chunkElements));
    StatsAccumulator acc(type, plan.total());
    reportProgress(progress, 0, plan.total());
    if (plan.total() > 0) {
        if (!tensor.readable()) {
            throw UnsupportedError("tensor " + tensor.shapeText() + " has no readable data");
        }
        const int threads = chooseThreads(tensor, options, plan.chunkCount());
        if (threads > 1) {
            runParallel(plan, progress, threads, acc);
        } else {
            runSerial(plan, progress, acc);
        }
    }
    return acc.result(options.bins);
}

}  // namespace ckpt::core
