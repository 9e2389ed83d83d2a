#pragma once
/// safetensors export from any checkpoint (huggingface/safetensors `prepare`): header JSON with
/// `__metadata__` {source_format, source_file}, padded with spaces to a multiple of 8, tensors
/// sorted by dtype (descending, in the crate's enum order) then name, packed back to back,
/// little-endian, C order.

#include <filesystem>
#include <optional>
#include <string>

#include "core/export/export_common.h"

namespace ckpt::core {

/// The safetensors dtype string ("F32", "BF16", "BOOL", ...) or nullopt when the format has
/// none (complex128, strings, other).
[[nodiscard]] std::optional<std::string> safetensorsDtype(DType t);

/// Writes every readable numeric tensor of `checkpoint` (those matching options.tensorGlob, and
/// without the optimizer state when options.includeOptimizer is false) to `out`, named by tensor
/// path. String/object tensors and dtypes safetensors lacks are left out
/// and listed in ExportReport::dropped. Data is streamed in options.chunkBytes blocks. Throws
/// IoError when `out` is the input file, CancelledError when cancelled (nothing left behind).
[[nodiscard]] ExportReport exportSafetensors(const Checkpoint& checkpoint,
                                             const std::filesystem::path& out,
                                             const ExportOptions& options = {});

}  // namespace ckpt::core
