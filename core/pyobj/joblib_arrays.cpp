#include "core/pyobj/joblib_arrays.h"

#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/graph_scanner.h"
#include "core/pyobj/nested_archives.h"
#include "core/pyobj/numpy_arrays.h"
#include "core/pyobj/wide_int.h"
#include "core/util/error.h"

namespace ckpt::core::pyobj {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

bool isJoblibWrapper(std::string_view module, std::string_view name) {
    return name == "NumpyArrayWrapper" &&
           (module == "joblib.numpy_pickle" || module == "sklearn.externals.joblib.numpy_pickle");
}

pickle::BuildAction JoblibArrayHook::operator()(const pickle::BuildEvent& e) {
    ValueGraph& g = e.machine.graph();
    const auto cls = pickle::calleeName(g, e.object);
    if (!cls || !isJoblibWrapper(cls->module, cls->name) || g[e.state].kind != ValueKind::Dict) {
        return {};
    }
    ++*m_arrays;
    const Error::Context where{{}, "joblib", {}, e.buildOffset};
    const auto dtypeId = pickle::dictGet(g, e.state, "dtype");
    const auto shapeId = pickle::dictGet(g, e.state, "shape");
    const auto dtype = dtypeId ? numpyDtype(g, *dtypeId) : std::nullopt;
    const auto* dims = shapeId ? pickle::sequenceItems(g, *shapeId) : nullptr;
    if (!dtype || dims == nullptr) {
        throw CorruptDataError("a NumpyArrayWrapper without a dtype or shape", where);
    }
    if (dtype->isObject) {
        // A complete pickle of the array follows (protocol 2, or 5 since joblib 1.5).
        const pickle::PickleInfo inner = e.machine.load(e.nextOffset);
        return {inner.end - e.nextOffset, inner.root};
    }
    std::vector<std::uint64_t> shape;
    for (const ValueId d : *dims) {
        const auto n = pickle::asInt(g, d);
        if (!n || *n < 0) {
            throw CorruptDataError("a NumpyArrayWrapper shape that is not a size", where);
        }
        shape.push_back(static_cast<std::uint64_t>(*n));
    }
    const std::uint64_t size = g.bytes().size();
    std::uint64_t pos = e.nextOffset;
    if (const auto align = pickle::dictGet(g, e.state, "numpy_array_alignment_bytes");
        align && g[*align].kind == ValueKind::Int) {
        if (pos >= size) {
            throw CorruptDataError("the file ends before the array's padding byte", where);
        }
        pos += 1 + std::to_integer<std::uint64_t>(g.bytes()[pos]);
    }
    const auto numel = elementCount(shape);
    const auto nbytes = numel ? static_cast<U128>(*numel) * dtype->itemsize : 0;
    if (!numel || pos > size || nbytes > size - pos) {
        throw CorruptDataError(
            "the array data (" +
                std::to_string(static_cast<std::uint64_t>(std::min<U128>(nbytes, UINT64_MAX))) +
                " bytes) runs past the end of the file (truncated?)",
            where);
    }
    const auto length = static_cast<std::uint64_t>(nbytes);
    const ValueId data = g.addRangeText(ValueKind::Bytes, {pos, length}, e.buildOffset);
    const auto order = pickle::dictGet(g, e.state, "order");
    const bool fortran = order && pickle::asStr(g, *order) == std::optional<std::string_view>("F");
    const auto head = g.bytes().subspan(pos, std::min<std::uint64_t>(length, 512));
    if (dtype->dtype == DType::UInt8 && shape.size() == 1 &&
        !nestedFileKind(head, length).empty()) {
        recognizeArchiveBytes(
            data, std::make_shared<SliceSource>(g.sourcePtr(), pos, length, "array bytes"),
            "archive", *m_out, m_open);
    } else {
        std::shared_ptr<const TensorSource> src;
        const bool numeric =
            dtypeSize(dtype->dtype) != 0 && dtypeSize(dtype->dtype) == dtype->itemsize;
        if (numeric) {
            src = std::make_shared<ContiguousTensorSource>(g.sourcePtr(), pos, dtype->itemsize,
                                                           *numel, dtype->bigEndian);
        }
        auto tensor = std::make_shared<Tensor>(
            numeric ? dtype->dtype : (dtype->dtype == DType::String ? DType::String : DType::Other),
            shape, std::move(src));
        tensor->setFortranOrder(fortran);
        tensor->setFileByteOrder(dtype->bigEndian ? ByteOrder::Big : ByteOrder::Little);
        if (!numeric) {
            tensor->setDtypeDetail(dtype->descr);
        }
        TensorEntry entry{std::move(tensor), "numpy.ndarray"};
        entry.attributes["descr"] = dtype->descr;
        entry.attributes["joblib_offset"] = pos;
        if (fortran) {
            entry.attributes["fortran_order"] = true;
        }
        m_out->tensors.emplace(data, std::move(entry));
    }
    return {pos + length - e.nextOffset, data};
}

}  // namespace ckpt::core::pyobj
