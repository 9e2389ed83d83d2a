#pragma once
// Plain words for why a file could not be opened. The core's messages are exact (file, format,
// location, offset, HDF5's own text) and stay available as details; the first thing a user
// reads is one short sentence.

#include <QString>

namespace ckpt::ui {

/// One short sentence for the raw error `message` about `path` ("not a checkpoint format this
/// app reads", "the file is damaged or cut short (HDF5)", ...), without the path itself.
[[nodiscard]] QString plainOpenError(const QString& path, const QString& message);

}  // namespace ckpt::ui
