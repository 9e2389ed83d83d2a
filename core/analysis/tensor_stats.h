#pragma once
/// Streaming statistics of one tensor: one pass over bounded chunks, memory independent of size.

#include <cstdint>
#include <limits>
#include <vector>

#include "core/util/progress.h"

namespace ckpt::core {

class Tensor;

/// Histogram over [lo, hi]; `counts[i]` covers [lo + i*w, lo + (i+1)*w), the last bin closed.
struct Histogram {
    double lo = 0.0;
    double hi = 0.0;
    std::vector<std::uint64_t> counts;
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
};

struct StatsOptions {
    std::uint64_t chunkElements = 1u << 20;  ///< elements read per chunk
    int bins = 0;                            ///< 0 = choose automatically
};

/// Computes statistics of a readable numeric tensor in one pass. Reports progress in elements;
/// throws CancelledError when the callback returns false, UnsupportedError for non-numeric
/// tensors.
[[nodiscard]] TensorStats computeStats(const Tensor& tensor, const ProgressFn& progress = {},
                                       const StatsOptions& options = {});

}  // namespace ckpt::core
