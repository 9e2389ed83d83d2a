#include "core/export/export_plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/export/bundle_export.h"
#include "core/export/keras_plan.h"
#include "core/export/safetensors_export.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

namespace ckpt::core {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool hasKerasArchive(const Node& node) {
    if (node.kind() == NodeKind::Archive && node.typeName().rfind("keras", 0) == 0) {
        return true;
    }
    if (node.lazy()) {
        return false;  // plain groups and values only
    }
    return std::any_of(node.children().begin(), node.children().end(),
                       [](const auto& child) { return hasKerasArchive(*child); });
}

/// "<root>.lock" -> "lock", "<root>['model'].q" -> "model/q", "<root>[0]" -> "0".
std::string nodePathOfMember(const std::string& member) {
    std::string s = member;
    if (s.rfind("<root>", 0) == 0) {
        s = s.substr(6);
    }
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.' || c == '[') {
            if (!out.empty()) {
                out += '/';
            }
        } else if (c == ']' || c == '\'' || c == '"') {
            continue;
        } else {
            out += c;
        }
    }
    return out;
}

/// The type of the member a finding is about: the tree's type name when the member is in the
/// tree, else the type the message names ("... is a _thread.lock: ..."), else the symbol.
std::string memberType(const Checkpoint& c, const Finding& f) {
    if (const Node* node = c.root().find(nodePathOfMember(f.path));
        node != nullptr && !node->typeName().empty() && node != &c.root()) {
        return node->typeName();
    }
    const std::string key = " is a ";
    if (const auto at = f.message.find(key); at != std::string::npos) {
        const auto start = at + key.size();
        const auto end = f.message.find_first_of(": ,", start);
        return f.message.substr(start, end == std::string::npos ? end : end - start);
    }
    return f.symbol;
}

/// Portability members a cleaned pickle can take out: code rebuilt by dill/cloudpickle
/// (CKPT-P001) and objects of __main__ (CKPT-P002). Modules to import (P003) and Keras notes
/// are about the whole file, not one member.
bool isRemovablePortability(const Finding& f) {
    return f.category == FindingCategory::Portability &&
           (f.rule == "CKPT-P001" || f.rule == "CKPT-P002");
}

/// True when member path `inner` lies inside `outer` ("<root>.cond._lock" in "<root>.cond").
bool isInside(const std::string& inner, const std::string& outer) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
           (inner[outer.size()] == '.' || inner[outer.size()] == '[' || inner[outer.size()] == '(');
}

void collectObjects(const Node& node, std::vector<const Node*>& objects, std::uint64_t& values) {
    if (node.lazy()) {
        values += node.subtreeSize() - 1;  // plain groups and values only, counted unmade
        return;
    }
    for (const auto& child : node.children()) {
        if (child->kind() == NodeKind::Object) {
            objects.push_back(child.get());
        } else if (child->kind() == NodeKind::Value) {
            ++values;
        }
        collectObjects(*child, objects, values);
    }
}

std::uint64_t tensorsBelow(const Node& node) {
    std::uint64_t n = node.kind() == NodeKind::Tensor ? 1 : 0;
    if (node.lazy()) {
        return n;  // plain groups and values only
    }
    for (const auto& child : node.children()) {
        n += tensorsBelow(*child);
    }
    return n;
}

class PreviewBuilder {
public:
    PreviewBuilder(ExportPreview& p, std::size_t max) : m_p(p), m_max(max) {}
    void remove(std::string path, std::string type, std::string reason) {
        if (!m_seen.insert(path).second) {
            return;
        }
        if (m_p.removed.size() >= m_max) {
            ++m_p.removedOmitted;
            return;
        }
        m_p.removed.push_back({std::move(path), std::move(type), std::move(reason)});
    }
    void write(const Tensor* t) {
        if (t != nullptr) {
            ++m_p.tensors;
            m_p.tensorBytes += t->nbytes();
        }
    }

private:
    ExportPreview& m_p;
    std::size_t m_max;
    std::set<std::string> m_seen;
};

void previewSafetensors(const Checkpoint& c, const ExportOptions& options, ExportPreview& p,
                        PreviewBuilder& b) {
    std::uint64_t filtered = 0;
    DecodedEncodings decoded;
    for (const Node* node : c.tensorNodes()) {
        const Tensor& t = *node->tensor();
        if (!tensorGlobMatches(options.tensorGlob, node->path())) {
            ++filtered;
            continue;
        }
        if (!options.includeOptimizer && isOptimizerStatePath(node->path())) {
            b.remove(node->path(), t.shapeText(), "optimizer state (Drop optimizer state)");
            continue;
        }
        if (!safetensorsDtype(t.dtype()) || !t.readable()) {
            const std::string type =
                t.dtypeDetail().empty() ? std::string(dtypeName(t.dtype())) : t.dtypeDetail();
            b.remove(node->path(), type,
                     t.encoding().name.empty() ? "no safetensors dtype (numeric data only)"
                                               : "elements not read, so not written");
            continue;
        }
        b.write(&t);
        decoded.add(t);
    }
    if (filtered > 0) {
        p.notes.push_back(std::to_string(filtered) + " tensors do not match the filter \"" +
                          options.tensorGlob + "\" and are left out");
    }
    if (const std::string note = decoded.note(); !note.empty()) {
        p.notes.push_back(note);
    }
}

void previewKeras(const Checkpoint& c, ExportFormat format, const ExportOptions& options,
                  ExportPreview& p, PreviewBuilder& b) {
    KerasPlan plan;
    try {
        plan = makeKerasPlan(c);
    } catch (const Error& e) {
        p.notes.push_back(e.what());
        return;
    }
    DecodedEncodings decoded;  // 8-bit floats: HDF5 has no such type, written as float32
    const auto write = [&](const Tensor* t) {
        const auto view = t != nullptr ? decodedFloat8View(*t) : nullptr;
        b.write(view ? view.get() : t);
        if (view) {
            decoded.add(*view);
        }
    };
    for (const auto& layer : plan.layers) {
        for (const auto& w : layer.weights) {
            write(w.tensor);
        }
    }
    const bool optimizerFits = format != ExportFormat::KerasH5 || !plan.config.is_null();
    for (const auto& w : plan.optimizer) {
        if (options.includeOptimizer && optimizerFits) {
            write(w.tensor);
        } else {
            b.remove(w.sourcePath, w.tensor != nullptr ? w.tensor->shapeText() : "",
                     options.includeOptimizer ? "optimizer state needs a model config"
                                              : "optimizer state (Drop optimizer state)");
        }
    }
    if (!options.includeOptimizer && !c.trainingConfig().is_null()) {
        b.remove("training_config", "JSON", "optimizer and loss settings (Drop optimizer state)");
    }
    for (const auto& u : plan.uncovered) {
        const auto colon = u.find(": ");
        b.remove(u.substr(0, colon), "",
                 colon == std::string::npos ? "not carried" : u.substr(colon + 2));
    }
    if (const std::string note = decoded.note(); !note.empty()) {
        p.notes.push_back(note);
    }
    if (format == ExportFormat::Keras && plan.config.is_null()) {
        p.notes.push_back("A .keras archive needs a model config; this source is weights-only");
    }
    if (format == ExportFormat::Keras && plan.legacyConfig) {
        p.notes.push_back(
            "config.json gets the legacy (Keras 1/2) model config as it is (not converted)");
    }
}

/// The Keras preview of the model the Keras exporters read for `c` (itself, or the model inside
/// a pickle or bundle).
void previewKerasModel(const Checkpoint& c, ExportFormat format, const ExportOptions& options,
                       ExportPreview& p, PreviewBuilder& b) {
    std::string why;
    const auto model = kerasExportSource(c, &why);
    if (!model) {
        p.notes.push_back(why.empty() ? "No Keras model to export" : why);
        return;
    }
    if (model.get() != &c) {
        p.notes.push_back("The Keras model inside the " + c.format() + " is written");
    }
    previewKeras(*model, format, options, p, b);
}

/// Python objects and plain values have no place in tensor-only formats.
void previewObjectsLost(const Checkpoint& c, ExportFormat format, ExportPreview& p,
                        PreviewBuilder& b) {
    if (c.pickleStreams().empty()) {
        return;
    }
    std::vector<const Node*> objects;
    std::uint64_t values = 0;
    collectObjects(c.root(), objects, values);
    const std::string what = format == ExportFormat::Safetensors ? "safetensors" : "the target";
    for (const Node* node : objects) {
        const std::uint64_t kept = tensorsBelow(*node);
        b.remove(node->path(), node->typeName(),
                 "Python object: " + what + " stores no objects" +
                     (kept > 0 ? " (its " + std::to_string(kept) + " tensors are written)" : ""));
    }
    if (values > 0) {
        p.notes.push_back(std::to_string(values) +
                          " plain values (numbers, strings) of the pickle are not carried");
    }
}

}  // namespace

const std::vector<ExportFormat>& allExportFormats() {
    static const std::vector<ExportFormat> formats{ExportFormat::Safetensors, ExportFormat::KerasH5,
                                                   ExportFormat::WeightsH5,   ExportFormat::Keras,
                                                   ExportFormat::Pickle,      ExportFormat::Bundle};
    return formats;
}

bool isKerasSource(const Checkpoint& c) {
    static const std::set<std::string> keras{"keras-h5", "keras-h5-weights", "keras3-weights-h5",
                                             "keras-archive"};
    return keras.count(c.format()) > 0;
}

bool hasKerasModel(const Checkpoint& c) {
    return isKerasSource(c) || c.format() == "bundle" || !c.config().is_null() ||
           hasKerasArchive(c.root());
}

std::shared_ptr<const Checkpoint> kerasExportSource(const Checkpoint& c, std::string* why) {
    if (isKerasSource(c)) {
        // Not owned: the caller keeps `c` alive while it uses the result.
        return {std::shared_ptr<const Checkpoint>{}, &c};
    }
    if (!hasKerasModel(c)) {
        return nullptr;
    }
    try {
        return kerasModelInside(c);
    } catch (const Error& e) {
        if (why != nullptr) {
            *why = e.what();
        }
        return nullptr;
    }
}

FormatFit exportFormatFit(const Checkpoint& c, ExportFormat format) {
    FormatFit fit{format, true, {}};
    const auto kerasFit = [&](bool needsConfig) {
        std::string why;
        const auto model = kerasExportSource(c, &why);
        if (!model) {
            fit = {format, false,
                   why.empty() ? "Keras formats need a Keras model (a Keras .h5, .weights.h5 or "
                                 ".keras file, a pickled Keras model or KerasClassifier, a split "
                                 "bundle); this is " +
                                     c.format() + ": export it to safetensors instead"
                               : "No Keras model to export: " + why};
        } else if (needsConfig && model->config().is_null()) {
            fit = {format, false,
                   format == ExportFormat::Keras
                       ? "A .keras archive needs a model config and this file is weights-only: "
                         "export it to .weights.h5 instead"
                       : "A bundle needs the model config (model.json) and this Keras model has "
                         "none"};
        }
    };
    switch (format) {
        case ExportFormat::Safetensors:
            if (c.tensorNodes().empty()) {
                fit = {format, false, "The checkpoint holds no tensors to write"};
            }
            break;
        case ExportFormat::KerasH5:
        case ExportFormat::WeightsH5:
            kerasFit(false);
            break;
        case ExportFormat::Keras:
            kerasFit(true);
            break;
        case ExportFormat::Pickle:
            if (c.pickleStreams().empty()) {
                fit = {format, false,
                       "A cleaned pickle is written from a pickle source (pickle, joblib, dill, "
                       "PyTorch); this is " +
                           c.format()};
            }
            break;
        case ExportFormat::Bundle: {
            static const std::set<std::string> bundleSources{"keras-h5", "keras-archive", "pickle",
                                                             "joblib", "bundle"};
            if (!hasKerasModel(c) || bundleSources.count(c.format()) == 0) {
                fit = {format, false,
                       "A bundle holds a Keras model's config and weights, written from a pickled "
                       "KerasClassifier/KerasRegressor, a pickled Keras model, a split bundle or "
                       "a Keras .h5/.keras file; this checkpoint has no such model"};
            } else {
                kerasFit(true);
            }
            break;
        }
    }
    return fit;
}

std::vector<FormatFit> exportFormatFits(const Checkpoint& c) {
    std::vector<FormatFit> fits;
    for (ExportFormat f : allExportFormats()) {
        fits.push_back(exportFormatFit(c, f));
    }
    return fits;
}

std::string exportFormatTitle(ExportFormat format) {
    switch (format) {
        case ExportFormat::Safetensors:
            return "safetensors (.safetensors)";
        case ExportFormat::KerasH5:
            return "Keras legacy HDF5 (.h5)";
        case ExportFormat::WeightsH5:
            return "Keras 3 weights (.weights.h5)";
        case ExportFormat::Keras:
            return "Keras 3 archive (.keras)";
        case ExportFormat::Pickle:
            return "Cleaned pickle (same format)";
        case ExportFormat::Bundle:
            return "Split bundle (folder)";
    }
    return "?";
}

std::string exportFormatExplanation(ExportFormat format) {
    switch (format) {
        case ExportFormat::Safetensors:
            return "Numeric tensors only, by path; no code, objects or config. Loads anywhere "
                   "safely.";
        case ExportFormat::KerasH5:
            return "model_config, weights by layer and the optimizer state, as Keras 2 saves "
                   "them.";
        case ExportFormat::WeightsH5:
            return "The weights in the Keras 3 layout (layers/<name>/vars), without a config.";
        case ExportFormat::Keras:
            return "A Keras 3 zip: metadata.json, config.json and model.weights.h5.";
        case ExportFormat::Pickle:
            return "The same pickle with the members plain pickle cannot load taken out "
                   "(locks, queues, files); everything else stays as it is.";
        case ExportFormat::Bundle:
            return "A folder with the model config JSON, the weights HDF5 and the params JSON.";
    }
    return {};
}

std::string checkpointStem(const fs::path& file) {
    const std::string name = file.filename().string();
    // The readers' endings, longest first: "model.weights.h5" loses ".weights.h5".
    if (const std::string ext = checkpointExtension(file); !ext.empty()) {
        return name.substr(0, name.size() - ext.size());
    }
    return file.stem().string();
}

std::string exportExtension(const Checkpoint& c, ExportFormat format) {
    const std::vector<std::string> endings = exportExtensions(format);
    if (endings.empty()) {
        return "";  // a bundle is a folder
    }
    if (format == ExportFormat::Pickle) {
        // A cleaned pickle keeps the input's own ending (.pt stays .pt).
        const std::string name = fs::path(c.filePath()).filename().string();
        const std::string low = lower(name);
        for (const std::string& ext : endings) {
            if (endsWith(low, ext)) {
                return name.substr(name.size() - ext.size());
            }
        }
    }
    return endings.front();
}

namespace {

/// `folder`/`stem` with the format's extension; a name that would be the input gets
/// ".cleaned" (pickle) or ".export" before its extension.
fs::path outputNamed(const Checkpoint& c, const fs::path& folder, const std::string& stem,
                     ExportFormat format) {
    const std::string ext = exportExtension(c, format);
    fs::path out = folder / (stem + ext);
    const fs::path input(c.filePath());
    if (!input.empty() && out.lexically_normal() == input.lexically_normal()) {
        out = folder / (stem + (format == ExportFormat::Pickle ? ".cleaned" : ".export") + ext);
    }
    return out;
}

}  // namespace

fs::path withExportExtension(const Checkpoint& c, const fs::path& out, ExportFormat format) {
    return outputNamed(c, out.parent_path(), checkpointStem(out), format);
}

bool isWritableFolder(const fs::path& dir) {
    struct stat st {};
    if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return false;
    }
    // A folder marked read-only is not proposed, even to root (who could write there anyway);
    // access() also says no for a read-only mount.
    return (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0 && ::access(dir.c_str(), W_OK) == 0;
}

fs::path suggestedExportPath(const Checkpoint& c, ExportFormat format, const fs::path& dir) {
    const fs::path input(c.filePath());
    // Beside the input when that folder can be written; else `dir` (the user's home); else
    // the temporary folder. In-memory and bundled samples have no folder on disk.
    fs::path folder;
    if (input.has_parent_path() && isWritableFolder(input.parent_path())) {
        folder = input.parent_path();
    } else if (dir.empty() || isWritableFolder(dir)) {
        folder = dir;
    } else {
        std::error_code ec;
        folder = fs::temp_directory_path(ec);
    }
    std::string stem = checkpointStem(input);
    if (stem.empty()) {
        stem = "checkpoint";
    }
    if (format == ExportFormat::Pickle) {
        stem += ".cleaned";
    } else if (format == ExportFormat::Bundle) {
        stem += "_bundle";
    }
    return outputNamed(c, folder, stem, format);
}

GlobCount countGlobMatches(const Checkpoint& c, const std::string& glob) {
    GlobCount count;
    for (const Node* node : c.tensorNodes()) {
        ++count.total;
        if (tensorGlobMatches(glob, node->path())) {
            ++count.matching;
        }
    }
    return count;
}

ExportPreview makeExportPreview(const Checkpoint& c, const std::vector<Finding>& findings,
                                ExportFormat format, const ExportOptions& options,
                                const fs::path& out, std::size_t maxItems) {
    ExportPreview p;
    PreviewBuilder b(p, maxItems);
    const std::string name = out.filename().string();
    switch (format) {
        case ExportFormat::Safetensors:
            previewSafetensors(c, options, p, b);
            previewObjectsLost(c, format, p, b);
            if (!c.config().is_null()) {
                p.notes.push_back("The model config is not carried: safetensors holds tensors");
            }
            p.outputs.push_back(name);
            break;
        case ExportFormat::KerasH5:
        case ExportFormat::WeightsH5:
        case ExportFormat::Keras:
            previewKerasModel(c, format, options, p, b);
            p.outputs.push_back(name);
            break;
        case ExportFormat::Pickle: {
            std::size_t security = 0;
            std::vector<const Finding*> taken;
            for (const Finding& f : findings) {
                security += f.category == FindingCategory::Security ? 1 : 0;
                const bool take = f.category == FindingCategory::Unserializable ||
                                  (options.dropPortability && isRemovablePortability(f));
                if (take && !f.path.empty() && f.path != "<root>") {
                    taken.push_back(&f);
                }
            }
            std::size_t nested = 0;
            for (const Finding* f : taken) {
                // A member inside another removed member goes with it: list the outer one.
                if (std::any_of(taken.begin(), taken.end(),
                                [f](const Finding* o) { return isInside(f->path, o->path); })) {
                    ++nested;
                    continue;
                }
                b.remove(f->path, memberType(c, *f),
                         options.replaceWithNone ? "replaced with None" : "removed");
            }
            if (nested > 0) {
                p.notes.push_back(std::to_string(nested) +
                                  " flagged members inside those go with them");
            }
            for (const Node* node : c.tensorNodes()) {
                b.write(node->tensor().get());
            }
            if (security > 0) {
                p.notes.push_back(std::to_string(security) +
                                  " security findings are not about members cleaning takes out: "
                                  "read the Findings tab before loading the result");
            }
            p.outputs.push_back(name);
            break;
        }
        case ExportFormat::Bundle:
            // The bundle's weights file is a Keras 3 .weights.h5 of the model.
            previewKerasModel(c, ExportFormat::WeightsH5, options, p, b);
            p.outputs.push_back(name + "/ (model config JSON, weights HDF5, params JSON)");
            break;
    }
    return p;
}

}  // namespace ckpt::core
