#include "core/diff/config_diff.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/diff/sequence_align.h"
#include "core/model/checkpoint.h"
#include "core/model/keras_config.h"

namespace ckpt::core {
namespace {

/// One layer entry of a model config, as kerasLayerSpecs sees it, with the raw JSON.
struct LayerEntry {
    std::size_t index = 0;  // in the config's layer list
    std::string name;
    std::string className;
    const Json* entry = nullptr;
};

std::vector<LayerEntry> layerEntries(const Json& modelConfig) {
    std::vector<LayerEntry> out;
    const Json* list = kerasLayerList(modelConfig).layers;
    if (list == nullptr) {
        return out;
    }
    const auto specs = kerasLayerSpecs(modelConfig);
    std::size_t s = 0;
    for (std::size_t i = 0; i < list->size() && s < specs.size(); ++i) {
        if ((*list)[i].is_object()) {
            out.push_back({i, specs[s].name, specs[s].className, &(*list)[i]});
            ++s;
        }
    }
    return out;
}

/// The model config without its layer list.
Json withoutLayers(const Json& modelConfig) {
    Json copy = modelConfig;
    if (copy.is_object() && copy.contains("config")) {
        Json& cfg = copy["config"];
        if (cfg.is_array()) {
            copy.erase("config");
        } else if (cfg.is_object()) {
            cfg.erase("layers");
        }
    }
    return copy;
}

/// A layer entry without the names that a rename changes.
Json withoutName(const Json& entry) {
    Json copy = entry;
    copy.erase("name");
    if (copy.contains("config") && copy["config"].is_object()) {
        copy["config"].erase("name");
    }
    return copy;
}

std::string memberPath(const std::string& path, const std::string& key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '_';
    });
    if (!plain) {
        return path + "[" + Json(key).dump() + "]";
    }
    return path.empty() ? key : path + "." + key;
}

bool allPlain(const Json& array) {
    return std::all_of(array.begin(), array.end(),
                       [](const Json& v) { return !v.is_object() && !v.is_array(); });
}

ConfigChange layerChange(ConfigChangeKind kind, const LayerEntry& l) {
    ConfigChange c;
    c.kind = kind;
    c.path = "layers[" + std::to_string(l.index) + "]";
    c.layer = l.name;
    c.className = l.className;
    return c;
}

void diffLayers(const Json& configA, const Json& configB, std::vector<ConfigChange>& out) {
    const auto la = layerEntries(configA);
    const auto lb = layerEntries(configB);
    std::vector<std::size_t> partnerOfB(lb.size(), SIZE_MAX);
    std::vector<char> pairedA(la.size(), 0);
    std::vector<char> renamed(lb.size(), 0);
    std::map<std::string, std::size_t> byName;
    for (std::size_t j = 0; j < lb.size(); ++j) {
        byName.try_emplace(lb[j].name, j);
    }
    for (std::size_t i = 0; i < la.size(); ++i) {
        const auto it = byName.find(la[i].name);
        if (!la[i].name.empty() && it != byName.end() && partnerOfB[it->second] == SIZE_MAX) {
            partnerOfB[it->second] = i;
            pairedA[i] = 1;
        }
    }
    std::vector<std::size_t> restA, restB;
    for (std::size_t i = 0; i < la.size(); ++i) {
        if (!pairedA[i]) {
            restA.push_back(i);
        }
    }
    for (std::size_t j = 0; j < lb.size(); ++j) {
        if (partnerOfB[j] == SIZE_MAX) {
            restB.push_back(j);
        }
    }
    const auto sameClass = [&](std::size_t x, std::size_t y) {
        return la[restA[x]].className == lb[restB[y]].className;
    };
    for (const auto& [x, y] : alignInOrder(restA.size(), restB.size(), sameClass)) {
        const std::size_t i = restA[x], j = restB[y];
        if (withoutName(*la[i].entry) == withoutName(*lb[j].entry)) {
            partnerOfB[j] = i;
            pairedA[i] = 1;
            renamed[j] = 1;
        }
    }
    std::size_t nextA = 0;
    const auto removedUpTo = [&](std::size_t end) {
        for (; nextA < end; ++nextA) {
            if (!pairedA[nextA]) {
                out.push_back(layerChange(ConfigChangeKind::LayerRemoved, la[nextA]));
            }
        }
    };
    // A's partner of the first matched B layer after j: removed layers before it come before
    // a layer added at j, so a replaced layer reads "removed, added".
    std::vector<std::size_t> nextPartner(lb.size() + 1, la.size());
    for (std::size_t j = lb.size(); j-- > 0;) {
        nextPartner[j] = partnerOfB[j] != SIZE_MAX ? partnerOfB[j] : nextPartner[j + 1];
    }
    for (std::size_t j = 0; j < lb.size(); ++j) {
        const std::size_t i = partnerOfB[j];
        if (i == SIZE_MAX) {
            removedUpTo(nextPartner[j + 1]);
            auto c = layerChange(ConfigChangeKind::LayerAdded, lb[j]);
            c.path = "layers[" + std::to_string(lb[j].index) + "]";
            out.push_back(std::move(c));
            continue;
        }
        removedUpTo(i);
        nextA = std::max(nextA, i + 1);
        const std::string path = "layers[" + std::to_string(la[i].index) + "]";
        if (renamed[j]) {
            auto c = layerChange(ConfigChangeKind::LayerRenamed, la[i]);
            c.oldValue = la[i].name;
            c.newValue = lb[j].name;
            out.push_back(std::move(c));
            diffJson(withoutName(*la[i].entry), withoutName(*lb[j].entry), path, la[i].name, out);
        } else {
            diffJson(*la[i].entry, *lb[j].entry, path, la[i].name, out);
        }
    }
    removedUpTo(la.size());
}

}  // namespace

bool configPresent(const Json& j) {
    return !j.is_null() && !(j.is_object() && j.empty());
}

void diffJson(const Json& a, const Json& b, const std::string& path, const std::string& layer,
              std::vector<ConfigChange>& out) {
    if (a == b) {
        return;
    }
    const auto change = [&](ConfigChangeKind kind, const std::string& p, const Json& o,
                            const Json& n) {
        ConfigChange c;
        c.kind = kind;
        c.path = p;
        c.layer = layer;
        c.oldValue = o;
        c.newValue = n;
        out.push_back(std::move(c));
    };
    if (a.is_object() && b.is_object()) {
        for (const auto& [k, v] : a.items()) {
            const auto it = b.find(k);
            if (it == b.end()) {
                change(ConfigChangeKind::FieldRemoved, memberPath(path, k), v, nullptr);
            } else {
                diffJson(v, *it, memberPath(path, k), layer, out);
            }
        }
        for (const auto& [k, v] : b.items()) {
            if (!a.contains(k)) {
                change(ConfigChangeKind::FieldAdded, memberPath(path, k), nullptr, v);
            }
        }
        return;
    }
    if (a.is_array() && b.is_array() && !(allPlain(a) && allPlain(b))) {
        const std::size_t common = std::min(a.size(), b.size());
        for (std::size_t i = 0; i < common; ++i) {
            diffJson(a[i], b[i], path + "[" + std::to_string(i) + "]", layer, out);
        }
        for (std::size_t i = common; i < a.size(); ++i) {
            change(ConfigChangeKind::FieldRemoved, path + "[" + std::to_string(i) + "]", a[i],
                   nullptr);
        }
        for (std::size_t i = common; i < b.size(); ++i) {
            change(ConfigChangeKind::FieldAdded, path + "[" + std::to_string(i) + "]", nullptr,
                   b[i]);
        }
        return;
    }
    change(ConfigChangeKind::FieldChanged, path, a, b);
}

ConfigDiff diffConfigs(const Checkpoint& a, const Checkpoint& b) {
    ConfigDiff d;
    if (configPresent(a.config()) && configPresent(b.config())) {
        d.compared = true;
        diffJson(withoutLayers(a.config()), withoutLayers(b.config()), "", "", d.changes);
        diffLayers(a.config(), b.config(), d.changes);
    }
    if (configPresent(a.trainingConfig()) && configPresent(b.trainingConfig())) {
        d.trainingCompared = true;
        diffJson(a.trainingConfig(), b.trainingConfig(), "training_config", "", d.changes);
    }
    return d;
}

}  // namespace ckpt::core
