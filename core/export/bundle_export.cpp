#include "core/export/bundle_export.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <system_error>

#include "core/export/atomic_file.h"
#include "core/export/keras_export.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pickle/value_printer.h"
#include "core/pyobj/graph_scanner.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

namespace fs = std::filesystem;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

constexpr int kMaxDepth = 32;
constexpr std::uint64_t kMaxArrayElements = 4096;

template <typename T>
Json readAs(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

/// A small numeric array as nested JSON lists; null when it is too big or not numeric.
Json arrayJson(const Tensor& t) {
    if (!t.readable() || t.numel() > kMaxArrayElements) {
        return nullptr;
    }
    std::string bytes;
    streamTensorBytes(t, 1 << 16, [&](const std::byte* p, std::size_t n) {
        bytes.append(reinterpret_cast<const char*>(p), n);
    });
    const auto* b = reinterpret_cast<const std::byte*>(bytes.data());
    const std::size_t size = dtypeSize(t.dtype());
    std::vector<Json> flat;
    for (std::size_t i = 0; i < t.numel(); ++i) {
        const std::byte* p = b + i * size;
        switch (t.dtype()) {
            case DType::Bool:
                flat.emplace_back(*p != std::byte{0});
                break;
            case DType::Int8:
                flat.push_back(readAs<std::int8_t>(p));
                break;
            case DType::UInt8:
                flat.push_back(readAs<std::uint8_t>(p));
                break;
            case DType::Int16:
                flat.push_back(readAs<std::int16_t>(p));
                break;
            case DType::UInt16:
                flat.push_back(readAs<std::uint16_t>(p));
                break;
            case DType::Int32:
                flat.push_back(readAs<std::int32_t>(p));
                break;
            case DType::UInt32:
                flat.push_back(readAs<std::uint32_t>(p));
                break;
            case DType::Int64:
                flat.push_back(readAs<std::int64_t>(p));
                break;
            case DType::UInt64:
                flat.push_back(readAs<std::uint64_t>(p));
                break;
            case DType::Float32:
                flat.push_back(readAs<float>(p));
                break;
            case DType::Float64:
                flat.push_back(readAs<double>(p));
                break;
            default:
                return nullptr;
        }
        if (flat.back().is_number_float() && !std::isfinite(flat.back().get<double>())) {
            return nullptr;
        }
    }
    // Nest by the shape, innermost dimension first.
    const auto& shape = t.shape();
    for (std::size_t d = shape.size(); d > 1; --d) {
        const std::size_t n = shape[d - 1];
        std::vector<Json> outer;
        for (std::size_t i = 0; i < flat.size(); i += n) {
            outer.emplace_back(Json(std::vector<Json>(flat.begin() + static_cast<long>(i),
                                                      flat.begin() + static_cast<long>(i + n))));
        }
        flat = std::move(outer);
    }
    if (shape.empty()) {
        return flat.empty() ? Json(nullptr) : flat.front();
    }
    return Json(flat);
}

/// A value as plain JSON; anything else becomes its repr text, with a note.
Json toJson(const ValueGraph& g, const pyobj::Recognitions& rec, ValueId id, int depth,
            const std::string& path, std::vector<std::string>& notes) {
    const auto asRepr = [&](const std::string& why) {
        pickle::PrintOptions po;
        const std::string text = pickle::ValuePrinter(g, po).print(id);
        notes.push_back(path + ": " + why + ", stored as its repr");
        return Json(text);
    };
    if (!g.contains(id)) {
        return nullptr;
    }
    if (const auto t = rec.tensors.find(id); t != rec.tensors.end() && t->second.tensor) {
        Json a = arrayJson(*t->second.tensor);
        if (!a.is_null() || t->second.tensor->numel() == 0) {
            notes.push_back(path + ": a " + t->second.typeName + " of shape " +
                            t->second.tensor->shapeText() + ", stored as a JSON list");
            return a.is_null() ? Json::array() : a;
        }
    }
    const auto& v = g[id];
    switch (v.kind) {
        case ValueKind::None:
            return nullptr;
        case ValueKind::Bool:
            return v.integer != 0;
        case ValueKind::Int:
            return v.integer;
        case ValueKind::Float:
            if (std::isfinite(v.real)) {
                return v.real;
            }
            return asRepr("not a finite number");
        case ValueKind::Str:
            return std::string(g.text(id));
        case ValueKind::List:
        case ValueKind::Tuple: {
            if (depth >= kMaxDepth) {
                return asRepr("nested too deep");
            }
            Json a = Json::array();
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                a.push_back(
                    toJson(g, rec, v.items[i], depth + 1, path + "/" + std::to_string(i), notes));
            }
            return a;
        }
        case ValueKind::Dict: {
            if (depth >= kMaxDepth) {
                return asRepr("nested too deep");
            }
            Json o = Json::object();
            for (const auto& [k, val] : v.entries) {
                const auto key = pickle::asStr(g, k);
                if (!key) {
                    return asRepr("a dict with keys that are not strings");
                }
                o[std::string(*key)] =
                    toJson(g, rec, val, depth + 1, path + "/" + std::string(*key), notes);
            }
            return o;
        }
        default:
            return asRepr("not a plain JSON value (" + std::string(pickle::valueKindName(v.kind)) +
                          ")");
    }
}

/// The attribute dict of an object (its last dict BUILD state), or kNoValue.
ValueId stateDict(const ValueGraph& g, ValueId id) {
    if (!g.contains(id)) {
        return pickle::kNoValue;
    }
    const auto& v = g[id];
    for (auto it = v.states.rbegin(); it != v.states.rend(); ++it) {
        if (g.contains(*it) && g[*it].kind == ValueKind::Dict) {
            return *it;
        }
        if (g.contains(*it) && g[*it].kind == ValueKind::Tuple && !g[*it].items.empty() &&
            g.contains(g[*it].items[0]) && g[g[*it].items[0]].kind == ValueKind::Dict) {
            return g[*it].items[0];
        }
    }
    if (v.kind == ValueKind::Dict) {
        return id;
    }
    return pickle::kNoValue;
}

struct Source {
    const Checkpoint* model = nullptr;   ///< what exportKeras gets
    std::shared_ptr<Checkpoint> nested;  ///< keeps a pickled model's archive alive
    bool hasParams = false;
    Json params = Json::object();
    std::vector<std::string> notes;
};

Source fromPickle(const Checkpoint& c) {
    Source s;
    for (const auto& stream : c.pickleStreams()) {
        if (!stream.graph || stream.roots.empty()) {
            continue;
        }
        const ValueGraph& g = *stream.graph;
        pyobj::Recognitions rec;
        pyobj::ScanOptions so;
        so.openNested = nestedOpener({});
        pyobj::scanGraph(g, rec, so);
        ValueId archiveId = pickle::kNoValue;
        bool sawTar = false;
        for (const auto& [id, a] : rec.archives) {
            if (a.checkpoint && a.checkpoint->format() == "keras-archive" &&
                (archiveId == pickle::kNoValue || id < archiveId)) {
                archiveId = id;
            }
            sawTar = sawTar || a.format == "tar";
        }
        if (archiveId == pickle::kNoValue) {
            if (sawTar) {
                throw UnsupportedError(
                    "the Keras model in this pickle is a TensorFlow SavedModel (tar): its "
                    "weights cannot be converted without TensorFlow; export with safetensors "
                    "is not possible either");
            }
            continue;
        }
        s.nested = rec.archives.at(archiveId).checkpoint;
        s.model = s.nested.get();
        const ValueId root = stream.roots.front();
        const ValueId state = stateDict(g, root);
        if (state == pickle::kNoValue) {
            return s;  // a pickled Keras model: no params
        }
        s.hasParams = true;
        for (const auto& [k, v] : g[state].entries) {
            const auto key = pickle::asStr(g, k);
            const std::string name = key ? std::string(*key) : pickle::ValuePrinter(g).print(k);
            const auto reach = g.reachable(v);
            if (std::find(reach.begin(), reach.end(), archiveId) != reach.end()) {
                s.notes.push_back(name +
                                  ": the Keras model, written as model.json and "
                                  "model.weights.h5");
                continue;
            }
            s.params[name] = toJson(g, rec, v, 0, name, s.notes);
        }
        return s;
    }
    throw UnsupportedError(
        "no pickled Keras model (KerasClassifier, KerasRegressor or a Keras "
        "model with its .keras archive) found in " +
        c.formatDescription());
}

/// A split bundle (model JSON + weights pickle) seen as a Keras weights file, for exportKeras:
/// every layer's weights under w/<layer>/<i> (the tensors are shared, nothing is copied).
std::shared_ptr<Checkpoint> kerasViewOfBundle(const Checkpoint& c) {
    auto k = std::make_shared<Checkpoint>("keras3-weights-h5", "weights of a split bundle");
    k->config() = c.config();
    k->metadata() = c.metadata();
    k->root().addChild(NodeKind::Group, "vars");  // the vars layout, with no layer groups
    Node& w = k->root().addChild(NodeKind::Group, "w");
    std::vector<Layer> layers;
    for (const auto& l : c.layers()) {
        Layer nl = l;
        nl.weightPaths.clear();
        Node* group = nullptr;
        for (std::size_t i = 0; i < l.weightPaths.size(); ++i) {
            const Node* t = c.findTensor(l.weightPaths[i]);
            if (t == nullptr || !t->tensor()) {
                continue;
            }
            if (group == nullptr) {
                group = &w.addChild(NodeKind::Group, l.name);
            }
            Node& tn = group->addChild(NodeKind::Tensor, std::to_string(i));
            tn.setTensor(t->tensor());
            nl.weightPaths.push_back(tn.path());
        }
        layers.push_back(std::move(nl));
    }
    k->layers() = std::move(layers);
    return k;
}

Source fromBundle(const Checkpoint& c) {
    Source s;
    s.nested = kerasViewOfBundle(c);
    s.model = s.nested.get();
    for (const auto& stream : c.pickleStreams()) {
        if (!stream.graph || stream.roots.empty() ||
            stream.member.find("param") == std::string::npos) {
            continue;
        }
        const ValueGraph& g = *stream.graph;
        pyobj::Recognitions rec;
        pyobj::ScanOptions so;
        so.openArchives = false;
        pyobj::scanGraph(g, rec, so);
        const ValueId root = stateDict(g, stream.roots.front());
        if (root == pickle::kNoValue) {
            continue;
        }
        s.hasParams = true;
        for (const auto& [k, v] : g[root].entries) {
            const auto key = pickle::asStr(g, k);
            const std::string name = key ? std::string(*key) : pickle::ValuePrinter(g).print(k);
            s.params[name] = toJson(g, rec, v, 0, name, s.notes);
        }
        break;
    }
    return s;
}

void writeText(const fs::path& path, const std::string& text) {
    AtomicFile f(path);
    f.write(text.data(), text.size());
    f.commit();
}

/// Removes a folder on destruction unless released.
class FolderGuard {
public:
    explicit FolderGuard(fs::path p) : m_path(std::move(p)) {}
    ~FolderGuard() {
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove_all(m_path, ec);
        }
    }
    FolderGuard(const FolderGuard&) = delete;
    FolderGuard& operator=(const FolderGuard&) = delete;
    void release() { m_path.clear(); }

private:
    fs::path m_path;
};

}  // namespace

ExportReport exportBundle(const Checkpoint& checkpoint, const fs::path& out,
                          const ExportOptions& options) {
    static const std::set<std::string> kKeras{"keras-h5", "keras-archive"};
    Source src;
    if (kKeras.count(checkpoint.format()) != 0) {
        src.model = &checkpoint;
    } else if (checkpoint.format() == "pickle" || checkpoint.format() == "joblib") {
        src = fromPickle(checkpoint);
    } else if (checkpoint.format() == "bundle") {
        src = fromBundle(checkpoint);
    } else {
        throw UnsupportedError(
            "a bundle can be written from a pickled KerasClassifier/"
            "KerasRegressor, a pickled Keras model, or a Keras .h5/.keras "
            "file, not from " +
            checkpoint.formatDescription());
    }
    if (src.model->config().is_null()) {
        throw UnsupportedError("the Keras model has no config to write as model.json");
    }
    const fs::path target = out.has_filename() ? out : out.parent_path();
    if (fs::exists(target) && !fs::is_directory(target)) {
        throw IoError("the bundle output must be a folder, and " + target.string() + " is a file");
    }
    if (fs::exists(target)) {
        // The old folder is replaced whole: it must not hold (or be) the input.
        std::error_code e1;
        const fs::path input(checkpoint.filePath());
        if (fs::equivalent(target, input, e1) ||
            fs::equivalent(target, fs::absolute(input).parent_path(), e1)) {
            throw IoError("refusing to replace " + target.string() +
                          ": it holds the input; choose another output folder");
        }
    }
    const fs::path tmp = AtomicFile::siblingTempPath(target, ".dir");
    std::error_code ec;
    if (!fs::create_directory(tmp, ec)) {
        throw IoError("cannot create a temporary folder beside " + target.string() + ": " +
                      ec.message());
    }
    FolderGuard guard(tmp);

    Json modelJson = src.model->config();
    const bool dropCompile =
        !options.includeOptimizer && modelJson.is_object() && modelJson.contains("compile_config");
    if (dropCompile) {
        modelJson.erase("compile_config");  // the optimizer settings go with its state
    }
    writeText(tmp / "model.json", modelJson.dump());
    ExportReport weights =
        exportKeras(*src.model, ExportFormat::WeightsH5, tmp / "model.weights.h5", options);
    if (dropCompile) {
        weights.excluded.push_back("model.json compile_config: --no-optimizer");
    }
    if (src.hasParams) {
        writeText(tmp / "params.json", src.params.dump(2) + "\n");
    }

    ExportReport r = std::move(weights);
    r.format = "bundle";
    r.output = target;
    r.fileBytes = 0;
    for (const auto& e : fs::directory_iterator(tmp)) {
        r.fileBytes += e.file_size();
    }
    r.warnings.insert(r.warnings.end(), src.notes.begin(), src.notes.end());

    // Into place: a previous bundle folder is moved aside, then removed.
    fs::path old;
    if (fs::exists(target)) {
        old = AtomicFile::siblingTempPath(target, ".old");
        fs::rename(target, old, ec);
        if (ec) {
            throw IoError("cannot move the old " + target.string() + " aside: " + ec.message());
        }
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        if (!old.empty()) {
            std::error_code ignore;
            fs::rename(old, target, ignore);
        }
        throw IoError("cannot rename the bundle into " + target.string() + ": " + ec.message());
    }
    guard.release();
    if (!old.empty()) {
        fs::remove_all(old, ec);
    }
    return r;
}

std::shared_ptr<const Checkpoint> kerasModelInside(const Checkpoint& checkpoint) {
    if (checkpoint.format() == "pickle" || checkpoint.format() == "joblib") {
        return fromPickle(checkpoint).nested;
    }
    if (checkpoint.format() == "bundle") {
        return kerasViewOfBundle(checkpoint);
    }
    return nullptr;
}

}  // namespace ckpt::core
