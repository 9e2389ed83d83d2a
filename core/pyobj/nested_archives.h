#pragma once
/// Files inside pickled data: a zip (a .keras archive in a pickled Keras model) or a pickle is
/// opened through the caller's OpenNestedFn; a tar (a SavedModel in old Keras/scikeras pickles)
/// is listed.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/pyobj/recognitions.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pyobj {

/// What kind of file bytes start with: "zip", "tar" or "" (none).
[[nodiscard]] std::string nestedFileKind(std::span<const std::byte> head, std::uint64_t size);

/// Opens `bytes` as a nested checkpoint with `open` (zip, pickle) or lists it (tar). Failures,
/// including the opener's refusal past its nesting limit, are recorded in the entry's `error`,
/// never thrown.
[[nodiscard]] ArchiveEntry openNestedArchive(std::shared_ptr<const ByteSource> bytes,
                                             const std::string& kind, const std::string& name,
                                             const OpenNestedFn& open);

}  // namespace ckpt::core::pyobj
