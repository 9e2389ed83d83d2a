#pragma once
/// The table of readers and the entry points that pick one by content.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/formats/reader.h"
#include "core/pyobj/recognitions.h"

namespace ckpt::core {

/// All registered readers, in the order they are tried.
[[nodiscard]] const std::vector<const Reader*>& readers();

/// Every reader's file-name endings, each once, longest first (so that "a.weights.h5" matches
/// ".weights.h5" before ".h5"): the file dialog's filter, drag and drop and export's naming.
[[nodiscard]] const std::vector<std::string>& checkpointExtensions();

/// The known ending of `path`'s file name (lower-cased), or "" when it has none.
[[nodiscard]] std::string checkpointExtension(const std::filesystem::path& path);

/// True when `path` is something openCheckpoint can be asked to open: a regular file (content
/// decides), or a folder that holds a split bundle (a Keras model JSON).
[[nodiscard]] bool isOpenablePath(const std::filesystem::path& path);

/// The best reader for `context`, or null when none recognises it.
[[nodiscard]] const Reader* detectReader(ProbeContext& context);

/// Opens a file by content; a folder is opened as a split bundle (BundleReader). Throws
/// FormatError("not a checkpoint format I know (first bytes:
/// ...)") when no reader recognises it, and other core Errors, with the file named, on failure.
[[nodiscard]] std::unique_ptr<Checkpoint> openCheckpoint(const std::filesystem::path& path,
                                                         const OpenOptions& options = {});

/// Files inside files' data (a zip in a pickle in a zip ...) are opened this deep at most.
inline constexpr int kMaxNestedFiles = 3;

/// The opener that the pickle recognizers use for files found inside the data of a file being
/// opened with `options`: openCheckpoint one level deeper, without progress; past
/// kMaxNestedFiles it throws FormatError("files nested more than 3 deep").
[[nodiscard]] pyobj::OpenNestedFn nestedOpener(const OpenOptions& options);

/// Opens bytes that are not a file of their own (a zip member, bytes inside a pickle).
[[nodiscard]] std::unique_ptr<Checkpoint> openCheckpoint(std::shared_ptr<const ByteSource> source,
                                                         const std::string& displayName,
                                                         const OpenOptions& options = {});

}  // namespace ckpt::core
