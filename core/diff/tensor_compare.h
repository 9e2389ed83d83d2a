#pragma once
/// Streams pairs of tensors through the element-wise comparison: bounded chunks, both cores,
/// progress and cancel.

#include <cstdint>
#include <string>
#include <vector>

#include "core/diff/diff_report.h"
#include "core/util/progress.h"

namespace ckpt::core {

class Tensor;

/// Two tensors to compare element by element: same number of elements, numeric (or complex)
/// dtypes, readable. The names only serve error messages.
struct ComparePair {
    const Tensor* a = nullptr;
    const Tensor* b = nullptr;
    std::string aFile;  ///< file of A, for errors
    std::string aPath;  ///< tensor path in A, for errors
    std::string bFile;
    std::string bPath;
};

struct CompareOptions {
    DiffTolerance tolerance;
    /// Elements read per chunk and side (at least 1); progress and cancel act between chunks.
    std::uint64_t chunkElements = std::uint64_t{1} << 18;
    /// Worker threads: 0 = one per core when there are 8 MiB or more to read, else 1; capped at
    /// the number of chunks and at 64.
    int threads = 0;
};

/// Compares every pair and returns their metrics in the same order.
///
/// All pairs are cut into chunks of `chunkElements`; workers take chunks in order, read the A
/// and B chunk (with pread() when the bytes lie contiguously in a file, else through the
/// tensor's source: HDF5 reads serialise on hdf5Mutex(), the arithmetic runs in parallel),
/// compare their bytes first and, when they differ, accumulate the metrics in double. Partial
/// results are merged in chunk order, so the figures do not depend on the number of threads.
/// Memory: two chunk buffers per thread, whatever the tensor sizes; with a progress callback,
/// workers run at most eight chunks per thread ahead of the progress it last accepted.
///
/// Progress is reported in bytes read (both sides), on the calling thread. Throws
/// CancelledError when the callback returns false; read errors are rethrown with the file and
/// tensor path filled in.
[[nodiscard]] std::vector<TensorMetrics> compareTensorPairs(const std::vector<ComparePair>& pairs,
                                                            const CompareOptions& options = {},
                                                            const ProgressFn& progress = {});

}  // namespace ckpt::core
