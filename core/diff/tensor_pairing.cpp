#include "core/diff/tensor_pairing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "core/diff/layer_pairing.h"
#include "core/model/checkpoint.h"

namespace ckpt::core {
namespace {

constexpr std::string_view kWrappers[] = {"model_weights", "state_dict", "model_state_dict",
                                          "model_state",   "model",      "module",
                                          "net",           "network"};

std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto slash = path.find('/', start);
        out.emplace_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) {
            return out;
        }
        start = slash + 1;
    }
}

/// The path of `node` below its innermost enclosing archive member (".keras" weights file).
std::string pathInsideArchive(const Node& node) {
    std::string path = node.path();
    for (const Node* p = node.parent(); p != nullptr; p = p->parent()) {
        if (p->kind() == NodeKind::Archive) {
            const std::string prefix = p->path() + "/";
            if (path.rfind(prefix, 0) == 0) {
                path.erase(0, prefix.size());
            }
            break;
        }
    }
    return path;
}

/// Natural order: runs of digits compare as numbers ("vars/2" < "vars/10").
bool naturalLess(const std::string& x, const std::string& y) {
    std::size_t i = 0, j = 0;
    while (i < x.size() && j < y.size()) {
        const auto cx = static_cast<unsigned char>(x[i]);
        const auto cy = static_cast<unsigned char>(y[j]);
        if (std::isdigit(cx) && std::isdigit(cy)) {
            std::size_t ei = i, ej = j;
            while (ei < x.size() && std::isdigit(static_cast<unsigned char>(x[ei]))) {
                ++ei;
            }
            while (ej < y.size() && std::isdigit(static_cast<unsigned char>(y[ej]))) {
                ++ej;
            }
            std::string_view nx(x.data() + i, ei - i), ny(y.data() + j, ej - j);
            while (nx.size() > 1 && nx[0] == '0') {
                nx.remove_prefix(1);
            }
            while (ny.size() > 1 && ny[0] == '0') {
                ny.remove_prefix(1);
            }
            if (nx.size() != ny.size()) {
                return nx.size() < ny.size();
            }
            if (nx != ny) {
                return nx < ny;
            }
            i = ei;
            j = ej;
        } else {
            if (cx != cy) {
                return cx < cy;
            }
            ++i;
            ++j;
        }
    }
    return x.size() - i < y.size() - j;
}

/// "dense/dense/kernel" -> "dense/dense"; "fc1.weight" -> "fc1"; "arr_0" -> "arr_0".
std::string groupOfKey(const std::string& key) {
    if (const auto slash = key.rfind('/'); slash != std::string::npos) {
        return key.substr(0, slash);
    }
    if (const auto dot = key.rfind('.'); dot != std::string::npos && dot > 0) {
        return key.substr(0, dot);
    }
    return key;
}

/// The names listed in a group's weight_names attribute (plain or chunked weight_names0, ...).
std::vector<std::string> weightNames(const Node& group) {
    std::vector<std::string> out;
    const auto take = [&out](const Json& v) {
        if (v.is_array()) {
            for (const auto& e : v) {
                if (e.is_string()) {
                    out.push_back(e.get<std::string>());
                }
            }
        }
    };
    const Json& attrs = group.attributes();
    if (const auto it = attrs.find("weight_names"); it != attrs.end()) {
        take(*it);
        return out;
    }
    for (int i = 0;; ++i) {
        const auto it = attrs.find("weight_names" + std::to_string(i));
        if (it == attrs.end()) {
            return out;
        }
        take(*it);
    }
}

/// "<group>/#<i>" for a tensor listed i-th in the weight_names of an enclosing group (a legacy
/// optimizer_weights group: files list its variables in the optimizer's order, not by name);
/// the path otherwise.
std::string weightNamesOrderKey(const Node& n) {
    std::string rel = n.name();
    int depth = 0;
    for (const Node* g = n.parent(); g != nullptr && depth < 8; g = g->parent(), ++depth) {
        if (g->attributes().contains("weight_names") || g->attributes().contains("weight_names0")) {
            const auto names = weightNames(*g);
            const auto it = std::find(names.begin(), names.end(), rel);
            if (it != names.end()) {
                return g->path() + "/#" + std::to_string(it - names.begin());
            }
            break;
        }
        rel = g->name() + "/" + rel;
    }
    return n.path();
}

pairing::Side collect(const Checkpoint& c) {
    pairing::Side side;
    std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> weightOf;
    // Keras names weights differently in each layout (legacy model_weights/.../kernel:0, Keras
    // 3 vars/0), so there the layer summary gives the key. Other formats name tensors the same
    // way everywhere (a state_dict key), and their paths are the better key.
    // A pickled Keras model is a "pickle" whose layers come from the .keras file inside it.
    const bool keras = c.format().rfind("keras", 0) == 0 || c.metadata().contains("keras_version");
    for (const auto& layer : c.layers()) {
        if (!keras || layer.weightPaths.empty()) {
            continue;
        }
        const std::size_t li = side.layers.size();
        side.layers.push_back(&layer);
        for (std::size_t w = 0; w < layer.weightPaths.size(); ++w) {
            weightOf.try_emplace(layer.weightPaths[w], li, w);
        }
    }
    side.layerEntries.resize(side.layers.size());
    std::vector<pairing::Entry> loose;
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, pairing::Entry>> inLayers;
    for (const Node* n : c.tensorNodes()) {
        pairing::Entry e;
        e.node = n;
        e.path = n->path();
        e.pathKey = canonicalTensorKey(pathInsideArchive(*n));
        e.vars = e.path.find("/vars/") != std::string::npos || e.path.rfind("vars/", 0) == 0;
        e.orderKey = weightNamesOrderKey(*n);
        const auto first = e.pathKey.substr(0, e.pathKey.find('/'));
        e.optimizer = isTrainingStateKey(e.pathKey);
        if (const auto it = weightOf.find(e.path); it != weightOf.end()) {
            inLayers.emplace_back(it->second, std::move(e));
        } else {
            loose.push_back(std::move(e));
        }
    }
    std::stable_sort(inLayers.begin(), inLayers.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::stable_sort(loose.begin(), loose.end(),
                     [](const pairing::Entry& x, const pairing::Entry& y) {
                         return naturalLess(x.orderKey, y.orderKey);
                     });
    for (auto& [where, e] : inLayers) {
        side.layerEntries[where.first].push_back(side.entries.size());
        side.entries.push_back(std::move(e));
    }
    for (auto& e : loose) {
        side.entries.push_back(std::move(e));
    }
    return side;
}

}  // namespace

bool isTrainingStateKey(std::string_view key) {
    static constexpr std::string_view kGroups[] = {
        "optimizer_weights", "optimizer", "optimizer_state_dict", "optimizer_state", "optim",
        "optimizers",        "scheduler", "lr_scheduler",         "scheduler_state", "scaler",
        "grad_scaler",       "amp"};
    static constexpr std::string_view kScalars[] = {
        "epoch",    "epochs",      "step", "global_step", "iteration", "iterations", "best_loss",
        "best_acc", "best_metric", "loss", "train_loss",  "val_loss",  "rng_state"};
    const auto end = key.find_first_of("/.");
    const std::string_view first = key.substr(0, end);
    if (end != std::string_view::npos &&
        std::find(std::begin(kGroups), std::end(kGroups), first) != std::end(kGroups)) {
        return true;
    }
    if (end == std::string_view::npos &&
        std::find(std::begin(kScalars), std::end(kScalars), first) != std::end(kScalars)) {
        return true;
    }
    // Keras 3 keeps the random state of Dropout and friends in seed_generator/vars.
    return key.find("seed_generator") != std::string_view::npos;
}

std::optional<RenameRule> parseRenameRule(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return std::nullopt;
    }
    return RenameRule{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string canonicalTensorKey(std::string_view path) {
    std::string p(path);
    std::replace(p.begin(), p.end(), '\\', '/');
    auto parts = splitPath(p);
    for (auto& s : parts) {
        const auto colon = s.rfind(':');
        if (colon != std::string::npos && colon + 1 < s.size() &&
            std::all_of(s.begin() + static_cast<std::ptrdiff_t>(colon) + 1, s.end(),
                        [](unsigned char c) { return std::isdigit(c) != 0; })) {
            s.erase(colon);
        }
        for (bool again = true; again;) {
            again = false;
            for (const std::string_view prefix : {"module.", "_orig_mod."}) {
                if (s.size() > prefix.size() && s.rfind(prefix, 0) == 0) {
                    s.erase(0, prefix.size());
                    again = true;
                }
            }
        }
    }
    std::size_t skip = 0;
    while (parts.size() - skip > 1 && std::find(std::begin(kWrappers), std::end(kWrappers),
                                                parts[skip]) != std::end(kWrappers)) {
        ++skip;
    }
    std::string out;
    for (std::size_t i = skip; i < parts.size(); ++i) {
        out += (i > skip ? "/" : "") + parts[i];
    }
    return out;
}

std::vector<TensorPair> pairTensors(const Checkpoint& a, const Checkpoint& b,
                                    const std::vector<RenameRule>& rules) {
    pairing::Side sa = collect(a);
    pairing::Side sb = collect(b);
    const auto links = pairing::alignLayers(sa, sb, rules);
    std::vector<std::size_t> partner(sa.entries.size(), SIZE_MAX);
    std::vector<PairedBy> how(sa.entries.size(), PairedBy::None);
    const auto pair = [&](std::size_t i, std::size_t j, PairedBy by) {
        partner[i] = j;
        how[i] = by;
        sa.entries[i].paired = sb.entries[j].paired = true;
    };
    // Stage 1: user rules on full paths and keys.
    std::unordered_map<std::string, std::size_t> anyB;
    for (std::size_t j = sb.entries.size(); j-- > 0;) {
        for (const auto* s :
             {&sb.entries[j].layerKey, &sb.entries[j].pathKey, &sb.entries[j].path}) {
            if (!s->empty()) {
                anyB[*s] = j;
            }
        }
    }
    if (!rules.empty()) {
        for (std::size_t i = 0; i < sa.entries.size(); ++i) {
            const pairing::Entry& e = sa.entries[i];
            for (const auto* s : {&e.path, &e.pathKey}) {
                const auto target = pairing::applyRules(rules, *s);
                const auto it = target ? anyB.find(*target) : anyB.end();
                if (!e.paired && it != anyB.end() && !sb.entries[it->second].paired) {
                    pair(i, it->second, PairedBy::Rule);
                }
            }
        }
    }
    // Stage 2: the weights of matched layers.
    for (const auto& link : links) {
        pairing::pairLayerWeights(sa, sb, link, pair);
    }
    // Stage 3: path keys.
    {
        std::unordered_map<std::string, std::size_t> index;
        for (std::size_t j = 0; j < sb.entries.size(); ++j) {
            if (!sb.entries[j].paired && !sb.entries[j].pathKey.empty()) {
                index.try_emplace(sb.entries[j].pathKey, j);
            }
        }
        for (std::size_t i = 0; i < sa.entries.size(); ++i) {
            const pairing::Entry& e = sa.entries[i];
            const auto it = e.pathKey.empty() ? index.end() : index.find(e.pathKey);
            if (!e.paired && it != index.end() && !sb.entries[it->second].paired) {
                pair(i, it->second, PairedBy::Name);
            }
        }
    }
    // Stage 4: order and shape, model and optimizer tensors apart. When both sides have layer
    // summaries, the layer alignment already tried everything sensible for layer weights: what
    // is left of them was removed or added, not moved.
    const auto keyed = [](const pairing::Side& s) {
        return std::any_of(s.entries.begin(), s.entries.end(),
                           [](const pairing::Entry& e) { return !e.layerKey.empty(); });
    };
    const bool layersOnBothSides = keyed(sa) && keyed(sb);
    const auto open = [&](const pairing::Entry& e, bool optimizer) {
        return !e.paired && e.optimizer == optimizer && !(layersOnBothSides && !e.layerKey.empty());
    };
    for (const bool optimizer : {false, true}) {
        std::vector<std::size_t> restA, restB;
        for (std::size_t i = 0; i < sa.entries.size(); ++i) {
            if (open(sa.entries[i], optimizer)) {
                restA.push_back(i);
            }
        }
        for (std::size_t j = 0; j < sb.entries.size(); ++j) {
            if (open(sb.entries[j], optimizer)) {
                restB.push_back(j);
            }
        }
        pairing::pairInOrderByShape(sa, sb, restA, restB, pair);
    }
    std::vector<TensorPair> out;
    const auto keyOf = [](const pairing::Entry& e) {
        return e.layerKey.empty() ? e.pathKey : e.layerKey;
    };
    const auto layerOf = [](const pairing::Entry& e) {
        return e.layer.empty() ? groupOfKey(e.pathKey) : e.layer;
    };
    for (std::size_t i = 0; i < sa.entries.size(); ++i) {
        const pairing::Entry& e = sa.entries[i];
        const Node* other = partner[i] == SIZE_MAX ? nullptr : sb.entries[partner[i]].node;
        const bool state =
            e.optimizer && (partner[i] == SIZE_MAX || sb.entries[partner[i]].optimizer);
        out.push_back({e.node, other, keyOf(e), layerOf(e), how[i], state});
    }
    for (const pairing::Entry& e : sb.entries) {
        if (!e.paired) {
            out.push_back({nullptr, e.node, keyOf(e), layerOf(e), PairedBy::None, e.optimizer});
        }
    }
    return out;
}

}  // namespace ckpt::core
