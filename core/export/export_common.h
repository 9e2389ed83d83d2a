#pragma once
/// What every exporter takes and returns, and the helpers they share: tensor selection by glob,
/// chunked streaming of a tensor's bytes.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/model/checkpoint.h"
#include "core/util/progress.h"

namespace ckpt::core {

/// Options shared by the exporters.
struct ExportOptions {
    /// fnmatch-style pattern on tensor paths ("*" also matches "/"); empty = every tensor.
    /// Safetensors only (exportOptionApplies).
    std::string tensorGlob;
    /// Leave out the optimizer state (Keras: optimizer weights, training_config and
    /// compile_config; safetensors: tensors isOptimizerStatePath names).
    bool includeOptimizer = true;
    /// Bytes per read/write step; memory use is about twice this, whatever the file size.
    std::size_t chunkBytes = std::size_t{8} << 20;
    /// Bytes written so far out of the total; returning false cancels (CancelledError, no
    /// output left behind).
    ProgressFn progress;
    /// Cleaned pickle export: members flagged `unserializable` are always taken out of their
    /// owners' state; with this set they are replaced with None instead of removed.
    bool replaceWithNone = false;
    /// Cleaned pickle export: also take out members flagged `portability` (lambdas, functions
    /// and classes rebuilt by dill or cloudpickle).
    bool dropPortability = false;
};

/// What an export wrote and what it left out.
struct ExportReport {
    std::string format;  ///< "safetensors", "keras-h5", "weights-h5", "keras"
    std::filesystem::path output;
    std::uint64_t tensors = 0;    ///< tensors written
    std::uint64_t dataBytes = 0;  ///< element bytes written
    std::uint64_t fileBytes = 0;  ///< size of the output file
    /// (source tensor path, output tensor path) of every tensor written, in output order.
    std::vector<std::pair<std::string, std::string>> written;
    /// Left out because the user asked (--tensors, --no-optimizer): "path: reason".
    std::vector<std::string> excluded;
    /// Left out although asked for (no equivalent in the target format): "path: reason".
    std::vector<std::string> dropped;
    /// Things the user should know about the result (approximations, formats not converted).
    std::vector<std::string> warnings;
    /// Cleaned pickle export: members taken out of the stream, "path (type): removed" or
    /// "path (type): replaced with None".
    std::vector<std::string> cleaned;
};

/// The output formats; `fromExtension` maps .safetensors, .weights.h5, .h5/.hdf5, .keras,
/// .pkl/.pickle/.joblib/.pt/.pth (Pickle: the input's own format, cleaned).
/// Bundle writes a folder: config JSON, weights HDF5 and params JSON.
enum class ExportFormat { Safetensors, KerasH5, WeightsH5, Keras, Pickle, Bundle };

[[nodiscard]] std::string exportFormatName(ExportFormat f);
/// Parses "safetensors", "keras-h5", "weights-h5", "keras", "pickle", "bundle"; false for
/// anything else.
[[nodiscard]] bool exportFormatFromName(const std::string& name, ExportFormat& out);
/// The file name endings of `f`'s outputs, the usual one first (Bundle: none, it is a folder).
/// The one table of export extensions: exportFormatFromExtension and the export plan's
/// exportExtension read it.
[[nodiscard]] std::vector<std::string> exportExtensions(ExportFormat f);
/// The format an output file name implies; false when the extension says nothing.
[[nodiscard]] bool exportFormatFromExtension(const std::filesystem::path& out, ExportFormat& f);

/// Exports `checkpoint` (opened from `checkpoint.filePath()`) to `out` in `format`, atomically.
[[nodiscard]] ExportReport exportCheckpoint(const Checkpoint& checkpoint, ExportFormat format,
                                            const std::filesystem::path& out,
                                            const ExportOptions& options = {});

/// The options a user sets, as the CLI spells them: --no-optimizer, --tensors GLOB,
/// --replace-with-none, --drop-flagged.
enum class ExportOption { NoOptimizer, TensorGlob, ReplaceWithNone, DropFlagged };

/// "--no-optimizer", "--tensors", "--replace-with-none", "--drop-flagged".
[[nodiscard]] std::string exportOptionFlag(ExportOption option);
/// Whether `format` honours `option`. Every export takes effect for every format it applies
/// to; an option that does not apply is refused (exportOptionsError), never ignored:
/// --no-optimizer: safetensors, keras-h5, weights-h5, keras, bundle (a cleaned pickle keeps every
/// member plain pickle loads); --tensors: safetensors (the Keras formats keep every weight so
/// that the model stays loadable); --replace-with-none and --drop-flagged: pickle.
[[nodiscard]] bool exportOptionApplies(ExportOption option, ExportFormat format);
/// The options set in `options` (includeOptimizer false, tensorGlob non-empty, ...).
[[nodiscard]] std::vector<ExportOption> exportOptionsSet(const ExportOptions& options);
/// Why `options` cannot be used with `format` (names the option and the formats it applies
/// to), or "" when every option set applies.
[[nodiscard]] std::string exportOptionsError(ExportFormat format, const ExportOptions& options);

/// True when the tensor at `path` is optimizer state by its name: a path component named
/// optimizer_weights (Keras 2), optimizer (Keras 3 optimizer/vars, a torch training
/// checkpoint's "optimizer" entry), optimizer_state_dict, optimizer_state, optim, opt_state.
[[nodiscard]] bool isOptimizerStatePath(const std::string& path);

/// True when `path` matches the fnmatch-style `glob` (empty glob matches everything).
[[nodiscard]] bool tensorGlobMatches(const std::string& glob, const std::string& path);

/// Streams the elements of `tensor` in C order, in blocks of at most `chunkBytes`, to `sink`
/// (pointer, byte count). Fortran-order tensors are transposed on the fly (a bounded buffer of
/// whole columns is not possible in general, so they are read in full when at most
/// kMaxTransposeBytes, else UnsupportedError). `onChunk` is called after each block with its
/// byte count (for progress; it may throw CancelledError).
void streamTensorBytes(const Tensor& tensor, std::size_t chunkBytes,
                       const std::function<void(const std::byte*, std::size_t)>& sink);

inline constexpr std::uint64_t kMaxTransposeBytes = std::uint64_t{256} << 20;

/// Counts bytes done and reports progress; throws CancelledError when asked to stop.
class ProgressCounter {
public:
    ProgressCounter(const ProgressFn& fn, std::uint64_t total) : m_fn(fn), m_total(total) {}
    void add(std::uint64_t bytes) {
        m_done += bytes;
        reportProgress(m_fn, m_done, m_total);
    }

private:
    const ProgressFn& m_fn;
    std::uint64_t m_total;
    std::uint64_t m_done = 0;
};

/// A float32 view of a tensor of 8-bit floats (dtypeIsFloat8), for outputs that have no such
/// type (HDF5/Keras): reads decode the stored bytes exactly through the type's table. Its
/// encoding names the stored type ("float8_e4m3fn", 1 byte per element), so that
/// DecodedEncodings notes the conversion. `tensor` must outlive the view. Other tensors:
/// nullptr.
[[nodiscard]] std::shared_ptr<const Tensor> decodedFloat8View(const Tensor& tensor);

/// Tensors stored in an encoding the output cannot hold (GGUF's quantised blocks: Q4_K, Q8_0,
/// ...; 8-bit floats in HDF5 through decodedFloat8View) are written as what they decode to. Counts
/// them, so that the preview and the report say so instead of changing the data's type silently.
class DecodedEncodings {
public:
    /// Counts `t` when it has an encoding of its own (Tensor::encoding()).
    void add(const Tensor& t);
    /// "3 tensors stored as Q4_K, Q8_0 are written decoded, as float32 (1152 bytes in the
    /// file, 8192 bytes written)", or "" when no tensor was encoded.
    [[nodiscard]] std::string note() const;

private:
    std::vector<std::string> m_names;  // encodings met, in first-seen order
    std::vector<std::string> m_types;  // the dtypes they decode to
    std::uint64_t m_tensors = 0;
    std::uint64_t m_stored = 0;
    std::uint64_t m_written = 0;
};

}  // namespace ckpt::core
