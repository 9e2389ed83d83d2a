#include "core/formats/bundle_reader.h"

#include <algorithm>
#include <cstring>

#include "core/formats/keras_common.h"
#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"
#include "core/pyobj/object_tree.h"
#include "core/util/error.h"

namespace ckpt::core {

namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxJson = 64U << 20;

bool isModelJson(const Json& j) {
    return j.is_object() && j.contains("class_name") && j["class_name"].is_string() &&
           j.contains("config") && (j["config"].is_object() || j["config"].is_array());
}

std::optional<Json> readModelJson(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > kMaxJson) {
        return std::nullopt;
    }
    try {
        const auto src = FileSource::open(p);
        const auto v = src->view();
        Json j = Json::parse(reinterpret_cast<const char*>(v.data()),
                             reinterpret_cast<const char*>(v.data()) + v.size());
        if (j.is_string()) {  // json.dump(model.to_json()) writes the text once more
            j = Json::parse(j.get<std::string>());
        }
        return isModelJson(j) ? std::optional<Json>(std::move(j)) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<fs::path> pickleFiles(const fs::path& folder) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (!e.is_regular_file(ec)) {
            continue;
        }
        try {
            if (looksLikePickle(*FileSource::open(e.path()))) {
                out.push_back(e.path());
            }
        } catch (const std::exception&) {
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// True when a pickle's root is a non-empty list whose items are all tensors (get_weights()).
bool isWeightList(const Checkpoint& c) {
    const Node& root = c.root();
    if (root.typeName() != "list" || root.childCount() == 0) {
        return false;
    }
    return std::all_of(root.children().begin(), root.children().end(),
                       [](const auto& n) { return n->kind() == NodeKind::Tensor; });
}

std::vector<Layer> assignWeights(const std::vector<KerasLayerSpec>& specs, const Node& weights,
                                 std::vector<std::string>& warnings) {
    std::vector<Layer> layers;
    std::size_t next = 0;
    bool known = true;
    for (const auto& spec : specs) {
        Layer layer{spec.name, spec.className, 0, 0, 0, {}, spec.config};
        const auto roles = kerasWeightRoles(spec.className, spec.config);
        if (!roles) {
            known = false;
            warnings.push_back("layer " + spec.name + " (" + spec.className +
                               "): its weights are unknown to this reader; the weights after it "
                               "are not assigned");
        }
        for (std::size_t r = 0; known && roles && r < roles->size(); ++r) {
            if (next >= weights.childCount()) {
                warnings.push_back("the weights list ends before layer " + spec.name +
                                   " gets its " + (*roles)[r]);
                known = false;
                break;
            }
            Node& w = *weights.child(next++);
            w.attributes()["layer"] = spec.name;
            w.attributes()["role"] = (*roles)[r];
            layer.weightPaths.push_back(w.path());
            if ((*roles)[r] == "kernel" && spec.config.contains("units") &&
                spec.config["units"].is_number_unsigned() && !w.tensor()->shape().empty() &&
                w.tensor()->shape().back() != spec.config["units"].get<std::uint64_t>()) {
                warnings.push_back("layer " + spec.name + ": kernel " + w.path() + " has shape " +
                                   w.tensor()->shapeText() + " but the config says " +
                                   spec.config["units"].dump() + " units");
            }
            const auto n = w.tensor()->numel();
            layer.params += n;
            const bool frozen =
                !spec.trainable || (*roles)[r] == "moving_mean" || (*roles)[r] == "moving_variance";
            (frozen ? layer.nonTrainableParams : layer.trainableParams) += n;
        }
        layers.push_back(std::move(layer));
    }
    if (known && next != weights.childCount()) {
        warnings.push_back(std::to_string(weights.childCount() - next) +
                           " arrays of the weights list belong to no layer of the config");
    }
    return layers;
}

}  // namespace

std::unique_ptr<Checkpoint> openBundle(const fs::path& folder, const fs::path& configFile,
                                       const OpenOptions& options);

std::optional<std::vector<std::string>> kerasWeightRoles(const std::string& className,
                                                         const Json& config) {
    const auto flag = [&config](const char* key) {
        return !config.is_object() || !config.contains(key) || !config[key].is_boolean() ||
               config[key].get<bool>();
    };
    static const std::vector<std::string> none;
    static const char* weightless[] = {"InputLayer",
                                       "Dropout",
                                       "Flatten",
                                       "Activation",
                                       "Reshape",
                                       "MaxPooling1D",
                                       "MaxPooling2D",
                                       "MaxPooling3D",
                                       "AveragePooling1D",
                                       "AveragePooling2D",
                                       "GlobalAveragePooling1D",
                                       "GlobalAveragePooling2D",
                                       "GlobalMaxPooling1D",
                                       "GlobalMaxPooling2D",
                                       "ReLU",
                                       "LeakyReLU",
                                       "Softmax",
                                       "Concatenate",
                                       "Add",
                                       "Multiply",
                                       "Lambda",
                                       "SpatialDropout1D",
                                       "SpatialDropout2D",
                                       "GaussianNoise",
                                       "GaussianDropout",
                                       "ZeroPadding2D",
                                       "Cropping2D",
                                       "UpSampling2D",
                                       "RepeatVector",
                                       "Permute",
                                       "Masking"};
    for (const char* w : weightless) {
        if (className == w) {
            return none;
        }
    }
    if (className == "Dense" || className.starts_with("Conv") || className == "DepthwiseConv2D" ||
        className == "SeparableConv2D") {
        std::vector<std::string> roles{"kernel"};
        if (className == "SeparableConv2D") {
            roles = {"depthwise_kernel", "pointwise_kernel"};
        } else if (className == "DepthwiseConv2D") {
            roles = {"depthwise_kernel"};
        }
        if (flag("use_bias")) {
            roles.emplace_back("bias");
        }
        return roles;
    }
    if (className == "LSTM" || className == "GRU" || className == "SimpleRNN") {
        std::vector<std::string> roles{"kernel", "recurrent_kernel"};
        if (flag("use_bias")) {
            roles.emplace_back("bias");
        }
        return roles;
    }
    if (className == "Embedding") {
        return std::vector<std::string>{"embeddings"};
    }
    if (className == "BatchNormalization" || className == "LayerNormalization") {
        std::vector<std::string> roles;
        if (flag("scale")) {
            roles.emplace_back("gamma");
        }
        if (flag("center")) {
            roles.emplace_back("beta");
        }
        if (className == "BatchNormalization") {
            roles.emplace_back("moving_mean");
            roles.emplace_back("moving_variance");
        }
        return roles;
    }
    if (className == "PReLU") {
        return std::vector<std::string>{"alpha"};
    }
    return std::nullopt;
}

int BundleReader::probe(ProbeContext& context) const {
    const auto head = context.head();
    if (head.empty() || (head[0] != std::byte{'{'} && head[0] != std::byte{'"'})) {
        return probe::kNotMine;
    }
    const std::string text(reinterpret_cast<const char*>(head.data()), head.size());
    if (text.find("class_name") == std::string::npos || text.find("config") == std::string::npos) {
        return probe::kNotMine;
    }
    const fs::path file(context.displayName());
    if (!readModelJson(file)) {
        return probe::kNotMine;
    }
    return pickleFiles(file.parent_path().empty() ? fs::path(".") : file.parent_path()).empty()
               ? probe::kNotMine
               : probe::kStructure - 10;  // a model JSON with pickles beside it
}

std::unique_ptr<Checkpoint> BundleReader::open(ProbeContext& context,
                                               const OpenOptions& options) const {
    const fs::path file(context.displayName());
    return openBundle(file.parent_path().empty() ? fs::path(".") : file.parent_path(), file,
                      options);
}

bool BundleReader::holdsModelJson(const fs::path& folder) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if ((e.path().extension() == ".json" || e.path().extension() == ".txt") &&
            readModelJson(e.path())) {
            return true;
        }
    }
    return false;
}

std::unique_ptr<Checkpoint> BundleReader::openFolder(const fs::path& folder,
                                                     const OpenOptions& options) {
    return openBundle(folder, {}, options);
}

std::unique_ptr<Checkpoint> openBundle(const fs::path& folder, const fs::path& configFile,
                                       const OpenOptions& options) {
    std::optional<Json> config;
    fs::path configPath;
    std::error_code ec;
    std::vector<fs::path> jsons;
    if (!configFile.empty()) {
        jsons.push_back(configFile);
    }
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (e.path().extension() == ".json" || e.path().extension() == ".txt") {
            jsons.push_back(e.path());
        }
    }
    std::sort(jsons.begin() + (configFile.empty() ? 0 : 1), jsons.end());
    for (const auto& p : jsons) {
        if ((config = readModelJson(p))) {
            configPath = p;
            break;
        }
    }
    if (!config) {
        throw FormatError("the folder holds no Keras model JSON (model.to_json())",
                          {folder.string(), "bundle"});
    }
    auto checkpoint = std::make_unique<Checkpoint>("bundle", "Keras split bundle");
    checkpoint->config() = *config;
    addModelMetadata(*config, checkpoint->metadata());
    if (config->contains("keras_version")) {
        checkpoint->metadata()["keras_version"] = (*config)["keras_version"];
    }
    checkpoint->metadata()["config_file"] = configPath.filename().string();
    auto& cfgNode = checkpoint->root().addChild(NodeKind::Value, configPath.filename().string());
    cfgNode.setTypeName("json");
    cfgNode.setValue("model config (" + (*config)["class_name"].dump() + ")");

    Node* weights = nullptr;
    for (const auto& p : pickleFiles(folder)) {
        std::unique_ptr<Checkpoint> part;
        try {
            part = openPickleData(FileSource::open(p), "", options);
        } catch (Error& e) {
            e.fillContext({p.string(), "bundle"});
            throw;
        }
        auto& node = checkpoint->root().addChild(NodeKind::Archive, p.filename().string());
        node.setTypeName(part->format());
        node.attributes()["root_class"] = part->root().typeName();
        pyobj::copyTree(part->root(), node);
        for (PickleStream stream : part->pickleStreams()) {  // for the validator
            stream.member = p.filename().string();
            checkpoint->addPickleStream(std::move(stream));
        }
        for (const auto& w : part->warnings()) {
            checkpoint->addWarning(p.filename().string() + ": " + w);
        }
        if (weights == nullptr && isWeightList(*part)) {
            weights = &node;
            checkpoint->metadata()["weights_file"] = p.filename().string();
        }
    }
    if (weights == nullptr) {
        throw FormatError("no pickle in the folder is a list of weight arrays (get_weights())",
                          {folder.string(), "bundle"});
    }
    std::vector<std::string> warnings;
    checkpoint->layers() = assignWeights(kerasLayerSpecs(*config), *weights, warnings);
    for (auto& w : warnings) {
        checkpoint->addWarning(std::move(w));
    }
    return checkpoint;
}

}  // namespace ckpt::core
