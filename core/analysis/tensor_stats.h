#pragma once
/// Streaming statistics of one tensor: one pass over bounded chunks, memory independent of size.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/util/progress.h"

namespace ckpt::core {

class Tensor;

/// Histogram over [lo, hi]; `counts[i]` covers [lo + i*w, lo + (i+1)*w), the last bin closed.
///
/// computeStats() puts every edge on a power-of-two grid, so the edges are exact doubles and the
/// counts are exact for them (no value is split between bins). Hence lo <= min and hi > max,
/// with about one bin of slack at most; bool and integer data get whole-number-wide bins, centred
/// on whole numbers ([v - 0.5, v + 0.5)) unless the range spans thousands of values. All values
/// equal: one bin with lo == hi. No finite values: no bins.
struct Histogram {
    double lo = 0.0;
    double hi = 0.0;
    std::vector<std::uint64_t> counts;

    /// Width of one bin (0 without bins).
    [[nodiscard]] double binWidth() const {
        return counts.empty() ? 0.0 : (hi - lo) / static_cast<double>(counts.size());
    }
    /// Left edge of bin `i`; edge(counts.size()) is hi.
    [[nodiscard]] double edge(std::size_t i) const {
        return i >= counts.size() ? hi : lo + static_cast<double>(i) * binWidth();
    }
};

struct TensorStats {
    std::uint64_t count = 0;   ///< elements read
    std::uint64_t finite = 0;  ///< elements that are neither NaN nor +-Inf
    std::uint64_t zeros = 0;
    std::uint64_t nans = 0;
    std::uint64_t posInf = 0;
    std::uint64_t negInf = 0;
    double min = std::numeric_limits<double>::quiet_NaN();  ///< over finite elements
    double max = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    double std = std::numeric_limits<double>::quiet_NaN();  ///< population std (numpy's ddof=0)
    Histogram histogram;  ///< of finite elements; bin count chosen from the data
    /// Complex tensors: all statistics describe the magnitudes |z| (NaN when a part is NaN, Inf
    /// when a part is infinite); zeros counts z == 0.
    bool complexMagnitude = false;
    /// Bool tensors: elements are 0 and 1, so mean is the share of true and count - zeros the
    /// number of true elements.
    bool boolean = false;
};

struct StatsOptions {
    /// Elements read per chunk (at least 1); progress and cancellation act between chunks.
    std::uint64_t chunkElements = 1u << 20;
    /// 0 = choose automatically: Freedman-Diaconis (at least Sturges) clamped to 10..128, or one
    /// bin per value for bool/integer data with at most 128 distinct values. A forced count is
    /// capped at 65536 and ignored when all values are equal (one bin).
    int bins = 0;
    /// Threads that read and reduce chunks: 0 = one per core for tensors of 8 MiB and more,
    /// 1 = the calling thread only; never more than the chunks or 64. Progress is always
    /// reported on the calling thread.
    int threads = 0;
};

/// Computes statistics of a readable numeric tensor in one pass over its elements.
///
/// Progress is reported in elements, on the calling thread, after every chunk (with threads,
/// chunks finished meanwhile are reported together); threads read at most two chunks each
/// beyond the progress last accepted. Throws CancelledError when the callback returns false,
/// UnsupportedError for string/other tensors or a tensor without data, and lets the source's
/// errors (CorruptDataError, ...) through.
///
/// Complex tensors are described by their magnitudes |z| (TensorStats::complexMagnitude); bool
/// tensors as 0/1, so that mean is the share of true and count - zeros the true elements. Integers
/// beyond 2^53 are rounded to double; float64 values beyond about 1e154 overflow mean and std
/// (their squares do) while counts, min, max and the histogram stay exact. Memory is bounded by
/// chunkElements per thread (plus 512 KiB per thread for large 2-byte tensors), whatever the
/// tensor size.
[[nodiscard]] TensorStats computeStats(const Tensor& tensor, const ProgressFn& progress = {},
                                       const StatsOptions& options = {});

}  // namespace ckpt::core
