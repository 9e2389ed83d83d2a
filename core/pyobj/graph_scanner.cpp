#include "core/pyobj/graph_scanner.h"

#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/nested_archives.h"
#include "core/pyobj/numpy_arrays.h"
#include "core/pyobj/reconstructors.h"

namespace ckpt::core::pyobj {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

void warn(Recognitions& out, const ScanOptions& o, std::string w) {
    if (out.warnings.size() < o.maxWarnings) {
        out.warnings.push_back(std::move(w));
    } else if (out.warnings.size() == o.maxWarnings) {
        out.warnings.emplace_back("more warnings left out");
    }
}

/// The bytes of a bytes-like value without copying when they are a range of the source.
std::shared_ptr<const ByteSource> bytesSource(const ValueGraph& g, ValueId id) {
    const pickle::Value& v = g[id];
    if ((v.kind == ValueKind::Bytes || v.kind == ValueKind::ByteArray) &&
        v.aux == pickle::Value::kNoText) {
        return std::make_shared<SliceSource>(g.sourcePtr(), v.range.offset, v.range.length,
                                             "bytes at offset " + std::to_string(v.offset));
    }
    const auto owned = pickle::asBytes(g, id);
    if (!owned) {
        return nullptr;
    }
    const auto* first = reinterpret_cast<const std::byte*>(owned->data());
    return std::make_shared<MemorySource>(std::vector<std::byte>(first, first + owned->size()),
                                          "bytes at offset " + std::to_string(v.offset));
}

/// First bytes (up to 512) of a bytes-like value, cheaply: protocol 2's latin-1 text of
/// `_codecs.encode` is decoded for its first characters only.
std::string headOf(const ValueGraph& g, ValueId id) {
    constexpr std::size_t kHead = 512;
    const pickle::Value& v = g[id];
    if (v.kind == ValueKind::Bytes || v.kind == ValueKind::ByteArray) {
        return std::string(g.text(id).substr(0, kHead));
    }
    if (v.kind != ValueKind::Call) {
        return {};
    }
    const auto* args = pickle::sequenceItems(g, v.args);
    if (args == nullptr || args->empty() || g[(*args)[0]].kind != ValueKind::Str) {
        return {};
    }
    const std::string_view text = g.text((*args)[0]);
    std::string out;
    for (std::size_t i = 0; i < text.size() && out.size() < kHead; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
            out += static_cast<char>(((c & 0x03U) << 6) |
                                     (static_cast<unsigned char>(text[++i]) & 0x3FU));
        } else {
            break;  // not latin-1: not bytes
        }
    }
    return out;
}

bool looksLikeArchive(const ValueGraph& g, ValueId id) {
    const std::string head = headOf(g, id);
    return head.starts_with("PK\x03\x04") || (head.size() > 262 && head.substr(257, 5) == "ustar");
}

}  // namespace

void recognizeArchiveBytes(ValueId id, std::shared_ptr<const ByteSource> bytes,
                           const std::string& name, Recognitions& out, const OpenNestedFn& open) {
    if (bytes == nullptr) {
        return;
    }
    const auto head = bytes->peek(0, 512);
    const auto kind = nestedFileKind(head, bytes->size());
    if (kind.empty()) {
        return;
    }
    const std::string shown = kind == "tar" ? name + ".tar" : name;
    out.archives.emplace(id, openNestedArchive(std::move(bytes), kind, shown, open));
}

void scanGraph(const ValueGraph& g, Recognitions& out, const ScanOptions& options) {
    for (const ValueId id : g.nonPlainIds()) {
        const ValueKind kind = g.kind(id);
        if (kind != ValueKind::Bytes && kind != ValueKind::ByteArray && kind != ValueKind::Call) {
            continue;  // what the recognisers look for starts from these
        }
        const pickle::Value& v = g[id];
        if (out.tensors.contains(id) || out.archives.contains(id)) {
            continue;
        }
        if (v.kind == ValueKind::Bytes || v.kind == ValueKind::ByteArray ||
            (v.kind == ValueKind::Call && pickle::isGlobal(g, v.func, "_codecs", "encode"))) {
            if (options.openArchives && looksLikeArchive(g, id)) {
                recognizeArchiveBytes(id, bytesSource(g, id), "archive", out, options.openNested);
            }
            continue;
        }
        if (v.kind != ValueKind::Call) {
            continue;
        }
        const auto callee = pickle::calleeName(g, id);
        if (!callee) {
            continue;
        }
        if (isCloudpickleModule(callee->module) &&
            (callee->name == "_function_setstate" || callee->name == "_class_setstate")) {
            const auto* args = pickle::sequenceItems(g, v.args);
            if (args != nullptr && args->size() == 2) {
                out.extraStates[(*args)[0]].push_back((*args)[1]);
            }
            continue;
        }
        if (callee->name == "loads" &&
            (callee->module == "pickle" || callee->module == "_pickle" ||
             callee->module == "cPickle" || isDillModule(callee->module) ||
             isCloudpickleModule(callee->module))) {
            // A pickle inside the pickle: read it too, so that what it calls is seen.
            const auto* args = pickle::sequenceItems(g, v.args);
            if (args != nullptr && !args->empty() && !out.archives.contains((*args)[0])) {
                if (auto bytes = bytesSource(g, (*args)[0])) {
                    out.archives.emplace((*args)[0],
                                         openNestedArchive(std::move(bytes), "pickle", "pickle",
                                                           options.openNested));
                }
            }
            continue;
        }
        if (callee->module == "builtins" && callee->name == "setattr") {
            const auto* args = pickle::sequenceItems(g, v.args);
            if (args != nullptr && args->size() == 3 && g[(*args)[1]].kind == ValueKind::Str) {
                out.extraAttributes[(*args)[0]].emplace_back((*args)[1], (*args)[2]);
            }
            continue;
        }
        if (const auto array = numpyArray(g, id)) {
            if (array->dtype.isObject) {
                continue;  // shown as an object with its items
            }
            if (options.openArchives && array->dtype.dtype == DType::UInt8 &&
                array->shape.size() == 1 && g.contains(array->data) &&
                looksLikeArchive(g, array->data)) {
                recognizeArchiveBytes(id, bytesSource(g, array->data), "archive", out,
                                      options.openNested);
                continue;
            }
            std::string problem;
            TensorEntry e{numpyTensor(g, *array, problem), "numpy.ndarray"};
            e.attributes["descr"] = array->dtype.descr;
            if (array->fortranOrder) {
                e.attributes["fortran_order"] = true;
            }
            if (!problem.empty()) {
                e.attributes["problem"] = problem;
                warn(out, options,
                     "numpy array at offset " + std::to_string(v.offset) + ": " + problem);
            }
            out.tensors.emplace(id, std::move(e));
            continue;
        }
        if (const auto call = torchTensorCall(g, id)) {
            std::string problem;
            TensorEntry e{torchTensor(g, *call, options.storageBytes, options.bigEndian, problem),
                          call->typeName};
            if (g.contains(call->storage) && g[call->storage].kind == ValueKind::PersistentRef) {
                if (const auto ref = torchStorageRef(g, g[call->storage].pid)) {
                    e.attributes["storage_key"] = ref->key;
                    e.attributes["storage_type"] = ref->typeName;
                    e.attributes["location"] = ref->location;
                }
            }
            e.attributes["storage_offset"] = call->storageOffset;
            e.attributes["stride"] = call->strides;
            e.attributes["requires_grad"] = call->requiresGrad;
            e.attributes["rebuild"] = call->rebuild;
            if (!problem.empty()) {
                e.attributes["problem"] = problem;
                warn(out, options, "tensor at offset " + std::to_string(v.offset) + ": " + problem);
            }
            if (call->parameter) {
                // The wrapped _rebuild_tensor call is shown through its Parameter.
                const auto* args = pickle::sequenceItems(g, v.args);
                if (args != nullptr && !args->empty()) {
                    out.tensors.erase((*args)[0]);
                }
            }
            out.tensors.emplace(id, std::move(e));
        }
    }
}

}  // namespace ckpt::core::pyobj
