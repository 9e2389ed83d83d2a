#pragma once
/// What the recognizers found in a value graph, keyed by the value that stands for it: tensors
/// (numpy arrays, torch tensors, joblib arrays), nested archives (a .keras zip in a pickle) and
/// states that pickles attach through state setters (cloudpickle).

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/json.h"
#include "core/pickle/value.h"

namespace ckpt::core {
class ByteSource;
class Checkpoint;
class Tensor;
}  // namespace ckpt::core

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core::pyobj {

/// Opens bytes found inside pickled data (a .keras zip, a pickle given to loads()) as a
/// checkpoint of their own, named `name`; throws a core Error when they cannot be read. The
/// reader registry provides it (formats/registry.h nestedOpener), so pyobj does not reach up to
/// it. Empty: such files are recorded as not opened.
using OpenNestedFn = std::function<std::unique_ptr<Checkpoint>(std::shared_ptr<const ByteSource>,
                                                               const std::string& name)>;

/// A tensor and how to show it.
struct TensorEntry {
    std::shared_ptr<Tensor> tensor;
    std::string typeName;              ///< "numpy.ndarray", "torch.Tensor", "torch.nn.Parameter"
    Json attributes = Json::object();  ///< storage key, requires_grad, problem, ...
};

/// A file found inside the pickle's data (zip or tar), opened or listed.
struct ArchiveEntry {
    std::string name;    ///< the node name to show ("model.keras", "archive.tar")
    std::string format;  ///< format id of the nested checkpoint, or "tar", or "" when unreadable
    std::shared_ptr<Checkpoint> checkpoint;  ///< the opened nested file (zip); null for tar
    /// tar members (name, size), directories skipped.
    std::vector<std::pair<std::string, std::uint64_t>> tarMembers;
    std::uint64_t size = 0;  ///< bytes of the nested file
    std::string error;       ///< why it could not be opened
};

/// The results of all recognizers over one graph.
struct Recognitions {
    std::unordered_map<pickle::ValueId, TensorEntry> tensors;
    std::unordered_map<pickle::ValueId, ArchiveEntry> archives;
    /// States given to an object by a later call (cloudpickle `_function_setstate(obj, state)`).
    std::unordered_map<pickle::ValueId, std::vector<pickle::ValueId>> extraStates;
    /// Attributes set by a later `builtins.setattr(obj, name, value)` call (dill sets a local
    /// class's __qualname__ that way): (name, value) pairs per object.
    std::unordered_map<pickle::ValueId, std::vector<std::pair<pickle::ValueId, pickle::ValueId>>>
        extraAttributes;
    std::vector<std::string> warnings;
};

}  // namespace ckpt::core::pyobj
