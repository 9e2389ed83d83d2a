#include "core/pyobj/torch_tensors.h"

#include <map>

#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/strided_tensor_source.h"
#include "core/pyobj/wide_int.h"

namespace ckpt::core::pyobj {

using pickle::asInt;
using pickle::asStr;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

struct TypeEntry {
    DType dtype;
    std::size_t size;
};

/// Sizes from `torch.Size(...)`, a tuple or a list of ints.
std::optional<std::vector<std::uint64_t>> sizesOf(const ValueGraph& g, ValueId id) {
    if (const auto c = pickle::calleeName(g, id); c && c->module == "torch" && c->name == "Size") {
        const auto* args = sequenceItems(g, g[id].args);
        return args && args->size() == 1 ? sizesOf(g, (*args)[0]) : std::nullopt;
    }
    const auto* items = sequenceItems(g, id);
    if (items == nullptr) {
        return std::nullopt;
    }
    std::vector<std::uint64_t> out;
    out.reserve(items->size());
    for (const ValueId v : *items) {
        const auto n = asInt(g, v);
        if (!n || *n < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<std::uint64_t>(*n));
    }
    return out;
}

bool isTorchUtils(const pickle::GlobalName& n) {
    return n.module == "torch._utils";
}

/// Fills `call` from the arguments of a `_rebuild_tensor*` function named `fn`.
bool fromRebuildArgs(const ValueGraph& g, std::string_view fn, std::span<const ValueId> a,
                     TorchTensorCall& call) {
    const bool v1 = fn == "_rebuild_tensor";
    const bool v2 = fn == "_rebuild_tensor_v2";
    const bool v3 = fn == "_rebuild_tensor_v3";
    if (fn == "_rebuild_meta_tensor_no_storage" && a.size() >= 3) {
        const auto shape = sizesOf(g, a[1]);
        const auto strides = sizesOf(g, a[2]);
        const auto dt = g[a[0]].kind == ValueKind::Global ? g.global(a[0]) : pickle::GlobalName{};
        if (!shape || !strides) {
            return false;
        }
        call.shape = *shape;
        call.strides = *strides;
        call.metaNoStorage = true;
        call.dtypeName = std::string(dt.name);
        call.dtype = torchDtype(dt.name, call.dtypeSize);
        call.requiresGrad = a.size() > 3 && asInt(g, a[3]).value_or(0) != 0;
        call.rebuild = std::string(fn);
        return true;
    }
    if (!(v1 && a.size() >= 4) && !(v2 && a.size() >= 6) && !(v3 && a.size() >= 7)) {
        return false;
    }
    const auto offset = asInt(g, a[1]);
    const auto shape = sizesOf(g, a[2]);
    const auto strides = sizesOf(g, a[3]);
    if (!offset || *offset < 0 || !shape || !strides || shape->size() != strides->size()) {
        return false;
    }
    call.storage = a[0];
    call.storageOffset = static_cast<std::uint64_t>(*offset);
    call.shape = *shape;
    call.strides = *strides;
    call.requiresGrad = !v1 && asInt(g, a[4]).value_or(0) != 0;
    call.rebuild = std::string(fn);
    if (v3 && g[a[6]].kind == ValueKind::Global) {
        call.dtypeName = std::string(g.global(a[6]).name);
        call.dtype = torchDtype(call.dtypeName, call.dtypeSize);
    }
    return true;
}

}  // namespace

std::optional<DType> torchStorageDtype(std::string_view name, std::size_t& elementSize,
                                       std::string& detail) {
    static const std::map<std::string_view, TypeEntry> table{
        {"FloatStorage", {DType::Float32, 4}},
        {"DoubleStorage", {DType::Float64, 8}},
        {"HalfStorage", {DType::Float16, 2}},
        {"BFloat16Storage", {DType::BFloat16, 2}},
        {"LongStorage", {DType::Int64, 8}},
        {"IntStorage", {DType::Int32, 4}},
        {"ShortStorage", {DType::Int16, 2}},
        {"CharStorage", {DType::Int8, 1}},
        {"ByteStorage", {DType::UInt8, 1}},
        {"BoolStorage", {DType::Bool, 1}},
        {"ComplexFloatStorage", {DType::Complex64, 8}},
        {"ComplexDoubleStorage", {DType::Complex128, 16}},
        {"QInt8Storage", {DType::Other, 1}},
        {"QUInt8Storage", {DType::Other, 1}},
        {"QInt32Storage", {DType::Other, 4}},
        {"QUInt4x2Storage", {DType::Other, 1}},
        {"QUInt2x4Storage", {DType::Other, 1}},
        {"UntypedStorage", {DType::UInt8, 1}},
    };
    const auto it = table.find(name);
    if (it == table.end()) {
        return std::nullopt;
    }
    elementSize = it->second.size;
    if (it->second.dtype == DType::Other) {
        detail = std::string(name.substr(0, name.size() - 7));  // "QInt8"
    }
    return it->second.dtype;
}

std::optional<DType> torchDtype(std::string_view name, std::size_t& elementSize) {
    static const std::map<std::string_view, TypeEntry> table{
        {"float32", {DType::Float32, 4}},
        {"float", {DType::Float32, 4}},
        {"float64", {DType::Float64, 8}},
        {"double", {DType::Float64, 8}},
        {"float16", {DType::Float16, 2}},
        {"half", {DType::Float16, 2}},
        {"bfloat16", {DType::BFloat16, 2}},
        {"int64", {DType::Int64, 8}},
        {"long", {DType::Int64, 8}},
        {"int32", {DType::Int32, 4}},
        {"int", {DType::Int32, 4}},
        {"int16", {DType::Int16, 2}},
        {"short", {DType::Int16, 2}},
        {"int8", {DType::Int8, 1}},
        {"uint8", {DType::UInt8, 1}},
        {"bool", {DType::Bool, 1}},
        {"uint16", {DType::UInt16, 2}},
        {"uint32", {DType::UInt32, 4}},
        {"uint64", {DType::UInt64, 8}},
        {"complex64", {DType::Complex64, 8}},
        {"cfloat", {DType::Complex64, 8}},
        {"complex128", {DType::Complex128, 16}},
        {"cdouble", {DType::Complex128, 16}},
        {"complex32", {DType::Other, 4}},
        {"chalf", {DType::Other, 4}},
        {"float8_e5m2", {DType::Float8E5M2, 1}},
        {"float8_e4m3fn", {DType::Float8E4M3FN, 1}},
        {"float8_e5m2fnuz", {DType::Float8E5M2FNUZ, 1}},
        {"float8_e4m3fnuz", {DType::Float8E4M3FNUZ, 1}},
        {"float8_e8m0fnu", {DType::Float8E8M0FNU, 1}},
        {"float4_e2m1fn_x2", {DType::Other, 1}},
        {"qint8", {DType::Other, 1}},
        {"quint8", {DType::Other, 1}},
        {"qint32", {DType::Other, 4}},
        {"quint4x2", {DType::Other, 1}},
        {"quint2x4", {DType::Other, 1}},
        {"bits8", {DType::Other, 1}},
        {"bits16", {DType::Other, 2}},
        {"bits1x8", {DType::Other, 1}},
        {"bits2x4", {DType::Other, 1}},
        {"bits4x2", {DType::Other, 1}},
    };
    const auto it = table.find(name);
    if (it == table.end()) {
        return std::nullopt;
    }
    elementSize = it->second.size;
    return it->second.dtype;
}

std::optional<TorchStorageRef> torchStorageRef(const ValueGraph& g, ValueId pid) {
    const auto* t = sequenceItems(g, pid);
    if (t == nullptr || t->size() < 5 || asStr(g, (*t)[0]) != "storage" ||
        g[(*t)[1]].kind != ValueKind::Global) {
        return std::nullopt;
    }
    TorchStorageRef r;
    const auto type = g.global((*t)[1]);
    if (type.module != "torch" && type.module != "torch.cuda" && type.module != "torch.storage") {
        return std::nullopt;
    }
    const auto dtype = torchStorageDtype(type.name, r.elementSize, r.dtypeDetail);
    const auto key = asStr(g, (*t)[2]);
    const auto location = asStr(g, (*t)[3]);
    const auto numel = asInt(g, (*t)[4]);
    if (!dtype || !key || !numel || *numel < 0) {
        return std::nullopt;
    }
    r.typeName = type.qualified();
    r.dtype = *dtype;
    r.untyped = type.name == "UntypedStorage";
    r.key = std::string(*key);
    r.location = location ? std::string(*location) : std::string();
    r.numel = static_cast<std::uint64_t>(*numel);
    if (t->size() > 5) {
        // Legacy view metadata: (view_key, offset, view_size).
        const auto* view = sequenceItems(g, (*t)[5]);
        if (view != nullptr && view->size() == 3) {
            const auto viewKey = asStr(g, (*view)[0]);
            const auto off = asInt(g, (*view)[1]);
            const auto size = asInt(g, (*view)[2]);
            if (viewKey && off && size && *off >= 0 && *size >= 0) {
                r.viewOffset = static_cast<std::uint64_t>(*off);
                r.viewNumel = static_cast<std::uint64_t>(*size);
            }
        }
    }
    return r;
}

std::optional<TorchTensorCall> torchTensorCall(const ValueGraph& g, ValueId id) {
    const auto callee = pickle::calleeName(g, id);
    if (!callee || g[id].kind != ValueKind::Call) {
        return std::nullopt;
    }
    const auto* args = sequenceItems(g, g[id].args);
    if (args == nullptr) {
        return std::nullopt;
    }
    TorchTensorCall call;
    call.typeName = "torch.Tensor";
    if (isTorchUtils(*callee) && callee->name.starts_with("_rebuild_") &&
        fromRebuildArgs(g, callee->name, *args, call)) {
        return call;
    }
    const bool rebuildParameter =
        isTorchUtils(*callee) &&
        (callee->name == "_rebuild_parameter" || callee->name == "_rebuild_parameter_with_state");
    const bool oldParameter = callee->module == "torch.nn.parameter" && callee->name == "Parameter";
    if ((rebuildParameter || oldParameter) && !args->empty()) {
        auto inner = torchTensorCall(g, (*args)[0]);
        if (!inner) {
            return std::nullopt;
        }
        inner->parameter = true;
        inner->typeName = "torch.nn.Parameter";
        inner->requiresGrad = args->size() > 1 ? asInt(g, (*args)[1]).value_or(1) != 0 : true;
        if (oldParameter && !g[id].states.empty()) {
            const auto* st = sequenceItems(g, g[id].states.back());
            if (st != nullptr && !st->empty()) {
                inner->requiresGrad = asInt(g, (*st)[0]).value_or(1) != 0;
            }
        }
        return inner;
    }
    if (callee->module == "torch._tensor" && callee->name == "_rebuild_from_type_v2" &&
        args->size() >= 3 && g[(*args)[0]].kind == ValueKind::Global) {
        const auto fn = g.global((*args)[0]);
        const auto* inner = sequenceItems(g, (*args)[2]);
        if (inner == nullptr || !isTorchUtils(fn) || !fromRebuildArgs(g, fn.name, *inner, call)) {
            return std::nullopt;
        }
        if (g[(*args)[1]].kind == ValueKind::Global) {
            call.typeName = g.global((*args)[1]).qualified();
            call.parameter = call.typeName == "torch.nn.parameter.Parameter";
        }
        return call;
    }
    return std::nullopt;
}

std::shared_ptr<Tensor> torchTensor(const ValueGraph& g, const TorchTensorCall& call,
                                    const StorageBytesFn& storageBytes, bool bigEndian,
                                    std::string& problem) {
    std::optional<TorchStorageRef> ref;
    if (!call.metaNoStorage) {
        if (g.contains(call.storage) && g[call.storage].kind == ValueKind::PersistentRef) {
            ref = torchStorageRef(g, g[call.storage].pid);
        }
        if (!ref) {
            problem = "the storage is not a torch storage reference";
        }
    }
    DType dtype = call.dtype.value_or(ref ? ref->dtype : DType::Other);
    std::size_t itemsize = call.dtype ? call.dtypeSize : (ref ? ref->elementSize : 0);
    std::string detail;
    if (dtype == DType::Other) {
        detail = !call.dtypeName.empty() ? call.dtypeName : ref ? ref->dtypeDetail : "unknown";
    }
    std::shared_ptr<const TensorSource> source;
    if (call.metaNoStorage) {
        problem = "a meta tensor: it has no data";
    } else if (ref && dtype != DType::Other && itemsize == dtypeSize(dtype)) {
        // Untyped storages count bytes; typed ones count elements of their own type.
        const std::uint64_t refElems = ref->viewNumel.value_or(ref->numel);
        const std::uint64_t storageElems =
            ref->untyped ? refElems / itemsize
                         : static_cast<std::uint64_t>(static_cast<U128>(refElems) *
                                                      ref->elementSize / itemsize);
        const auto extent = viewExtent(call.storageOffset, call.shape, call.strides);
        std::shared_ptr<const ByteSource> bytes = storageBytes ? storageBytes(*ref) : nullptr;
        if (bytes != nullptr && ref->viewNumel) {
            const auto begin = static_cast<U128>(ref->viewOffset) * ref->elementSize;
            const auto length = static_cast<U128>(*ref->viewNumel) * ref->elementSize;
            if (begin + length > bytes->size()) {
                problem = "the storage view of '" + ref->key + "' reaches past its root storage";
                bytes = nullptr;
            } else {
                bytes = std::make_shared<SliceSource>(bytes, static_cast<std::uint64_t>(begin),
                                                      static_cast<std::uint64_t>(length),
                                                      bytes->name());
            }
        }
        if (!extent || *extent > storageElems) {
            problem = "the view reaches element " + (extent ? std::to_string(*extent) : "2^64") +
                      " of a storage of " + std::to_string(storageElems) + " elements";
        } else if (bytes == nullptr) {
            problem = problem.empty() ? "storage '" + ref->key + "' is missing" : problem;
        } else if (bytes->size() / itemsize < storageElems) {
            problem = "storage '" + ref->key + "' holds " + std::to_string(bytes->size()) +
                      " bytes, fewer than its " + std::to_string(storageElems) + " elements";
        } else if (isRowMajor(call.shape, call.strides)) {
            std::uint64_t numel = 1;
            for (const auto d : call.shape) {
                numel *= d;
            }
            source = std::make_shared<ContiguousTensorSource>(
                bytes, call.storageOffset * itemsize, itemsize, numel, bigEndian && itemsize > 1);
        } else {
            source = std::make_shared<StridedTensorSource>(bytes, itemsize, call.storageOffset,
                                                           call.shape, call.strides,
                                                           bigEndian && itemsize > 1);
        }
    }
    auto tensor = std::make_shared<Tensor>(dtype, call.shape, std::move(source));
    tensor->setFileByteOrder(bigEndian ? ByteOrder::Big : ByteOrder::Little);
    if (!detail.empty()) {
        tensor->setDtypeDetail(detail);
    }
    return tensor;
}

}  // namespace ckpt::core::pyobj
