#include "core/pyobj/numpy_arrays.h"

#include <cstring>

#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pickle/value_printer.h"
#include "core/pyobj/wide_int.h"

namespace ckpt::core::pyobj {

using pickle::asInt;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

std::optional<std::vector<std::uint64_t>> shapeOf(const ValueGraph& g, ValueId id) {
    if (const auto n = asInt(g, id); n && *n >= 0) {
        return std::vector<std::uint64_t>{static_cast<std::uint64_t>(*n)};  // _frombuffer((n))
    }
    const auto* items = sequenceItems(g, id);
    if (items == nullptr) {
        return std::nullopt;
    }
    std::vector<std::uint64_t> shape;
    for (const ValueId d : *items) {
        const auto n = asInt(g, d);
        if (!n || *n < 0) {
            return std::nullopt;
        }
        shape.push_back(static_cast<std::uint64_t>(*n));
    }
    return shape;
}

std::string scalarText(DType t, const std::byte* bytes) {
    double v = 0;
    switch (t) {
        case DType::Bool:
            return bytes[0] != std::byte{0} ? "True" : "False";
        case DType::Int8:
        case DType::Int16:
        case DType::Int32:
        case DType::Int64: {
            std::int64_t i = 0;
            const auto n = dtypeSize(t);
            std::memcpy(&i, bytes, n);
            if (n < 8 && (std::to_integer<unsigned>(bytes[n - 1]) & 0x80U) != 0) {
                i |= ~((std::int64_t{1} << (n * 8)) - 1);  // sign-extend
            }
            return std::to_string(i);
        }
        case DType::UInt8:
        case DType::UInt16:
        case DType::UInt32:
        case DType::UInt64: {
            std::uint64_t u = 0;
            std::memcpy(&u, bytes, dtypeSize(t));
            return std::to_string(u);
        }
        default:
            convertToDouble(t, bytes, 1, &v);
            return pickle::ValuePrinter::floatRepr(v);
    }
}

}  // namespace

std::optional<std::uint64_t> elementCount(const std::vector<std::uint64_t>& shape) {
    U128 n = 1;
    for (const auto d : shape) {
        n *= d;
        if (n > std::numeric_limits<std::uint64_t>::max()) {
            return std::nullopt;
        }
    }
    return static_cast<std::uint64_t>(n);
}

namespace {

/// The array state (version, shape, dtype, is_fortran, data) numpy's __reduce__ gives.
std::optional<NumpyArray> fromArrayState(const ValueGraph& g, ValueId state) {
    NumpyArray a;
    const auto* s = sequenceItems(g, state);
    if (s == nullptr || s->size() != 5) {
        return std::nullopt;
    }
    const auto shape = shapeOf(g, (*s)[1]);
    const auto dtype = numpyDtype(g, (*s)[2]);
    if (!shape || !dtype) {
        return std::nullopt;
    }
    a.shape = *shape;
    a.dtype = *dtype;
    a.fortranOrder = asInt(g, (*s)[3]).value_or(0) != 0;
    a.data = (*s)[4];
    a.origin = "_reconstruct";
    return a;
}

}  // namespace

std::optional<NumpyArray> numpyArray(const ValueGraph& g, ValueId id) {
    const auto callee = pickle::calleeName(g, id);
    if (!callee || g[id].kind != ValueKind::Call) {
        return std::nullopt;
    }
    if ((callee->module == "dill._dill" || callee->module == "dill.dill") &&
        callee->name == "_create_array") {
        // dill's _create_array(f, args, state, npdict): f(*args) then __setstate__(state);
        // with f = numpy's _reconstruct it is the plain array state.
        const auto* args = sequenceItems(g, g[id].args);
        if (args == nullptr || args->size() < 3) {
            return std::nullopt;
        }
        const ValueId f = (*args)[0];
        if (!g.contains(f) || g[f].kind != ValueKind::Global ||
            !isNumpyModule(g.global(f).module) || g.global(f).name != "_reconstruct") {
            return std::nullopt;
        }
        auto a = fromArrayState(g, (*args)[2]);
        if (a) {
            a->origin = "dill._create_array";
        }
        return a;
    }
    if (!isNumpyModule(callee->module)) {
        return std::nullopt;
    }
    NumpyArray a;
    if (callee->name == "_reconstruct") {
        const auto& states = g[id].states;
        return states.empty() ? std::nullopt : fromArrayState(g, states.back());
    }
    if (callee->name == "_frombuffer") {
        // (buffer, dtype, shape, order)
        const auto* args = sequenceItems(g, g[id].args);
        if (args == nullptr || args->size() != 4) {
            return std::nullopt;
        }
        const auto dtype = numpyDtype(g, (*args)[1]);
        const auto shape = shapeOf(g, (*args)[2]);
        if (!shape || !dtype) {
            return std::nullopt;
        }
        a.shape = *shape;
        a.dtype = *dtype;
        a.fortranOrder = pickle::asStr(g, (*args)[3]) == std::optional<std::string_view>("F");
        a.data = (*args)[0];
        a.origin = "_frombuffer";
        return a;
    }
    return std::nullopt;
}

std::shared_ptr<Tensor> numpyTensor(const ValueGraph& g, const NumpyArray& a,
                                    std::string& problem) {
    const auto& d = a.dtype;
    const DType dtype = d.isObject ? DType::Other : d.dtype;
    std::shared_ptr<const TensorSource> source;
    const auto numel = elementCount(a.shape);
    const bool numeric = dtypeSize(dtype) != 0 && dtypeSize(dtype) == d.itemsize;
    if (!numel) {
        problem = "the shape overflows";
    } else if (g.contains(a.data) && g[a.data].kind == ValueKind::Buffer) {
        problem = "the data is an out-of-band buffer (protocol 5) that is not in the file";
    } else if (numeric) {
        const auto expected = static_cast<U128>(*numel) * d.itemsize;
        const pickle::Value& v = g[a.data];
        const bool inPlace = (v.kind == ValueKind::Bytes || v.kind == ValueKind::ByteArray) &&
                             v.aux == pickle::Value::kNoText;
        std::optional<std::string> owned;
        std::uint64_t size = 0;
        if (inPlace) {
            size = v.range.length;
        } else if ((owned = pickle::asBytes(g, a.data))) {
            size = owned->size();
        }
        if (!inPlace && !owned) {
            problem = "the array data is not bytes";
        } else if (size != expected) {
            problem = "the data holds " + std::to_string(size) + " bytes, the shape needs " +
                      std::to_string(static_cast<std::uint64_t>(expected));
        } else if (inPlace) {
            source = std::make_shared<ContiguousTensorSource>(g.sourcePtr(), v.range.offset,
                                                              d.itemsize, *numel, d.bigEndian);
        } else {
            const auto* first = reinterpret_cast<const std::byte*>(owned->data());
            auto mem = std::make_shared<MemorySource>(
                std::vector<std::byte>(first, first + owned->size()), "array data");
            source = std::make_shared<ContiguousTensorSource>(std::move(mem), 0, d.itemsize, *numel,
                                                              d.bigEndian);
        }
    }
    auto tensor = std::make_shared<Tensor>(dtype, a.shape, std::move(source));
    tensor->setFortranOrder(a.fortranOrder);
    tensor->setFileByteOrder(d.bigEndian ? ByteOrder::Big : ByteOrder::Little);
    if (dtype == DType::Other || dtype == DType::String) {
        tensor->setDtypeDetail(
            d.isObject ? "object" : d.descr + (d.subShape.empty() ? "" : ", " + d.subShape));
        if (!d.isObject) {
            tensor->setItemSize(d.itemsize);
        }
    }
    return tensor;
}

std::optional<NumpyScalar> numpyScalar(const ValueGraph& g, ValueId id) {
    const auto callee = pickle::calleeName(g, id);
    if (!callee || callee->name != "scalar" || !isNumpyModule(callee->module)) {
        return std::nullopt;
    }
    const auto* args = sequenceItems(g, g[id].args);
    if (args == nullptr || args->empty()) {
        return std::nullopt;
    }
    const auto d = numpyDtype(g, (*args)[0]);
    if (!d) {
        return std::nullopt;
    }
    NumpyScalar s;
    s.typeName = d->isObject                ? "numpy.object_"
                 : dtypeSize(d->dtype) != 0 ? "numpy." + std::string(dtypeName(d->dtype))
                                            : "numpy.void";
    const auto bytes = args->size() > 1 ? pickle::asBytes(g, (*args)[1]) : std::nullopt;
    const auto size = dtypeSize(d->dtype);
    if (bytes && size != 0 && bytes->size() == size && dtypeIsNumeric(d->dtype)) {
        std::vector<std::byte> raw(size);
        std::memcpy(raw.data(), bytes->data(), size);
        if (d->bigEndian) {
            byteSwap(raw.data(), 1, size);
        }
        s.text = scalarText(d->dtype, raw.data());
    } else {
        s.text = d->descr + " scalar";
    }
    return s;
}

}  // namespace ckpt::core::pyobj
