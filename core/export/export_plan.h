#pragma once
// What an export of one checkpoint would do, worked out before running it: which formats fit
// the checkpoint (and why not), which options a format takes, the output name a format suggests,
// and a preview of what will be removed and what will be written. The one plan of the export
// dialog and of `ckpt export`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/export/export_common.h"
#include "core/validate/finding.h"

namespace ckpt::core {

class Checkpoint;

/// The six formats in the order the dialog lists them.
[[nodiscard]] const std::vector<ExportFormat>& allExportFormats();

/// Whether a format makes sense for a checkpoint; `reason` says why not.
struct FormatFit {
    ExportFormat format = ExportFormat::Safetensors;
    bool enabled = true;
    std::string reason;
};

/// True for the Keras formats the Keras exporters read (legacy .h5 full or weights, Keras 3
/// .weights.h5, .keras).
[[nodiscard]] bool isKerasSource(const Checkpoint& checkpoint);
/// True when the checkpoint holds a Keras model: a Keras source, a split bundle, a model config,
/// or a Keras archive nested in a pickle (a pickled Keras model).
[[nodiscard]] bool hasKerasModel(const Checkpoint& checkpoint);
/// The checkpoint the Keras exporters read for `checkpoint`: itself for a Keras source, the model
/// inside a pickled Keras model, a KerasClassifier/KerasRegressor or a split bundle; null when
/// there is none (`why` then says why, when it is known).
[[nodiscard]] std::shared_ptr<const Checkpoint> kerasExportSource(const Checkpoint& checkpoint,
                                                                  std::string* why = nullptr);
/// Each of allExportFormats() with whether it fits `checkpoint`.
[[nodiscard]] std::vector<FormatFit> exportFormatFits(const Checkpoint& checkpoint);
[[nodiscard]] FormatFit exportFormatFit(const Checkpoint& checkpoint, ExportFormat format);

/// "safetensors", "Keras legacy HDF5 (.h5)", ...
[[nodiscard]] std::string exportFormatTitle(ExportFormat format);
/// One sentence on what the format keeps.
[[nodiscard]] std::string exportFormatExplanation(ExportFormat format);
/// The extension an output in `format` gets: ".safetensors", ".h5", ".weights.h5", ".keras",
/// the input's own for Pickle (".pkl" when it has none), "" for Bundle (a folder).
[[nodiscard]] std::string exportExtension(const Checkpoint& checkpoint, ExportFormat format);
/// The input's file name without its checkpoint extension ("model.weights.h5" -> "model").
[[nodiscard]] std::string checkpointStem(const std::filesystem::path& file);
/// `out` with its extension replaced by the one `format` gets.
[[nodiscard]] std::filesystem::path withExportExtension(const Checkpoint& checkpoint,
                                                        const std::filesystem::path& out,
                                                        ExportFormat format);
/// True when `dir` is a folder this process may write and that is not marked read-only (no
/// write bit at all), so that an export proposed there can be written.
[[nodiscard]] bool isWritableFolder(const std::filesystem::path& dir);
/// An output that is not the input, in a folder that can be written: beside the input when
/// isWritableFolder says so, else in `dir` (the dialog passes the user's home), else in the
/// temporary folder. Never a read-only folder.
[[nodiscard]] std::filesystem::path suggestedExportPath(const Checkpoint& checkpoint,
                                                        ExportFormat format,
                                                        const std::filesystem::path& dir = {});

/// Tensors matching `glob` (tensorGlobMatches) out of all tensors.
struct GlobCount {
    std::uint64_t matching = 0;
    std::uint64_t total = 0;
};
[[nodiscard]] GlobCount countGlobMatches(const Checkpoint& checkpoint, const std::string& glob);

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
[[nodiscard]] ExportPreview makeExportPreview(const Checkpoint& checkpoint,
                                              const std::vector<Finding>& findings,
                                              ExportFormat format, const ExportOptions& options,
                                              const std::filesystem::path& out,
                                              std::size_t maxItems = 500);

}  // namespace ckpt::core
