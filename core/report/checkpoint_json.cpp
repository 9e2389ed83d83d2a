#include "core/report/checkpoint_json.h"

#include <cmath>

#include "core/analysis/overview.h"
#include "core/analysis/tensor_stats.h"
#include "core/model/checkpoint.h"

namespace ckpt::core {
namespace {

Json finiteOrNull(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

}  // namespace

Json tensorJson(const Node& tensorNode, bool withStorage) {
    const Tensor& t = *tensorNode.tensor();
    Json j = Json::object();
    j["path"] = tensorNode.path();
    j["dtype"] = std::string(dtypeName(t.dtype()));
    j["shape"] = t.shape();
    j["nbytes"] = t.nbytes();
    if (!t.dtypeDetail().empty()) {
        j["dtype_detail"] = t.dtypeDetail();
    }
    if (!t.encoding().name.empty()) {
        // Stored block-quantised (GGUF "Q4_K"): dtype is what reads produce, nbytes its size.
        j["encoding"] = t.encoding().name;
        j["stored_bytes"] = t.encoding().storedBytes;
        j["decoded"] = t.readable();
    }
    if (withStorage && t.source() != nullptr) {
        j["storage"] = t.source()->storageDescription();
    }
    return j;
}

Json objectsJson(const Checkpoint& checkpoint, std::size_t maxEntries, bool* truncated) {
    Json out = Json::array();
    if (truncated != nullptr) {
        *truncated = false;
    }
    // Depth-first in tree order, one child at a time: a lazy node makes only the children
    // visited before the list is full.
    std::vector<std::pair<const Node*, std::size_t>> frames;
    const Node* next = &checkpoint.root();
    while (next != nullptr) {
        const Node* n = next;
        next = nullptr;
        const bool listed = n->kind() == NodeKind::Object || n->kind() == NodeKind::Archive ||
                            (n->kind() == NodeKind::Group && !n->typeName().empty());
        if (listed) {
            if (out.size() >= maxEntries) {
                if (truncated != nullptr) {
                    *truncated = true;
                }
                break;
            }
            Json o = {{"path", n->path()},
                      {"class", n->typeName()},
                      {"kind", std::string(nodeKindName(n->kind()))}};
            if (const auto r = n->attributes().find("reconstructor"); r != n->attributes().end()) {
                o["reconstructor"] = *r;
            }
            out.push_back(std::move(o));
        }
        // The inside of a nested Keras file is HDF5 structure, not objects.
        const bool skip = n->kind() == NodeKind::Archive && n->typeName().rfind("keras", 0) == 0;
        if (!skip) {
            frames.emplace_back(n, 0);
        }
        while (!frames.empty() && next == nullptr) {
            auto& [parent, i] = frames.back();
            if (i < parent->childCount()) {
                next = parent->child(i++);
            } else {
                frames.pop_back();
            }
        }
    }
    return out;
}

Json checkpointInfoJson(const Checkpoint& checkpoint) {
    Json j = Json::object();
    j["format"] = checkpoint.format();
    j["format_description"] = checkpoint.formatDescription();
    j["file"] = checkpoint.filePath();
    j["file_size"] = checkpoint.fileSize();
    j["metadata"] = checkpoint.metadata();
    Json layers = Json::array();
    for (const auto& l : checkpoint.layers()) {
        layers.push_back({{"name", l.name},
                          {"class_name", l.className},
                          {"params", l.params},
                          {"trainable_params", l.trainableParams},
                          {"non_trainable_params", l.nonTrainableParams},
                          {"weights", l.weightPaths}});
    }
    j["layers"] = std::move(layers);
    j["total_params"] = checkpoint.totalParams();
    j["trainable_params"] = checkpoint.trainableParams();
    j["non_trainable_params"] = checkpoint.nonTrainableParams();
    const CheckpointOverview overview = summarizeCheckpoint(checkpoint);
    j["params"] = overview.params;
    j["optimizer_params"] = overview.optimizerParams;
    Json modules = Json::array();
    for (const auto& m : overview.modules) {
        modules.push_back({{"name", m.name},
                           {"tensors", m.tensors},
                           {"params", m.params},
                           {"bytes", m.bytes},
                           {"optimizer_state", m.optimizerState}});
    }
    j["modules"] = std::move(modules);
    Json scalars = Json::object();
    for (const auto& s : overview.scalars) {
        scalars[s.name] = {{"type", s.type}, {"value", s.value}};
    }
    j["scalars"] = std::move(scalars);
    Json tensors = Json::array();
    for (const Node* n : checkpoint.tensorNodes()) {
        tensors.push_back(tensorJson(*n));
    }
    j["tensors"] = std::move(tensors);
    bool truncated = false;
    j["objects"] = objectsJson(checkpoint, 100'000, &truncated);
    if (truncated) {
        j["objects_truncated"] = true;
    }
    j["warnings"] = checkpoint.warnings();
    return j;
}

Json statsJson(const TensorStats& s) {
    Json j = Json::object();
    j["count"] = s.count;
    j["finite"] = s.finite;
    j["zeros"] = s.zeros;
    j["nans"] = s.nans;
    j["pos_inf"] = s.posInf;
    j["neg_inf"] = s.negInf;
    j["min"] = finiteOrNull(s.min);
    j["max"] = finiteOrNull(s.max);
    j["mean"] = finiteOrNull(s.mean);
    j["std"] = finiteOrNull(s.std);
    j["histogram"] = {{"lo", finiteOrNull(s.histogram.lo)},
                      {"hi", finiteOrNull(s.histogram.hi)},
                      {"counts", s.histogram.counts}};
    if (s.complexMagnitude) {
        j["of"] = "magnitude";  // complex elements: every figure is of |z|
    }
    if (s.boolean) {
        j["true"] = s.count - s.zeros;  // mean is the share of true
    }
    return j;
}

}  // namespace ckpt::core
