#include "core/graph/graph_attributes.h"

#include "core/model/json_dump.h"

namespace ckpt::core {
namespace {

constexpr const char* kKeys[] = {
    "units", "filters",   "kernel_size",  "strides", "pool_size", "padding",    "activation",
    "rate",  "axis",      "target_shape", "dims",    "input_dim", "output_dim", "return_sequences",
    "size",  "num_heads", "key_dim",      "epsilon",
};
constexpr std::size_t kMaxAttributes = 8;
constexpr std::size_t kMaxChars = 40;

std::string valueText(const Json& v) {
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_object()) {
        // Keras 3 serialised objects: {"class_name": "function", "config": "relu"}.
        const auto cfg = v.find("config");
        if (cfg != v.end() && cfg->is_string()) {
            return cfg->get<std::string>();
        }
        const auto cls = v.find("class_name");
        if (cls != v.end() && cls->is_string()) {
            return cls->get<std::string>();
        }
    }
    return dumpJson(v);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> layerAttributes(const Json& config) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!config.is_object()) {
        return out;
    }
    for (const char* key : kKeys) {
        const auto it = config.find(key);
        if (it == config.end() || it->is_null()) {
            continue;
        }
        std::string text = valueText(*it);
        if (text.size() > kMaxChars) {
            text = text.substr(0, kMaxChars - 3) + "...";
        }
        out.emplace_back(key, std::move(text));
        if (out.size() == kMaxAttributes) {
            break;
        }
    }
    return out;
}

void setShape(GraphNode& node, const Json& shape) {
    if (!shape.is_array() || shape.size() > 64) {
        return;
    }
    std::vector<std::int64_t> dims;
    for (const auto& d : shape) {
        if (d.is_null()) {
            dims.push_back(-1);
        } else if (d.is_number_integer() || d.is_number_unsigned()) {
            dims.push_back(d.get<std::int64_t>());
        } else {
            return;
        }
    }
    node.outputShape = std::move(dims);
    node.hasOutputShape = true;
}

}  // namespace ckpt::core
