#include "core/formats/keras_common.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "core/util/error.h"

namespace ckpt::core {
namespace {

std::string jsonString(const Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Keras names moving statistics "moving_mean"/"moving_variance" (Keras 1: running_mean/std).
bool nonTrainableByName(const std::string& weightName) {
    return weightName.find("moving_") != std::string::npos ||
           weightName.find("running_mean") != std::string::npos ||
           weightName.find("running_std") != std::string::npos ||
           weightName.find("running_var") != std::string::npos;
}

void addWeight(Layer& layer, const Node& tensorNode, bool trainable) {
    const auto n = tensorNode.tensor()->numel();
    layer.weightPaths.push_back(tensorNode.path());
    layer.params += n;
    (trainable ? layer.trainableParams : layer.nonTrainableParams) += n;
}

bool isNumber(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

/// Tensors below a vars-layout layer group: its own vars/<i> in numeric order, then sublayers.
void collectVarsTensors(const Node& group, std::vector<const Node*>& out, int depth = 0) {
    if (depth > 64) {
        return;
    }
    if (const Node* vars = group.findChild("vars")) {
        std::vector<const Node*> items;
        for (const auto& c : vars->children()) {
            if (c->kind() == NodeKind::Tensor) {
                items.push_back(c.get());
            }
        }
        std::stable_sort(items.begin(), items.end(), [](const Node* a, const Node* b) {
            const bool na = isNumber(a->name()), nb = isNumber(b->name());
            if (na && nb) {
                return a->name().size() != b->name().size() ? a->name().size() < b->name().size()
                                                            : a->name() < b->name();
            }
            return na && !nb;
        });
        out.insert(out.end(), items.begin(), items.end());
    }
    for (const auto& c : group.children()) {
        if (c->kind() == NodeKind::Group && c->name() != "vars") {
            collectVarsTensors(*c, out, depth + 1);
        }
    }
}

std::string varsNameAttr(const Node& group) {
    if (const Node* vars = group.findChild("vars")) {
        return jsonString(vars->attributes(), "name");
    }
    return {};
}

}  // namespace

Json parseKerasJson(const std::string& text, const std::string& what) {
    // Real configs nest a few dozen levels; a hostile one nests thousands, which would make
    // every recursive consumer (dumps, tree views) overflow its stack.
    constexpr int kMaxDepth = 256;
    try {
        Json parsed = Json::parse(text, [&](int depth, Json::parse_event_t, Json&) {
            if (depth > kMaxDepth) {
                throw CorruptDataError(what + " nests deeper than " + std::to_string(kMaxDepth) +
                                       " levels");
            }
            return true;
        });
        return parsed;
    } catch (const nlohmann::json::parse_error& e) {
        throw CorruptDataError(what + " is not valid JSON (byte " + std::to_string(e.byte) +
                               " of " + std::to_string(text.size()) + ")");
    } catch (const nlohmann::json::exception&) {
        // out_of_range 406: a number beyond double's range ("1e3088"), found by fuzzing.
        throw CorruptDataError(what + " is not valid JSON (a number beyond double's range)");
    }
}

std::vector<Layer> legacyKerasLayers(const Node& weightsRoot,
                                     const std::vector<KerasLayerSpec>& specs) {
    const auto layerNames =
        nodeNameList(weightsRoot, "layer_names").value_or(std::vector<std::string>{});
    std::vector<KerasLayerSpec> order = specs;
    for (const auto& n : layerNames) {  // layers saved but absent from the config
        const bool known = std::any_of(order.begin(), order.end(),
                                       [&](const KerasLayerSpec& s) { return s.name == n; });
        if (!known) {
            order.push_back({n, {}, true, Json::object()});
        }
    }
    std::vector<Layer> out;
    for (const auto& spec : order) {
        Layer layer;
        layer.name = spec.name;
        layer.className = spec.className;
        layer.config = spec.config;
        if (const Node* group = weightsRoot.findChild(spec.name)) {
            for (const auto& wn :
                 nodeNameList(*group, "weight_names").value_or(std::vector<std::string>{})) {
                const Node* t = group->find(wn);
                if (t != nullptr && t->kind() == NodeKind::Tensor) {
                    addWeight(layer, *t, spec.trainable && !nonTrainableByName(wn));
                }
            }
        }
        out.push_back(std::move(layer));
    }
    return out;
}

namespace {

/// The number N of "base_N" (0 for "base"), or -1 when `name` is not of that family.
long familyIndex(const std::string& name, const std::string& base) {
    if (name == base) {
        return 0;
    }
    if (name.size() <= base.size() + 1 || name.compare(0, base.size(), base) != 0 ||
        name[base.size()] != '_' || !isNumber(name.substr(base.size() + 1))) {
        return -1;
    }
    return std::stol(name.substr(base.size() + 1));
}

}  // namespace

std::vector<Layer> varsKerasLayers(const Node& h5Root, const std::vector<KerasLayerSpec>& specs) {
    const auto groups = kerasLayerGroups(h5Root);
    std::vector<Layer> out;
    const auto fill = [](Layer& layer, const Node& group, bool trainable) {
        std::vector<const Node*> tensors;
        collectVarsTensors(group, tensors);
        const bool batchNorm = layer.className == "BatchNormalization";
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const bool movingStat = batchNorm && tensors.size() >= 2 && i + 2 >= tensors.size();
            addWeight(layer, *tensors[i], trainable && !movingStat);
        }
    };
    if (specs.empty()) {
        for (const auto& [name, group] : groups) {
            Layer layer;
            layer.name = varsNameAttr(*group);
            if (layer.name.empty()) {
                layer.name = name;
            }
            fill(layer, *group, true);
            out.push_back(std::move(layer));
        }
        return out;
    }
    std::map<std::string, const Node*> byName;
    for (const auto& [name, group] : groups) {
        const auto n = varsNameAttr(*group);
        if (!n.empty()) {
            byName.emplace(n, group);
        }
    }
    // Without name attributes, the i-th layer of a class takes the i-th group of its snake_case
    // family in numeric order: dense, dense_1, ... (Keras 3) or dense, dense_2, ... (Keras 2.12,
    // which numbered every weighted layer twice).
    std::map<std::string, std::vector<std::pair<long, const Node*>>> families;
    std::map<std::string, std::size_t> taken;
    for (const auto& spec : specs) {
        Layer layer;
        layer.name = spec.name;
        layer.className = spec.className;
        layer.config = spec.config;
        const Node* group = nullptr;
        if (const auto it = byName.find(spec.name); it != byName.end()) {
            group = it->second;
        } else if (!spec.className.empty()) {
            const std::string base = kerasSnakeCase(spec.className);
            auto [fam, fresh] = families.try_emplace(base);
            if (fresh) {
                for (const auto& [name, g] : groups) {
                    if (const long k = familyIndex(name, base); k >= 0) {
                        fam->second.emplace_back(k, g);
                    }
                }
                std::sort(fam->second.begin(), fam->second.end(),
                          [](const auto& a, const auto& b) { return a.first < b.first; });
            }
            std::size_t& next = taken[base];
            if (next < fam->second.size()) {
                group = fam->second[next++].second;
            }
        }
        if (group != nullptr) {
            fill(layer, *group, spec.trainable);
        }
        out.push_back(std::move(layer));
    }
    return out;
}

void addModelMetadata(const Json& modelConfig, Json& metadata) {
    if (!modelConfig.is_object()) {
        return;
    }
    const auto cls = jsonString(modelConfig, "class_name");
    if (!cls.empty()) {
        metadata["model_class"] = cls;
    }
    const auto cfg = modelConfig.find("config");
    if (cfg != modelConfig.end() && cfg->is_object()) {
        const auto name = jsonString(*cfg, "name");
        if (!name.empty()) {
            metadata["model_name"] = name;
        }
    }
}

}  // namespace ckpt::core
