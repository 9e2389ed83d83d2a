#pragma once
// What an export of one checkpoint would do, worked out before running it: which formats fit
// the checkpoint (and why not), the output name a format suggests, and a preview of what will
// be removed and what will be written. Plain C++ without widgets, so it can be tested alone.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/export/export_common.h"
#include "core/validate/finding.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// The six formats in the order the dialog lists them.
[[nodiscard]] const std::vector<core::ExportFormat>& allExportFormats();

/// Whether a format makes sense for a checkpoint; `reason` says why not.
struct FormatFit {
    core::ExportFormat format = core::ExportFormat::Safetensors;
    bool enabled = true;
    std::string reason;
};

/// True for the Keras formats the Keras exporters read (legacy .h5 full or weights, Keras 3
/// .weights.h5, .keras).
[[nodiscard]] bool isKerasSource(const core::Checkpoint& checkpoint);
/// True when the checkpoint holds a Keras model: a Keras source, a split bundle, a model config,
/// or a Keras archive nested in a pickle (a pickled Keras model).
[[nodiscard]] bool hasKerasModel(const core::Checkpoint& checkpoint);
/// Each of allExportFormats() with whether it fits `checkpoint`.
[[nodiscard]] std::vector<FormatFit> exportFormatFits(const core::Checkpoint& checkpoint);
[[nodiscard]] FormatFit exportFormatFit(const core::Checkpoint& checkpoint,
                                        core::ExportFormat format);

/// "safetensors", "Keras legacy HDF5 (.h5)", ...
[[nodiscard]] std::string exportFormatTitle(core::ExportFormat format);
/// One sentence on what the format keeps.
[[nodiscard]] std::string exportFormatExplanation(core::ExportFormat format);
/// The extension an output in `format` gets: ".safetensors", ".h5", ".weights.h5", ".keras",
/// the input's own for Pickle (".pkl" when it has none), "" for Bundle (a folder).
[[nodiscard]] std::string exportExtension(const core::Checkpoint& checkpoint,
                                          core::ExportFormat format);
/// The input's file name without its checkpoint extension ("model.weights.h5" -> "model").
[[nodiscard]] std::string checkpointStem(const std::filesystem::path& file);
/// `out` with its extension replaced by the one `format` gets.
[[nodiscard]] std::filesystem::path withExportExtension(const core::Checkpoint& checkpoint,
                                                        const std::filesystem::path& out,
                                                        core::ExportFormat format);
/// An output beside the input (or in `dir` when the input has no folder) that is not the input.
[[nodiscard]] std::filesystem::path suggestedExportPath(const core::Checkpoint& checkpoint,
                                                        core::ExportFormat format,
                                                        const std::filesystem::path& dir = {});

/// Tensors matching `glob` (tensorGlobMatches) out of all tensors.
struct GlobCount {
    std::uint64_t matching = 0;
    std::uint64_t total = 0;
};
[[nodiscard]] GlobCount countGlobMatches(const core::Checkpoint& checkpoint,
                                         const std::string& glob);

/// One member the export leaves out.
struct RemovedItem {
    std::string path;    ///< member or tensor path
    std::string type;    ///< Python type or dtype, "" when unknown
    std::string reason;  ///< why it is left out
};

struct ExportPreview {
    std::vector<RemovedItem> removed;
    std::uint64_t removedOmitted = 0;  ///< items left out of `removed` to keep it short
    std::uint64_t tensors = 0;         ///< tensors written
    std::uint64_t tensorBytes = 0;     ///< their element bytes
    std::vector<std::string> outputs;  ///< file or folder names written
    std::vector<std::string> notes;    ///< what else the user should know
};

/// The preview of exporting `checkpoint` to `out` in `format` with `options`, given the
/// validator's `findings` (the unserializable and portability ones matter). Lists at most
/// `maxItems` removed items.
[[nodiscard]] ExportPreview makeExportPreview(const core::Checkpoint& checkpoint,
                                              const std::vector<core::Finding>& findings,
                                              core::ExportFormat format,
                                              const core::ExportOptions& options,
                                              const std::filesystem::path& out,
                                              std::size_t maxItems = 500);

}  // namespace ckpt::ui
