#pragma once
/// torch tensors inside pickles (FORMATS.md §4.2-4.3): storages named by persistent ids and the
/// `torch._utils._rebuild_*` calls that view them, recognised without executing anything.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/dtype.h"
#include "core/pickle/value.h"

namespace ckpt::core {
class ByteSource;
class Tensor;
}  // namespace ckpt::core

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core::pyobj {

/// A storage named by `('storage', type, key, location, numel[, view_metadata])`.
struct TorchStorageRef {
    std::string key;
    std::string location;        ///< "cpu", "cuda:0", ...
    std::string typeName;        ///< "torch.FloatStorage", "torch.storage.UntypedStorage"
    DType dtype = DType::UInt8;  ///< element type (UInt8 for untyped storages: bytes)
    std::string dtypeDetail;     ///< name of a type without numeric view ("qint8")
    std::size_t elementSize = 1;
    std::uint64_t numel = 0;  ///< elements of the whole storage (bytes when untyped)
    bool untyped = false;
    /// Legacy view metadata (view_key, offset, size): the tensor's storage is a window of
    /// `viewNumel` elements from element `viewOffset` of the root storage `key`.
    std::optional<std::uint64_t> viewNumel;
    std::uint64_t viewOffset = 0;
};

/// Parses a persistent id; nullopt when it is not a storage id.
[[nodiscard]] std::optional<TorchStorageRef> torchStorageRef(const pickle::ValueGraph& g,
                                                             pickle::ValueId pid);

/// Element type of a storage class name ("FloatStorage"); nullopt for unknown names. Types
/// without a numeric view (quantized) give DType::Other and their name in `detail`.
[[nodiscard]] std::optional<DType> torchStorageDtype(std::string_view name,
                                                     std::size_t& elementSize, std::string& detail);

/// Element type of a `torch.<dtype>` global ("float32", "half", "float8_e4m3fn"...).
[[nodiscard]] std::optional<DType> torchDtype(std::string_view name, std::size_t& elementSize);

/// A tensor view built by `_rebuild_tensor*` (possibly wrapped as a Parameter).
struct TorchTensorCall {
    pickle::ValueId storage = pickle::kNoValue;  ///< the PersistentRef of the storage
    std::uint64_t storageOffset = 0;             ///< in elements
    std::vector<std::uint64_t> shape;
    std::vector<std::uint64_t> strides;  ///< in elements
    bool requiresGrad = false;
    bool parameter = false;
    std::optional<DType> dtype;  ///< _rebuild_tensor_v3 / meta tensors
    std::size_t dtypeSize = 0;
    std::string dtypeName;  ///< torch's name when given by a dtype global
    std::string rebuild;    ///< "_rebuild_tensor_v2", ...
    std::string typeName;   ///< "torch.Tensor", "torch.nn.Parameter", a subclass
    bool metaNoStorage = false;
};

/// The tensor made by value `id`, or nullopt when `id` is not a recognised tensor rebuild.
[[nodiscard]] std::optional<TorchTensorCall> torchTensorCall(const pickle::ValueGraph& g,
                                                             pickle::ValueId id);

/// Returns the bytes of a storage (all numel * elementSize of them), or null when the file has
/// no such storage. May throw CorruptDataError.
using StorageBytesFn = std::function<std::shared_ptr<const ByteSource>(const TorchStorageRef&)>;

/// The lazy tensor for `call`: contiguous views read the storage directly, others gather
/// strided elements. Problems (missing storage, a view past the storage's end) give a tensor
/// without a reader and the reason in `problem`.
[[nodiscard]] std::shared_ptr<Tensor> torchTensor(const pickle::ValueGraph& g,
                                                  const TorchTensorCall& call,
                                                  const StorageBytesFn& storageBytes,
                                                  bool bigEndian, std::string& problem);

}  // namespace ckpt::core::pyobj
