#pragma once
/// The result of comparing two checkpoints: configuration changes, one row per tensor pair, and
/// summaries per layer and overall. Plain values: no references into the checkpoints.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/dtype.h"
#include "core/model/json.h"

namespace ckpt::core {

/// What happened to one tensor between checkpoint A (old) and B (new).
enum class TensorDiffStatus : std::uint8_t {
    Equal,         ///< same shape and dtype, every element within tolerance
    Changed,       ///< same shape and dtype, some element beyond tolerance (or NaN/Inf differ)
    ShapeChanged,  ///< both present, shapes (or storage order) differ; no metrics
    DtypeChanged,  ///< both present, same shape, different dtype; metrics compare the values
    Added,         ///< only in B
    Removed,       ///< only in A
};

/// "equal", "changed", "shape_changed", "dtype_changed", "added", "removed".
[[nodiscard]] std::string_view tensorDiffStatusName(TensorDiffStatus s);

/// How a tensor of A was paired with a tensor of B, from most to least certain.
enum class PairedBy : std::uint8_t {
    None,         ///< one-sided row (added or removed)
    Rule,         ///< a user rule (--map OLD=NEW)
    Name,         ///< the same canonical name ("fc1.weight", "dense/dense/kernel")
    Layer,        ///< the same layer (by name) and the same weight index in one layout
    WeightOrder,  ///< the same layer (by name); Keras 3 vars/<i> against legacy weight_names[i]
    Position,     ///< layers aligned by position, class and weight shapes (a renamed layer)
    Shape,        ///< left over tensors aligned in order by equal shape
};

/// "" (None), "map", "name", "layer", "weight_order", "position", "shape".
[[nodiscard]] std::string_view pairedByName(PairedBy p);
/// A phrase for people: "same name", "order and shape", ...
[[nodiscard]] std::string_view pairedByDescription(PairedBy p);
/// True for pairings that guess from position or shape rather than from names.
[[nodiscard]] constexpr bool pairedByGuess(PairedBy p) {
    return p == PairedBy::Position || p == PairedBy::Shape;
}

/// Element-wise comparison of two tensors of the same shape, values taken as doubles.
///
/// Pairs where either side is NaN or +-Inf are left out of the sums and the maximum; they are
/// counted instead: NaN against NaN and an infinity against the same infinity are equal (as
/// numpy.allclose with equal_nan=True), anything else is a NaN or Inf mismatch, which also counts
/// in `mismatched`.
struct TensorMetrics {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    std::uint64_t numel = 0;   ///< elements compared
    std::uint64_t finite = 0;  ///< pairs where both values are finite (the sums run over these)
    bool identical = false;    ///< same dtype and the same bytes (bitwise equal)
    double maxAbsDiff = kNaN;  ///< max |a - b|; 0 for identical tensors; NaN when numel = 0
    std::uint64_t maxAbsDiffIndex = 0;  ///< storage-order index of the first element at maximum
    double meanAbsDiff = kNaN;          ///< sum |a - b| / finite
    double rmsDiff = kNaN;              ///< sqrt(sum (a - b)^2 / finite)
    /// ||a - b|| / ||a|| (A is the reference); 0 when both are 0, +Inf when only ||a|| is 0.
    double relL2 = kNaN;
    /// a.b / (||a|| ||b||); 1 when both norms are 0, 0 when only one is.
    double cosine = kNaN;
    std::uint64_t mismatched = 0;     ///< elements with |a - b| > atol + rtol |b|, NaN/Inf included
    std::uint64_t nanMismatched = 0;  ///< NaN on one side only
    std::uint64_t infMismatched = 0;  ///< an infinity against anything but the same infinity
    /// Raw sums over finite pairs, for combining tensors (per layer, per model) and for views.
    double sumSqDiff = 0.0;
    double sumSqA = 0.0;
    double sumSqB = 0.0;
    double dot = 0.0;
};

/// One row of the tensor comparison.
struct TensorDiff {
    std::string key;    ///< canonical pairing key, e.g. "dense/0" or "fc1.weight"
    std::string layer;  ///< layer (or module) the tensor belongs to, for the per-layer summary
    std::string aPath;  ///< path in A ("" when added)
    std::string bPath;  ///< path in B ("" when removed)
    TensorDiffStatus status = TensorDiffStatus::Equal;
    PairedBy pairedBy = PairedBy::None;  ///< how the pair was found
    bool trainingState = false;          ///< optimizer or other training state, not model weights
    DType aDtype = DType::Other;
    DType bDtype = DType::Other;
    std::vector<std::uint64_t> aShape;
    std::vector<std::uint64_t> bShape;
    /// Present when values were compared (same shape, both numeric).
    std::optional<TensorMetrics> metrics;
    std::string note;  ///< why values were not compared, when they were not
};

/// Kinds of configuration change.
enum class ConfigChangeKind : std::uint8_t {
    LayerAdded,
    LayerRemoved,
    LayerRenamed,
    FieldAdded,
    FieldRemoved,
    FieldChanged,
};

/// "layer_added", "layer_removed", "layer_renamed", "field_added", "field_removed",
/// "field_changed".
[[nodiscard]] std::string_view configChangeKindName(ConfigChangeKind k);

/// One difference between the architecture or training configurations.
struct ConfigChange {
    ConfigChangeKind kind = ConfigChangeKind::FieldChanged;
    /// JSON path: "layers[1].config.units" (index in A's layer list; in B's for added layers),
    /// "config.name" (the model outside its layer list), "training_config.loss".
    std::string path;
    std::string layer;      ///< the layer's name in A (in B for added layers); "" if none
    std::string className;  ///< the layer's class, for layer changes
    Json oldValue;          ///< null when added; the old name for a rename
    Json newValue;          ///< null when removed; the new name for a rename
};

/// Differences between the model configs and training configs of A and B.
struct ConfigDiff {
    std::vector<ConfigChange> changes;
    bool compared = false;          ///< both have a model config
    bool trainingCompared = false;  ///< both have a training config
};

/// Totals over the tensors of one layer (or module).
struct LayerDiffSummary {
    std::string layer;
    std::size_t tensors = 0;
    std::size_t different = 0;  ///< rows whose status is not Equal
    std::uint64_t numel = 0;    ///< elements compared
    std::uint64_t mismatched = 0;
    double maxAbsDiff = 0.0;
    /// sqrt(sum over tensors of ||a - b||^2) / sqrt(sum of ||a||^2); NaN when nothing compared.
    double relL2 = TensorMetrics::kNaN;
};

/// Totals over all tensor pairs.
struct DiffSummary {
    std::size_t tensors = 0;
    std::size_t equal = 0;
    std::size_t changed = 0;
    std::size_t shapeChanged = 0;
    std::size_t dtypeChanged = 0;
    std::size_t added = 0;
    std::size_t removed = 0;
    std::size_t identical = 0;         ///< bitwise-equal pairs (a subset of the equal ones)
    std::size_t pairedByPosition = 0;  ///< pairs of layers aligned by position (PairedBy)
    std::size_t pairedByShape = 0;     ///< pairs aligned by order and equal shape
    std::uint64_t numelCompared = 0;
    std::uint64_t mismatched = 0;
    double maxRelL2 = TensorMetrics::kNaN;  ///< largest rel_l2 over compared pairs
    std::string maxRelL2Key;
    double maxAbsDiff = TensorMetrics::kNaN;
    std::string maxAbsDiffKey;
    std::size_t configChanges = 0;
    /// The roots are objects of different classes (DiffReport::aClass, bClass).
    bool classMismatch = false;
    /// True when anything differs: a tensor not Equal, a config change, or the roots' classes.
    bool different = false;
};

/// Tolerance of the element test |a - b| <= atol + rtol * |b| (numpy.allclose's defaults).
struct DiffTolerance {
    double atol = 1e-8;
    double rtol = 1e-5;
};

/// Everything `diffCheckpoints` found.
struct DiffReport {
    std::string aFile;
    std::string bFile;
    std::string aFormat;
    std::string bFormat;
    /// The class of each root object (checkpointRootClass): "sklearn.pipeline.Pipeline",
    /// "Sequential"; "" when the root is a plain container or a file without one.
    std::string aClass;
    std::string bClass;
    DiffTolerance tolerance;
    ConfigDiff config;
    std::vector<TensorDiff> tensors;       ///< A's order, then tensors only in B in B's order
    std::vector<LayerDiffSummary> layers;  ///< in order of first appearance in `tensors`
    DiffSummary summary;
    /// Facts worth telling that are not differences ("B has no model config; architectures
    /// not compared", "formats differ: keras-h5 vs keras3-weights-h5"). A class mismatch, when
    /// there is one, is the first note.
    std::vector<std::string> notes;
};

}  // namespace ckpt::core
