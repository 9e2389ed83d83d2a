#include "core/validate/keras_rules.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"

namespace ckpt::core {
namespace {

const std::set<std::string>& builtinLayers() {
    static const std::set<std::string> names{
        "Activation",
        "ActivityRegularization",
        "Add",
        "AdditiveAttention",
        "AlphaDropout",
        "Attention",
        "Average",
        "AveragePooling1D",
        "AveragePooling2D",
        "AveragePooling3D",
        "BatchNormalization",
        "Bidirectional",
        "CategoryEncoding",
        "CenterCrop",
        "Concatenate",
        "Conv1D",
        "Conv1DTranspose",
        "Conv2D",
        "Conv2DTranspose",
        "Conv3D",
        "Conv3DTranspose",
        "ConvLSTM1D",
        "ConvLSTM2D",
        "ConvLSTM3D",
        "Convolution1D",
        "Convolution2D",
        "Convolution3D",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "CuDNNGRU",
        "CuDNNLSTM",
        "Dense",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "Discretization",
        "Dot",
        "Dropout",
        "ELU",
        "EinsumDense",
        "Embedding",
        "Flatten",
        "Functional",
        "GRU",
        "GRUCell",
        "GaussianDropout",
        "GaussianNoise",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling3D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
        "GroupNormalization",
        "Hashing",
        "Identity",
        "InputLayer",
        "IntegerLookup",
        "LSTM",
        "LSTMCell",
        "Lambda",
        "LayerNormalization",
        "LeakyReLU",
        "LocallyConnected1D",
        "LocallyConnected2D",
        "Masking",
        "MaxPooling1D",
        "MaxPooling2D",
        "MaxPooling3D",
        "Maximum",
        "Merge",
        "Minimum",
        "Model",
        "MultiHeadAttention",
        "Multiply",
        "Normalization",
        "PReLU",
        "Permute",
        "RNN",
        "RandomContrast",
        "RandomCrop",
        "RandomFlip",
        "RandomRotation",
        "RandomTranslation",
        "RandomZoom",
        "ReLU",
        "RepeatVector",
        "Rescaling",
        "Reshape",
        "Resizing",
        "SeparableConv1D",
        "SeparableConv2D",
        "Sequential",
        "SimpleRNN",
        "SimpleRNNCell",
        "Softmax",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "StackedRNNCells",
        "StringLookup",
        "Subtract",
        "TextVectorization",
        "ThresholdedReLU",
        "TimeDistributed",
        "UnitNormalization",
        "UpSampling1D",
        "UpSampling2D",
        "UpSampling3D",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "ZeroPadding3D",
        "MaxoutDense",
        "Highway",
        "AtrousConvolution1D",
        "AtrousConvolution2D",
        "Deconvolution2D",
        "TimeDistributedDense",
    };
    return names;
}

std::string str(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<unsigned char> base64Decode(const std::string& text) {
    std::vector<unsigned char> out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : text) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+' || c == '-') {
            v = 62;
        } else if (c == '/' || c == '_') {
            v = 63;
        } else if (c == '=' || std::isspace(static_cast<unsigned char>(c))) {
            continue;
        } else {
            return {};
        }
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

bool isIdentifier(const std::string& s) {
    if (s.empty() || s.size() > 64 || std::isdigit(static_cast<unsigned char>(s[0]))) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_' || c == '.';
    });
}

/// Where a Lambda's code sits in its config, in the Keras 2 and Keras 3 encodings.
std::optional<std::string> lambdaCode(const Json& layerConfig) {
    const auto fn = layerConfig.find("function");
    if (fn == layerConfig.end()) {
        return std::nullopt;
    }
    if (fn->is_array() && !fn->empty() && (*fn)[0].is_string() &&
        str(layerConfig, "function_type") != "function") {
        return (*fn)[0].get<std::string>();  // Keras 2: [base64, defaults, closure]
    }
    if (fn->is_object() && str(*fn, "class_name") == "__lambda__") {
        const auto cfg = fn->find("config");
        if (cfg != fn->end() && cfg->is_object()) {
            if (const auto code = str(*cfg, "code"); !code.empty()) {
                return code;
            }
            const auto value = cfg->find("value");
            if (value != cfg->end() && value->is_array() && !value->empty() &&
                (*value)[0].is_string()) {
                return (*value)[0].get<std::string>();
            }
        }
    }
    return std::nullopt;
}

Finding make(std::string rule, FindingCategory cat, Severity sev, std::string path,
             std::string symbol, std::string message, std::string advice) {
    Finding f;
    f.rule = std::move(rule);
    f.category = cat;
    f.severity = sev;
    f.path = std::move(path);
    f.symbol = std::move(symbol);
    f.message = std::move(message);
    f.advice = std::move(advice);
    return f;
}

/// Visits every layer entry of a config, nested models included, with its path.
void forEachLayer(const Json& modelConfig, const std::string& path,
                  const std::function<void(const Json&, const std::string&)>& fn, int depth = 0) {
    if (depth > 32 || !modelConfig.is_object()) {
        return;
    }
    const Json* layers = kerasLayerList(modelConfig).layers;
    if (layers == nullptr) {
        return;
    }
    for (std::size_t i = 0; i < layers->size(); ++i) {
        const Json& layer = (*layers)[i];
        const std::string p = path + "/layers[" + std::to_string(i) + "]";
        fn(layer, p);
        forEachLayer(layer, p, fn, depth + 1);  // nested Sequential/Functional
    }
}

std::optional<std::uint64_t> configInt(const Json& cfg, const char* key) {
    const auto it = cfg.find(key);
    if (it != cfg.end() && it->is_number_integer()) {
        return it->get<std::uint64_t>();
    }
    return std::nullopt;
}

void shapeFindings(const Checkpoint& c, const std::string& label, std::vector<Finding>& out) {
    for (std::size_t i = 0; i < c.layers().size(); ++i) {
        const Layer& layer = c.layers()[i];
        if (layer.weightPaths.empty()) {
            continue;
        }
        const Node* first = c.findTensor(layer.weightPaths.front());
        if (first == nullptr) {
            continue;
        }
        const auto& kernel = first->tensor()->shape();
        std::optional<std::uint64_t> expected;
        const char* field = nullptr;
        if (layer.className == "Dense") {
            expected = configInt(layer.config, "units");
            field = "units";
        } else if (layer.className.rfind("Conv", 0) == 0 &&
                   layer.className.find("Transpose") == std::string::npos) {
            expected = configInt(layer.config, "filters");
            field = "filters";
        } else if (layer.className == "Embedding") {
            expected = configInt(layer.config, "output_dim");
            field = "output_dim";
        }
        if (!expected || kernel.empty() || kernel.back() == *expected) {
            continue;
        }
        // Keras 1 (Theano) stored convolution kernels filters-first.
        if (field == std::string("filters") && kernel.front() == *expected) {
            continue;
        }
        out.push_back(
            make("CKPT-I002", FindingCategory::Integrity, Severity::Error,
                 label + "/layers[" + std::to_string(i) + "]", layer.className,
                 "layer " + layer.name + " (" + layer.className + ") says " + field + "=" +
                     std::to_string(*expected) + " but its weight " + layer.weightPaths.front() +
                     " has shape " + first->tensor()->shapeText() +
                     ": Keras would refuse to load these weights into this model",
                 "Check that the weights belong to this architecture; compare with `ckpt diff`."));
    }
}

}  // namespace

std::vector<std::string> marshalledCodeNames(const std::string& base64) {
    const auto bytes = base64Decode(base64);
    std::vector<std::string> names;
    if (bytes.empty() || (bytes[0] & 0x7f) != 'c') {
        return names;
    }
    std::set<std::string> seen;
    // Strings in a marshal stream: type byte (optionally with FLAG_REF 0x80), then the length
    // (1 byte for short ASCII 'z'/'Z', 4 bytes for 'a', 'A', 'u', 't', 's').
    for (std::size_t i = 1; i + 2 <= bytes.size(); ++i) {
        const unsigned char type = bytes[i] & 0x7f;
        std::size_t len = 0;
        std::size_t start = 0;
        if (type == 'z' || type == 'Z') {
            len = bytes[i + 1];
            start = i + 2;
        } else if ((type == 'a' || type == 'A' || type == 'u' || type == 't') &&
                   i + 5 <= bytes.size()) {
            len = bytes[i + 1] | (bytes[i + 2] << 8) | (bytes[i + 3] << 16) |
                  (static_cast<std::size_t>(bytes[i + 4]) << 24);
            start = i + 5;
        } else {
            continue;
        }
        if (len == 0 || len > 64 || start + len > bytes.size()) {
            continue;
        }
        std::string s(reinterpret_cast<const char*>(bytes.data() + start), len);
        if (isIdentifier(s) && s != "<lambda>" && seen.insert(s).second) {
            names.push_back(s);
            i = start + len - 1;
        }
    }
    return names;
}

std::vector<Finding> kerasConfigFindings(const Checkpoint& checkpoint,
                                         const std::string& configLabel) {
    std::vector<Finding> out;
    const Json& config = checkpoint.config();
    if (!config.is_object()) {
        return out;
    }
    std::set<std::string> customReported;
    forEachLayer(config, configLabel, [&](const Json& layer, const std::string& path) {
        const std::string cls = str(layer, "class_name");
        const Json cfg = layer.contains("config") && layer["config"].is_object() ? layer["config"]
                                                                                 : Json::object();
        const std::string name = kerasLayerName(layer);
        if (cls == "Lambda") {
            const auto code = lambdaCode(cfg);
            if (code) {
                std::string list;
                std::string source;
                int listed = 0;
                for (const auto& n : marshalledCodeNames(*code)) {
                    if (n.size() > 3 && n.compare(n.size() - 3, 3, ".py") == 0) {
                        source = n;  // co_filename: where the lambda was written
                    } else if (listed++ < 12) {
                        list += (list.empty() ? "" : ", ") + n;
                    }
                }
                if (!source.empty()) {
                    list += (list.empty() ? "" : " ") + std::string("(written in ") + source + ")";
                }
                out.push_back(make(
                    "CKPT-P004", FindingCategory::Portability, Severity::Warning, path,
                    "Lambda " + name,
                    "Lambda layer " + name + " holds marshalled Python bytecode" +
                        (list.empty() ? std::string() : " using " + list) +
                        ": it runs when the model is built, and loads only with the Python "
                        "version that saved it (Keras refuses it in safe mode)",
                    "Replace the Lambda with a registered custom layer, or rebuild the model in "
                    "code and load only the weights."));
            } else {
                out.push_back(make("CKPT-P004", FindingCategory::Portability, Severity::Info, path,
                                   "Lambda " + name,
                                   "Lambda layer " + name +
                                       " refers to a function by name: the loader must define it",
                                   "Pass the function in custom_objects when loading."));
            }
            return;
        }
        const std::string module = str(layer, "module");
        const std::string registered = str(layer, "registered_name");
        const bool keras3Custom =
            layer.contains("module") && (module.empty() || module.rfind("keras", 0) != 0);
        const bool legacyCustom =
            !layer.contains("module") && !cls.empty() && builtinLayers().count(cls) == 0;
        if ((keras3Custom || legacyCustom) && customReported.insert(cls).second) {
            const std::string what = registered.empty() ? cls : registered;
            out.push_back(make(
                "CKPT-P006", FindingCategory::Portability, Severity::Info, path, what,
                "layer " + name + " is a custom class " + what +
                    (module.empty() ? std::string() : " from module " + module) +
                    ": loading needs that code (custom_objects or an import that registers it)",
                "Install and import the package that defines " + cls +
                    ", or pass it in custom_objects."));
        }
    });
    shapeFindings(checkpoint, configLabel, out);
    return out;
}

}  // namespace ckpt::core
