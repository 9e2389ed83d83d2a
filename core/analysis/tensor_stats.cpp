#include "core/analysis/tensor_stats.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/analysis/stats_accumulator.h"
#include "core/model/tensor.h"
#include "core/util/error.h"
#include "core/util/parallel_jobs.h"

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

}  // namespace

TensorStats computeStats(const Tensor& tensor, const ProgressFn& progress,
                         const StatsOptions& options) {
    const DType type = tensor.dtype();
    const bool complex = type == DType::Complex64 || type == DType::Complex128;
    if (!dtypeIsNumeric(type) && !complex && !tensor.encoding().name.empty()) {
        const std::string& detail = tensor.dtypeDetail();
        throw UnsupportedError("statistics need decoded elements; " + tensor.encoding().name +
                               (detail.starts_with("not decoded")
                                    ? " is " + detail
                                    : " blocks are shown but not decoded"));
    }
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
        const int threads = chooseThreadCount(options.threads, tensor.nbytes(), kParallelMinBytes,
                                              plan.chunkCount(), kMaxThreads);
        // Each worker takes chunks in order into its own accumulator with its own buffer; one
        // thread accumulates straight into the result.
        std::vector<StatsAccumulator> partials;
        std::vector<std::vector<std::byte>> buffers(static_cast<std::size_t>(threads));
        for (int t = 0; threads > 1 && t < threads; ++t) {
            partials.emplace_back(type, plan.total());
        }
        ParallelJobs jobs;
        jobs.jobCount = plan.chunkCount();
        jobs.threads = threads;
        jobs.totalUnits = plan.total();
        jobs.run = [&](int worker, std::uint64_t chunk) {
            const auto w = static_cast<std::size_t>(worker);
            return plan.process(chunk, buffers[w], partials.empty() ? acc : partials[w]);
        };
        runParallelJobs(jobs, progress);
        for (const auto& partial : partials) {
            acc.merge(partial);
        }
    }
    return acc.result(options.bins);
}

}  // namespace ckpt::core
