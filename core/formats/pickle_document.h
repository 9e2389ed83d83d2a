#pragma once
/// Shared by the pickle and joblib readers: runs the symbolic machine over pickle bytes (joblib
/// array bytes stepped over) and builds the object view into a Checkpoint.

#include <memory>
#include <string>

#include "core/formats/reader.h"

namespace ckpt::core {

class ByteSource;

/// True when the bytes start like a pickle: PROTO 2-5 and a valid opcode, or a protocol 0/1
/// stream whose first opcodes decode and whose last byte is STOP.
[[nodiscard]] bool looksLikePickle(const ByteSource& source);

/// Reads every pickle in `data` (usually one) and returns the checkpoint: format "joblib" when
/// joblib arrays or `compression` are present, else "pickle" (the pickler, dill or cloudpickle,
/// in metadata). `compression` ("zlib", "gzip", ...) is "" for plain files.
[[nodiscard]] std::unique_ptr<Checkpoint> openPickleData(std::shared_ptr<const ByteSource> data,
                                                         const std::string& compression,
                                                         const OpenOptions& options);

}  // namespace ckpt::core
