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

std::vector<KerasLayerSpec> kerasLayerSpecs(const Json& modelConfig) {
    std::vector<KerasLayerSpec> out;
    if (!modelConfig.is_object()) {
        return out;
    }
    const auto cfg = modelConfig.find("config");
    const Json* layers = nullptr;
    if (cfg != modelConfig.end()) {
        if (cfg->is_array()) {
            layers = &*cfg;  // multi-backend Keras <= 2.2.2 Sequential
        } else if (cfg->is_object()) {
            const auto l = cfg->find("layers");
            if (l != cfg->end() && l->is_array()) {
                layers = &*l;
            }
        }
    }
    if (layers == nullptr) {
        return out;
    }
    for (const auto& l : *layers) {
        if (!l.is_object()) {
            continue;
        }
        KerasLayerSpec spec;
        spec.className = jsonString(l, "class_name");
        const auto lc = l.find("config");
        if (lc != l.end() && lc->is_object()) {
            spec.config = *lc;
        }
        spec.name = jsonString(l, "name");
        if (spec.name.empty()) {
            spec.name = jsonString(spec.config, "name");
        }
        const auto t = spec.config.find("trainable");
        if (t != spec.config.end() && t->is_boolean()) {
            spec.trainable = t->get<bool>();
        }
        out.push_back(std::move(spec));
    }
    return out;
}

std::string kerasSnakeCase(const std::string& className) {
    std::string name;
    for (const char c : className) {  // \W+ removed
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            name += c;
        }
    }
    const auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    const auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
    // (.)([A-Z][a-z]+) -> \1_\2
    std::string step;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (i > 0 && upper(name[i]) && i + 1 < name.size() && lower(name[i + 1])) {
            step += '_';
        }
        step += name[i];
    }
    // ([a-z])([A-Z]) -> \1_\2
    std::string out;
    for (std::size_t i = 0; i < step.size(); ++i) {
        if (i > 0 && lower(step[i - 1]) && upper(step[i])) {
            out += '_';
        }
        out += step[i];
    }
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::vector<std::string>> nodeNameList(const Node& node, const std::string& name) {
    const auto& attrs = node.attributes();
    const auto toList = [](const Json& v) {
        std::vector<std::string> out;
        if (v.is_string()) {
            out.push_back(v.get<std::string>());
        } else if (v.is_array()) {
            for (const auto& e : v) {
                if (e.is_string()) {
                    out.push_back(e.get<std::string>());
                }
            }
        }
        return out;
    };
    if (const auto it = attrs.find(name); it != attrs.end()) {
        return toList(*it);
    }
    std::optional<std::vector<std::string>> out;
    for (int i = 0;; ++i) {
        const auto it = attrs.find(name + std::to_string(i));
        if (it == attrs.end()) {
            break;
        }
        if (!out) {
            out.emplace();
        }
        auto part = toList(*it);
        out->insert(out->end(), part.begin(), part.end());
    }
    return out;
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

constexpr const char* kLayerContainers[] = {"layers", "_layer_checkpoint_dependencies"};

/// The layer groups of the vars layout, by their group name: the children of layers/ (or
/// Keras 2.12's _layer_checkpoint_dependencies/), or root members named "layers\<name>" as
/// Keras 2.12 wrote them on Windows.
std::vector<std::pair<std::string, const Node*>> layerGroups(const Node& h5Root) {
    std::vector<std::pair<std::string, const Node*>> out;
    for (const char* top : kLayerContainers) {
        if (const Node* layers = h5Root.findChild(top)) {
            for (const auto& c : layers->children()) {
                if (c->kind() == NodeKind::Group) {
                    out.emplace_back(c->name(), c.get());
                }
            }
        }
        const std::string prefix = std::string(top) + "\\";
        for (const auto& c : h5Root.children()) {
            if (c->kind() == NodeKind::Group && c->name().rfind(prefix, 0) == 0 &&
                c->name().find('\\', prefix.size()) == std::string::npos) {
                out.emplace_back(c->name().substr(prefix.size()), c.get());
            }
        }
        if (!out.empty()) {
            break;
        }
    }
    return out;
}

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

bool hasVarsLayout(const Node& h5Root) {
    for (const auto& [name, group] : layerGroups(h5Root)) {
        if (group->findChild("vars") != nullptr) {
            return true;
        }
    }
    const Node* vars = h5Root.findChild("vars");
    return vars != nullptr && vars->kind() == NodeKind::Group;
}

std::vector<Layer> varsKerasLayers(const Node& h5Root, const std::vector<KerasLayerSpec>& specs) {
    const auto groups = layerGroups(h5Root);
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
