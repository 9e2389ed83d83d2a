#pragma once
/// Common Python shapes in pickles that the object view shows specially: dict-like calls
/// (OrderedDict, defaultdict), set()/frozenset() calls, torch nn.Module state dicts, pickled
/// Keras models holding a .keras archive.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/pickle/value.h"
#include "core/pyobj/recognitions.h"

namespace ckpt::core::pyobj {

/// True when `id` is a call that makes bytes (`_codecs.encode`, `bytes(...)`, `bytearray(...)`),
/// judged by the callee alone (nothing is decoded).
[[nodiscard]] bool isBytesCall(const pickle::ValueGraph& g, pickle::ValueId id);

/// "collections.OrderedDict" etc. when `id` is a call that makes a dict; nullopt otherwise.
[[nodiscard]] std::optional<std::string> dictLikeCall(const pickle::ValueGraph& g,
                                                      pickle::ValueId id);

/// "set" / "frozenset" / "list" / "tuple" when `id` is builtins.<that>(iterable).
[[nodiscard]] std::optional<std::string> sequenceCall(const pickle::ValueGraph& g,
                                                      pickle::ValueId id);

/// (key, value) pairs of a dict, of a list/tuple of 2-tuples, or of a dict-like call (its
/// constructor argument and SETITEMS).
[[nodiscard]] std::vector<std::pair<pickle::ValueId, pickle::ValueId>> dictPairs(
    const pickle::ValueGraph& g, pickle::ValueId id);

/// The BUILD state dict of a torch nn.Module object (one with `_parameters` and `_modules`), or
/// kNoValue when `id` is not one.
[[nodiscard]] pickle::ValueId moduleStateOf(const pickle::ValueGraph& g, pickle::ValueId id);

/// True for None and for empty containers, including `OrderedDict()` and `set()` calls.
[[nodiscard]] bool isEmptyValue(const pickle::ValueGraph& g, pickle::ValueId id);

/// For a torch nn.Module object (BUILD state with `_parameters` and `_modules`): its
/// state_dict as (name, tensor value) in state_dict order ("0.weight", "0.bias", ...), persistent
/// buffers included. Only values that are recognised tensors are listed; empty otherwise.
[[nodiscard]] std::vector<std::pair<std::string, pickle::ValueId>> moduleStateDict(
    const pickle::ValueGraph& g, pickle::ValueId module, const Recognitions& r);

/// A Keras model pickled with its .keras archive (FORMATS.md §3).
struct PickledKerasModel {
    std::string className;      ///< the model class, or "keras.Model"
    std::string reconstructor;  ///< the global that rebuilds it on load
    const ArchiveEntry* archive = nullptr;
    pickle::ValueId archiveValue = pickle::kNoValue;  ///< the value the archive was found in
};

/// Recognises Keras 3 `getattr(cls, '_unpickle_model')(BytesIO(zip))`, Keras 2
/// `deserialize_model_from_bytecode(bytes | uint8 array)` and scikeras
/// `unpack_keras_model(uint8 array)`, when their bytes were found to be an archive.
[[nodiscard]] std::optional<PickledKerasModel> pickledKerasModel(const pickle::ValueGraph& g,
                                                                 pickle::ValueId id,
                                                                 const Recognitions& r);

}  // namespace ckpt::core::pyobj
