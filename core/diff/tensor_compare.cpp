#include "core/diff/tensor_compare.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/diff/diff_accumulator.h"
#include "core/io/chunk_reader.h"
#include "core/model/tensor.h"
#include "core/util/error.h"
#include "core/util/parallel_jobs.h"

namespace ckpt::core {
namespace {

/// Below this many bytes a second thread costs more than it saves.
constexpr std::uint64_t kParallelMinBytes = std::uint64_t{8} << 20;
constexpr std::uint64_t kMaxThreads = 64;
/// Chunks each thread may run ahead of the progress the caller accepted: enough that a caller
/// scheduled late on a busy machine does not stall the workers, few enough that a cancel stops
/// the reading within a few hundred MiB. Only results (not buffers) wait in between.
constexpr std::uint64_t kChunksAhead = 8;

/// What one chunk of one pair gave.
struct ChunkResult {
    std::size_t pair = 0;
    DiffAccumulator sums;
    bool identical = false;
    std::uint64_t bytes = 0;
};

/// Every pair cut into chunks; chunk j of the whole plan is found by binary search.
class Plan {
public:
    Plan(const std::vector<ComparePair>& pairs, const CompareOptions& options, OpenFiles& files)
        : m_pairs(pairs), m_options(options) {
        m_firstJob.reserve(pairs.size() + 1);
        std::uint64_t jobs = 0;
        for (const auto& p : pairs) {
            m_readers.emplace_back(std::make_unique<ChunkReader>(*p.a, files),
                                   std::make_unique<ChunkReader>(*p.b, files));
            m_firstJob.push_back(jobs);
            const std::uint64_t n = p.a->numel();
            jobs += n / options.chunkElements + (n % options.chunkElements != 0 ? 1 : 0);
            m_totalBytes += p.a->nbytes() + p.b->nbytes();
        }
        m_firstJob.push_back(jobs);
    }

    [[nodiscard]] std::uint64_t jobCount() const { return m_firstJob.back(); }
    [[nodiscard]] std::uint64_t totalBytes() const { return m_totalBytes; }

    /// Reads and compares chunk `job`; the buffers grow as needed.
    ChunkResult process(std::uint64_t job, std::vector<std::byte>& bufA,
                        std::vector<std::byte>& bufB) const {
        const auto it = std::upper_bound(m_firstJob.begin(), m_firstJob.end(), job);
        const auto pairIndex = static_cast<std::size_t>(it - m_firstJob.begin() - 1);
        const ComparePair& p = m_pairs[pairIndex];
        const std::uint64_t first = (job - m_firstJob[pairIndex]) * m_options.chunkElements;
        const std::uint64_t count = std::min(m_options.chunkElements, p.a->numel() - first);
        const DType ta = p.a->dtype();
        const DType tb = p.b->dtype();
        const std::size_t bytesA = static_cast<std::size_t>(count) * dtypeSize(ta);
        const std::size_t bytesB = static_cast<std::size_t>(count) * dtypeSize(tb);
        MappedRange mapA, mapB;
        const std::byte* a = nullptr;
        const std::byte* b = nullptr;
        try {
            a = m_readers[pairIndex].first->view(first, count, bufA, mapA);
        } catch (const Error&) {
            rethrowWithContext({p.aFile, {}, p.aPath});
        }
        try {
            b = m_readers[pairIndex].second->view(first, count, bufB, mapB);
        } catch (const Error&) {
            rethrowWithContext({p.bFile, {}, p.bPath});
        }
        ChunkResult r{pairIndex, DiffAccumulator(m_options.tolerance), false, bytesA + bytesB};
        r.identical = ta == tb && std::memcmp(a, b, bytesA) == 0;
        if (r.identical) {
            r.sums.addIdentical(ta, a, static_cast<std::size_t>(count), first);
        } else {
            r.sums.add(ta, a, tb, b, static_cast<std::size_t>(count), first);
        }
        return r;
    }

private:
    const std::vector<ComparePair>& m_pairs;
    CompareOptions m_options;
    std::vector<std::pair<std::unique_ptr<ChunkReader>, std::unique_ptr<ChunkReader>>> m_readers;
    std::vector<std::uint64_t> m_firstJob;  // per pair, plus the total at the end
    std::uint64_t m_totalBytes = 0;
};

/// Per-pair totals, folded strictly in job order.
class Folder {
public:
    Folder(const std::vector<ComparePair>& pairs, const DiffTolerance& tolerance) {
        for (const auto& p : pairs) {
            m_sums.emplace_back(tolerance);
            m_identical.push_back(p.a->dtype() == p.b->dtype() ? 1 : 0);
        }
    }
    void fold(const ChunkResult& r) {
        m_sums[r.pair].merge(r.sums);
        m_identical[r.pair] = m_identical[r.pair] != 0 && r.identical ? 1 : 0;
    }
    [[nodiscard]] std::vector<TensorMetrics> results() const {
        std::vector<TensorMetrics> out;
        out.reserve(m_sums.size());
        for (std::size_t i = 0; i < m_sums.size(); ++i) {
            out.push_back(m_sums[i].result(m_identical[i] != 0));
        }
        return out;
    }

private:
    std::vector<DiffAccumulator> m_sums;
    std::vector<char> m_identical;
};

}  // namespace

std::vector<TensorMetrics> compareTensorPairs(const std::vector<ComparePair>& pairs,
                                              const CompareOptions& options,
                                              const ProgressFn& progress) {
    CompareOptions opts = options;
    opts.chunkElements = std::max<std::uint64_t>(1, opts.chunkElements);
    for (const auto& p : pairs) {
        if (p.a == nullptr || p.b == nullptr || p.a->numel() != p.b->numel()) {
            throw UnsupportedError("tensors of different sizes cannot be compared element-wise");
        }
        if (p.a->numel() > 0 && (!p.a->readable() || !p.b->readable())) {
            throw UnsupportedError(
                "tensor data cannot be read",
                {p.a->readable() ? p.bFile : p.aFile, {}, p.a->readable() ? p.bPath : p.aPath});
        }
    }
    OpenFiles files;
    const Plan plan(pairs, opts, files);
    Folder folder(pairs, opts.tolerance);
    reportProgress(progress, 0, plan.totalBytes());
    const int threads = chooseThreadCount(opts.threads, plan.totalBytes(), kParallelMinBytes,
                                          plan.jobCount(), kMaxThreads);
    // Workers leave results in `pending`; whoever completes job `nextFold` folds every
    // contiguous result from there, so the sums are folded strictly in job order.
    struct Slot {
        std::vector<std::byte> bufA, bufB;
        std::optional<ChunkResult> result;
    };
    std::vector<Slot> slots(static_cast<std::size_t>(threads));
    std::map<std::uint64_t, ChunkResult> pending;
    std::uint64_t nextFold = 0;
    ParallelJobs jobs;
    jobs.jobCount = plan.jobCount();
    jobs.threads = threads;
    jobs.totalUnits = plan.totalBytes();
    jobs.jobsAheadPerThread = kChunksAhead;
    jobs.run = [&](int worker, std::uint64_t job) {
        Slot& slot = slots[static_cast<std::size_t>(worker)];
        slot.result = plan.process(job, slot.bufA, slot.bufB);
        return std::uint64_t{slot.result->bytes};
    };
    jobs.completed = [&](int worker, std::uint64_t job) {
        Slot& slot = slots[static_cast<std::size_t>(worker)];
        pending.emplace(job, std::move(*slot.result));
        slot.result.reset();
        for (auto it = pending.find(nextFold); it != pending.end(); it = pending.find(nextFold)) {
            folder.fold(it->second);
            pending.erase(it);
            ++nextFold;
        }
    };
    runParallelJobs(jobs, progress);
    return folder.results();
}

}  // namespace ckpt::core
