#pragma once
/// Runs every recognizer over all values of a graph: numpy arrays, torch tensors, nested
/// archives in bytes, cloudpickle state setters.

#include "core/pyobj/recognitions.h"
#include "core/pyobj/torch_tensors.h"

namespace ckpt::core::pyobj {

struct ScanOptions {
    /// Storage bytes for torch tensors; without it torch tensors have no reader.
    StorageBytesFn storageBytes;
    bool bigEndian = false;    ///< torch `byteorder` record said "big"
    bool openArchives = true;  ///< open zip/tar bytes found in the data
    OpenNestedFn openNested;   ///< how (empty: nested files are recorded, not opened)
    std::size_t maxWarnings = 50;
};

/// Adds what it recognises to `out` (entries already there, e.g. from a joblib hook, win).
void scanGraph(const pickle::ValueGraph& g, Recognitions& out, const ScanOptions& options);

/// Records a nested archive for value `id` when `bytes` hold a zip or tar (opened with `open`).
void recognizeArchiveBytes(pickle::ValueId id, std::shared_ptr<const ByteSource> bytes,
                           const std::string& name, Recognitions& out, const OpenNestedFn& open);

}  // namespace ckpt::core::pyobj
