#include "core/diff/diff_json.h"

#include "core/model/json_dump.h"

#include <cmath>

namespace ckpt::core {
namespace {

Json number(double v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

Json nameOrNull(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

}  // namespace

Json tensorDiffJson(const TensorDiff& t) {
    const bool hasA = t.status != TensorDiffStatus::Added;
    const bool hasB = t.status != TensorDiffStatus::Removed;
    Json j = Json::object();
    j["key"] = t.key;
    j["layer"] = t.layer;
    j["a_path"] = hasA ? Json(t.aPath) : Json(nullptr);
    j["b_path"] = hasB ? Json(t.bPath) : Json(nullptr);
    j["status"] = tensorDiffStatusName(t.status);
    j["paired_by"] = nameOrNull(std::string(pairedByName(t.pairedBy)));
    j["training_state"] = t.trainingState;
    j["a_dtype"] = hasA ? Json(dtypeName(t.aDtype)) : Json(nullptr);
    j["b_dtype"] = hasB ? Json(dtypeName(t.bDtype)) : Json(nullptr);
    j["a_shape"] = hasA ? Json(t.aShape) : Json(nullptr);
    j["b_shape"] = hasB ? Json(t.bShape) : Json(nullptr);
    if (t.metrics) {
        const TensorMetrics& m = *t.metrics;
        j["numel"] = m.numel;
        j["max_abs_diff"] = number(m.maxAbsDiff);
        j["max_abs_diff_index"] =
            std::isnan(m.maxAbsDiff) ? Json(nullptr) : Json(m.maxAbsDiffIndex);
        j["mean_abs_diff"] = number(m.meanAbsDiff);
        j["rms_diff"] = number(m.rmsDiff);
        j["rel_l2"] = number(m.relL2);
        j["cosine"] = number(m.cosine);
        j["mismatched"] = m.mismatched;
        j["nan_mismatched"] = m.nanMismatched;
        j["inf_mismatched"] = m.infMismatched;
        j["identical"] = m.identical;
    } else {
        for (const char* k :
             {"numel", "max_abs_diff", "max_abs_diff_index", "mean_abs_diff", "rms_diff", "rel_l2",
              "cosine", "mismatched", "nan_mismatched", "inf_mismatched", "identical"}) {
            j[k] = nullptr;
        }
    }
    j["note"] = nameOrNull(t.note);
    return j;
}

Json configChangeJson(const ConfigChange& c) {
    return Json{{"kind", configChangeKindName(c.kind)},
                {"path", c.path},
                {"layer", nameOrNull(c.layer)},
                {"class_name", nameOrNull(c.className)},
                {"old", c.oldValue},
                {"new", c.newValue}};
}

namespace {

Json layersJson(const DiffReport& r) {
    Json layers = Json::array();
    for (const auto& l : r.layers) {
        layers.push_back({{"layer", l.layer},
                          {"tensors", l.tensors},
                          {"different", l.different},
                          {"numel", l.numel},
                          {"mismatched", l.mismatched},
                          {"max_abs_diff", number(l.maxAbsDiff)},
                          {"rel_l2", number(l.relL2)}});
    }
    return layers;
}

Json summaryJson(const DiffSummary& s) {
    return {{"tensors", s.tensors},
            {"equal", s.equal},
            {"changed", s.changed},
            {"shape_changed", s.shapeChanged},
            {"dtype_changed", s.dtypeChanged},
            {"added", s.added},
            {"removed", s.removed},
            {"identical", s.identical},
            {"paired_by_position", s.pairedByPosition},
            {"paired_by_shape", s.pairedByShape},
            {"numel_compared", s.numelCompared},
            {"mismatched", s.mismatched},
            {"max_rel_l2", number(s.maxRelL2)},
            {"max_rel_l2_key", nameOrNull(s.maxRelL2Key)},
            {"max_abs_diff", number(s.maxAbsDiff)},
            {"max_abs_diff_key", nameOrNull(s.maxAbsDiffKey)},
            {"config_changes", s.configChanges},
            {"class_mismatch", s.classMismatch},
            {"different", s.different}};
}

Json headJson(const DiffReport& r) {
    return {{"a", {{"file", r.aFile}, {"format", r.aFormat}, {"class", nameOrNull(r.aClass)}}},
            {"b", {{"file", r.bFile}, {"format", r.bFormat}, {"class", nameOrNull(r.bClass)}}},
            {"class_mismatch", r.summary.classMismatch},
            {"tolerance", {{"atol", r.tolerance.atol}, {"rtol", r.tolerance.rtol}}}};
}

}  // namespace

Json diffReportJson(const DiffReport& r) {
    Json j = headJson(r);
    Json changes = Json::array();
    for (const auto& c : r.config.changes) {
        changes.push_back(configChangeJson(c));
    }
    j["config"] = {{"compared", r.config.compared},
                   {"training_compared", r.config.trainingCompared},
                   {"changes", std::move(changes)}};
    Json tensors = Json::array();
    for (const auto& t : r.tensors) {
        tensors.push_back(tensorDiffJson(t));
    }
    j["tensors"] = std::move(tensors);
    j["layers"] = layersJson(r);
    j["summary"] = summaryJson(r.summary);
    j["notes"] = r.notes;
    return j;
}

void writeDiffReportJson(std::ostream& out, const DiffReport& r,
                         const std::vector<const TensorDiff*>& rows) {
    const auto list = [&out](const char* indent, std::size_t n, const auto& item) {
        out << "[";
        for (std::size_t i = 0; i < n; ++i) {
            out << (i ? ",\n" : "\n") << indent << "  " << dumpJson(item(i));
        }
        out << (n ? std::string("\n") + indent : std::string()) << "]";
    };
    const Json head = headJson(r);
    for (const auto& [k, v] : head.items()) {
        out << (k == head.begin().key() ? "{\n" : ",\n") << "  " << dumpJson(Json(k)) << ": "
            << dumpJson(v);
    }
    out << ",\n  \"config\": {\"compared\": " << dumpJson(Json(r.config.compared))
        << ", \"training_compared\": " << dumpJson(Json(r.config.trainingCompared))
        << ", \"changes\": ";
    list("  ", r.config.changes.size(),
         [&](std::size_t i) { return configChangeJson(r.config.changes[i]); });
    out << "},\n  \"tensors\": ";
    list("  ", rows.size(), [&](std::size_t i) { return tensorDiffJson(*rows[i]); });
    const Json layers = layersJson(r);
    out << ",\n  \"layers\": ";
    list("  ", layers.size(), [&](std::size_t i) { return layers[i]; });
    std::string summary = dumpJson(summaryJson(r.summary), 2);
    for (std::size_t at = summary.find('\n'); at != std::string::npos;
         at = summary.find('\n', at + 3)) {
        summary.insert(at + 1, "  ");
    }
    out << ",\n  \"summary\": " << summary << ",\n  \"notes\": " << dumpJson(Json(r.notes))
        << "\n}\n";
}

}  // namespace ckpt::core
