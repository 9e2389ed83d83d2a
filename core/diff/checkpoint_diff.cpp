#include "core/diff/checkpoint_diff.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <string_view>

#include "core/diff/config_diff.h"
#include "core/diff/tensor_compare.h"
#include "core/model/checkpoint.h"

namespace ckpt::core {
namespace {

bool comparable(DType t) {
    return dtypeIsNumeric(t) || t == DType::Complex64 || t == DType::Complex128;
}

/// Shape as elements are stored: a Fortran-order tensor is its reversed C-order shape.
std::vector<std::uint64_t> storageShape(const Tensor& t) {
    auto s = t.shape();
    if (t.fortranOrder()) {
        std::reverse(s.begin(), s.end());
    }
    return s;
}

constexpr std::string_view kContainers[] = {"dict",
                                            "builtins.dict",
                                            "__builtin__.dict",
                                            "collections.OrderedDict",
                                            "list",
                                            "builtins.list",
                                            "tuple",
                                            "builtins.tuple",
                                            "set",
                                            "builtins.set",
                                            "frozenset",
                                            "collections.defaultdict",
                                            "torch.nn.modules.container.ModuleDict"};

/// "keras.src.models.sequential.Sequential" -> "Sequential".
std::string_view lastPart(std::string_view name) {
    const auto dot = name.rfind('.');
    return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

void addNotes(const Checkpoint& a, const Checkpoint& b, DiffReport& r) {
    if (r.summary.classMismatch) {
        r.notes.push_back("the roots are different classes: A is " + r.aClass + ", B is " +
                          r.bClass + "; tensors can only be paired by position and shape");
    }
    if (a.format() != b.format()) {
        r.notes.push_back("formats differ: " + a.format() + " vs " + b.format());
    }
    const auto side = [](const Checkpoint& c, const char* name, const char* what) {
        return std::string(name) + " (" + c.format() + ") has no " + what;
    };
    if (!r.config.compared && configPresent(a.config()) != configPresent(b.config())) {
        r.notes.push_back(configPresent(a.config()) ? side(b, "B", "model config")
                                                    : side(a, "A", "model config"));
        r.notes.back() += "; architectures not compared";
    }
    if (!r.config.trainingCompared &&
        configPresent(a.trainingConfig()) != configPresent(b.trainingConfig())) {
        r.notes.push_back(configPresent(a.trainingConfig()) ? side(b, "B", "training config")
                                                            : side(a, "A", "training config"));
        r.notes.back() += "; training configs not compared";
    }
}

/// Fills a row from its pair; returns true when its values need comparing.
bool classify(const TensorPair& p, TensorDiff& row) {
    row.key = p.key;
    row.layer = p.layer;
    row.pairedBy = p.pairedBy;
    row.trainingState = p.trainingState;
    if (p.a != nullptr) {
        row.aPath = p.a->path();
        row.aDtype = p.a->tensor()->dtype();
        row.aShape = p.a->tensor()->shape();
    }
    if (p.b != nullptr) {
        row.bPath = p.b->path();
        row.bDtype = p.b->tensor()->dtype();
        row.bShape = p.b->tensor()->shape();
    }
    if (p.a == nullptr || p.b == nullptr) {
        row.status = p.a == nullptr ? TensorDiffStatus::Added : TensorDiffStatus::Removed;
        return false;
    }
    const Tensor& ta = *p.a->tensor();
    const Tensor& tb = *p.b->tensor();
    if (storageShape(ta) != storageShape(tb)) {
        row.status = TensorDiffStatus::ShapeChanged;
        if (ta.shape() == tb.shape()) {
            row.note = "storage order differs (C against Fortran); values not compared";
        }
        return false;
    }
    const std::string& ea = ta.encoding().name;
    const std::string& eb = tb.encoding().name;
    row.status = ta.dtype() == tb.dtype() && ea == eb ? TensorDiffStatus::Equal
                                                      : TensorDiffStatus::DtypeChanged;
    if (!comparable(ta.dtype()) || !comparable(tb.dtype())) {
        const Tensor& shown = comparable(ta.dtype()) ? tb : ta;
        row.note = shown.encoding().name.empty()
                       ? "values of type " + std::string(dtypeName(shown.dtype())) + " not compared"
                       : shown.encoding().name + " blocks are not decoded; values not compared";
        return false;
    }
    if (!ea.empty() || !eb.empty()) {
        // Block-quantised (GGUF): compared as the floats they dequantise to.
        row.note =
            (ea.empty() ? std::string(dtypeName(ta.dtype())) : ea) +
            (ea == eb ? "" : " against " + (eb.empty() ? std::string(dtypeName(tb.dtype())) : eb)) +
            ": compared dequantised";
    }
    if (ta.numel() > 0 && (!ta.readable() || !tb.readable())) {
        row.note = std::string("no readable data in ") + (ta.readable() ? "B" : "A") +
                   "; values not compared";
        return false;
    }
    if (ta.dtype() == DType::Complex64 || ta.dtype() == DType::Complex128) {
        row.note = "complex values: real parts compared";
    }
    return true;
}

bool isTrainingChange(const ConfigChange& c) {
    return c.path.rfind("training_config", 0) == 0;
}

std::string weightsOnlyNote(std::size_t tensors, bool training) {
    return "model weights only: " + std::to_string(tensors) +
           " optimizer and training-state tensor" + (tensors == 1 ? "" : "s") +
           (training ? " and the training config" : "") + " left out";
}

double ratio(double num, double den) {
    if (den > 0.0) {
        return num / den;
    }
    return num > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
}

}  // namespace

std::string checkpointRootClass(const Checkpoint& c) {
    const std::string& type = c.root().typeName();
    if (!type.empty()) {
        const bool container = std::find(std::begin(kContainers), std::end(kContainers), type) !=
                               std::end(kContainers);
        return container ? std::string() : type;
    }
    const Json& config = c.config();
    if (config.is_object()) {
        const auto it = config.find("class_name");
        if (it != config.end() && it->is_string()) {
            return it->get<std::string>();
        }
    }
    return {};
}

bool rootClassesDiffer(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty() || a == b) {
        return false;
    }
    const bool bothQualified = a.find('.') != std::string::npos && b.find('.') != std::string::npos;
    if (bothQualified) {
        return true;
    }
    const auto norm = [](std::string_view n) {
        n = lastPart(n);
        return n == "Model" ? std::string_view("Functional") : n;
    };
    return norm(a) != norm(b);
}

DiffReport diffCheckpoints(const Checkpoint& a, const Checkpoint& b, const DiffOptions& options,
                           const ProgressFn& progress) {
    DiffReport r;
    r.aFile = a.filePath();
    r.bFile = b.filePath();
    r.aFormat = a.format();
    r.bFormat = b.format();
    r.aClass = checkpointRootClass(a);
    r.bClass = checkpointRootClass(b);
    r.tolerance = options.tolerance;
    r.config = diffConfigs(a, b);
    r.summary.classMismatch = rootClassesDiffer(r.aClass, r.bClass);
    addNotes(a, b, r);

    auto pairs = pairTensors(a, b, options.renames);
    if (options.weightsOnly) {
        const auto before = pairs.size();
        std::erase_if(pairs, [](const TensorPair& p) { return p.trainingState; });
        const bool training = r.config.trainingCompared;
        r.config.trainingCompared = false;
        std::erase_if(r.config.changes, isTrainingChange);
        r.notes.push_back(weightsOnlyNote(before - pairs.size(), training));
    }
    std::vector<ComparePair> jobs;
    std::vector<std::size_t> rowOfJob;
    r.tensors.reserve(pairs.size());
    for (const auto& p : pairs) {
        TensorDiff row;
        if (classify(p, row)) {
            jobs.push_back(
                {p.a->tensor().get(), p.b->tensor().get(), r.aFile, row.aPath, r.bFile, row.bPath});
            rowOfJob.push_back(r.tensors.size());
        }
        r.tensors.push_back(std::move(row));
    }
    CompareOptions co;
    co.tolerance = options.tolerance;
    co.chunkElements = options.chunkElements;
    co.threads = options.threads;
    auto metrics = compareTensorPairs(jobs, co, progress);
    for (std::size_t k = 0; k < metrics.size(); ++k) {
        TensorDiff& row = r.tensors[rowOfJob[k]];
        if (row.status == TensorDiffStatus::Equal && metrics[k].mismatched > 0) {
            row.status = TensorDiffStatus::Changed;
        }
        row.metrics = std::move(metrics[k]);
    }
    summarizeDiff(r);
    return r;
}

void keepModelWeightsOnly(DiffReport& report) {
    const auto before = report.tensors.size();
    std::erase_if(report.tensors, [](const TensorDiff& t) { return t.trainingState; });
    const bool training = report.config.trainingCompared;
    report.config.trainingCompared = false;
    std::erase_if(report.config.changes, isTrainingChange);
    report.notes.push_back(weightsOnlyNote(before - report.tensors.size(), training));
    summarizeDiff(report);
}

void summarizeDiff(DiffReport& report) {
    DiffSummary s;
    std::vector<LayerDiffSummary> layers;
    std::map<std::string, std::size_t> layerIndex;
    std::vector<std::pair<double, double>> layerSums;  // sum ||a-b||^2, sum ||a||^2
    for (const auto& t : report.tensors) {
        ++s.tensors;
        s.pairedByPosition += t.pairedBy == PairedBy::Position ? 1 : 0;
        s.pairedByShape += t.pairedBy == PairedBy::Shape ? 1 : 0;
        switch (t.status) {
            case TensorDiffStatus::Equal:
                ++s.equal;
                break;
            case TensorDiffStatus::Changed:
                ++s.changed;
                break;
            case TensorDiffStatus::ShapeChanged:
                ++s.shapeChanged;
                break;
            case TensorDiffStatus::DtypeChanged:
                ++s.dtypeChanged;
                break;
            case TensorDiffStatus::Added:
                ++s.added;
                break;
            case TensorDiffStatus::Removed:
                ++s.removed;
                break;
        }
        const auto [it, fresh] = layerIndex.try_emplace(t.layer, layers.size());
        if (fresh) {
            layers.push_back({t.layer});
            layerSums.emplace_back(0.0, 0.0);
        }
        LayerDiffSummary& l = layers[it->second];
        ++l.tensors;
        l.different += t.status != TensorDiffStatus::Equal ? 1 : 0;
        if (!t.metrics) {
            continue;
        }
        const TensorMetrics& m = *t.metrics;
        s.identical += m.identical ? 1 : 0;
        s.numelCompared += m.numel;
        s.mismatched += m.mismatched;
        l.numel += m.numel;
        l.mismatched += m.mismatched;
        layerSums[it->second].first += m.sumSqDiff;
        layerSums[it->second].second += m.sumSqA;
        if (!std::isnan(m.maxAbsDiff)) {
            l.maxAbsDiff = std::max(l.maxAbsDiff, m.maxAbsDiff);
            if (std::isnan(s.maxAbsDiff) || m.maxAbsDiff > s.maxAbsDiff) {
                s.maxAbsDiff = m.maxAbsDiff;
                s.maxAbsDiffKey = t.key;
            }
        }
        if (!std::isnan(m.relL2) && (std::isnan(s.maxRelL2) || m.relL2 > s.maxRelL2)) {
            s.maxRelL2 = m.relL2;
            s.maxRelL2Key = t.key;
        }
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (layers[i].numel > 0) {
            layers[i].relL2 = std::sqrt(ratio(layerSums[i].first, layerSums[i].second));
        }
    }
    s.configChanges = report.config.changes.size();
    s.classMismatch = rootClassesDiffer(report.aClass, report.bClass);
    s.different = s.equal != s.tensors || s.configChanges > 0 || s.classMismatch;
    report.summary = s;
    report.layers = std::move(layers);
}

}  // namespace ckpt::core
