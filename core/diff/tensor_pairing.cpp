#include "core/diff/tensor_pairing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "core/diff/sequence_align.h"
#include "core/model/checkpoint.h"

namespace ckpt::core {
namespace {

constexpr std::string_view kWrappers[] = {"model_weights", "state_dict", "model_state_dict",
                                          "model_state",   "model",      "module",
                                          "net",           "network"};

/// One tensor of one side, with everything the pairing stages look at.
struct Entry {
    const Node* node = nullptr;
    std::string path;
    std::string pathKey;
    std::string orderKey;    // sorts tensors outside layers: weight_names order, else the path
    std::string layer;       // layer name after alignment (B side: A's name when aligned)
    std::string layerKey;    // "<layer>/<index>", or "" for tensors outside the layer summary
    bool vars = false;       // Keras 3 layout: .../vars/<i>
    bool optimizer = false;  // optimizer or other training state (isTrainingStateKey)
    bool paired = false;
};

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

/// The rewrite of `s` by the rule with the longest matching `from`, if any.
std::optional<std::string> applyRules(const std::vector<RenameRule>& rules, const std::string& s) {
    const RenameRule* best = nullptr;
    for (const auto& r : rules) {
        if (s.rfind(r.from, 0) == 0 && (best == nullptr || r.from.size() > best->from.size())) {
            best = &r;
        }
    }
    if (best == nullptr) {
        return std::nullopt;
    }
    return best->to + s.substr(best->from.size());
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

struct Side {
    std::vector<Entry> entries;                          // in this side's order
    std::vector<const Layer*> layers;                    // layers with weights, in order
    std::vector<std::vector<std::size_t>> layerEntries;  // entry indices of each layer's weights
};

Side collect(const Checkpoint& c) {
    Side side;
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
    std::vector<Entry> loose;
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, Entry>> inLayers;
    for (const Node* n : c.tensorNodes()) {
        Entry e;
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
    std::stable_sort(loose.begin(), loose.end(), [](const Entry& x, const Entry& y) {
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

using Shape = std::vector<std::uint64_t>;

/// Shapes of the weights of entries `idx`, sorted: a nested model lists the same weights in
/// another order in each layout (legacy: trainable first; Keras 3: sublayer by sublayer).
std::vector<Shape> signature(const Side& s, const std::vector<std::size_t>& idx) {
    std::vector<Shape> out;
    for (const auto i : idx) {
        out.push_back(s.entries[i].node->tensor()->shape());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// One owner of variables inside a layer: the layer itself, an RNN's cell, or one layer of a
/// nested model. Keras 3 gives each its own `<group>/vars` (named by the group's `name`
/// attribute since Keras 3.6, else by the group); legacy files put a nested model's weights in
/// one layer group, named "<sublayer>/<variable>" in weight_names.
struct Owner {
    std::string name;
    std::string key;  // the owner's path without archive members and wrappers
    bool vars = false;
    std::vector<std::size_t> entries;  // entry indices, in the layer's weight order
};

std::vector<Owner> ownersOf(const Side& s, std::size_t layer) {
    std::vector<Owner> out;
    std::map<std::string, std::size_t> index;
    for (const auto i : s.layerEntries[layer]) {
        const Entry& e = s.entries[i];
        std::string owner, name;
        if (const auto at = e.path.rfind("/vars/"); e.vars && at != std::string::npos) {
            owner = e.path.substr(0, at);
            const Node* vars = e.node->parent();
            const auto attr =
                vars != nullptr ? vars->attributes().find("name") : e.node->attributes().end();
            if (vars != nullptr && attr != vars->attributes().end() && attr->is_string()) {
                name = attr->get<std::string>();
            }
        } else {
            const auto slash = e.path.rfind('/');
            owner = slash == std::string::npos ? std::string() : e.path.substr(0, slash);
        }
        if (name.empty()) {
            const auto slash = owner.rfind('/');
            name = slash == std::string::npos ? owner : owner.substr(slash + 1);
        }
        const auto [it, fresh] = index.try_emplace(owner, out.size());
        if (fresh) {
            const auto cut = e.pathKey.rfind(e.vars ? "/vars/" : "/");
            out.push_back({name,
                           cut == std::string::npos ? e.pathKey : e.pathKey.substr(0, cut),
                           e.vars,
                           {}});
        }
        out[it->second].entries.push_back(i);
    }
    return out;
}

/// A link between a layer of A and a layer of B, and how the layers were matched.
struct LayerLink {
    std::size_t a = 0;
    std::size_t b = 0;
    PairedBy by = PairedBy::None;
};

/// Matches the layers of A and B (rules, names, then position, class and weight shapes) and
/// gives every layer weight its layer key; B's layers aligned with A's take A's names.
std::vector<LayerLink> alignLayers(Side& a, Side& b, const std::vector<RenameRule>& rules) {
    std::vector<std::string> nameA(a.layers.size()), nameB(b.layers.size());
    std::vector<char> doneA(a.layers.size(), 0), doneB(b.layers.size(), 0);
    std::map<std::string, std::size_t> indexB;
    for (std::size_t j = 0; j < b.layers.size(); ++j) {
        nameB[j] = b.layers[j]->name;
        indexB.try_emplace(nameB[j], j);
    }
    std::vector<LayerLink> links;
    const auto link = [&](std::size_t i, std::size_t j, PairedBy by) {
        doneA[i] = doneB[j] = 1;
        nameB[j] = a.layers[i]->name;
        links.push_back({i, j, by});
    };
    for (std::size_t i = 0; i < a.layers.size(); ++i) {  // user rules, then equal names
        nameA[i] = a.layers[i]->name;
        const auto mapped = applyRules(rules, nameA[i]);
        for (const auto& [want, by] : {std::pair{mapped.value_or(std::string()), PairedBy::Rule},
                                       std::pair{nameA[i], PairedBy::Layer}}) {
            const auto it = want.empty() ? indexB.end() : indexB.find(want);
            if (!doneA[i] && it != indexB.end() && !doneB[it->second]) {
                link(i, it->second, by);
            }
        }
    }
    // Layers named differently whose weights sit at the same paths (one file with Keras 3.6's
    // name attributes, one without) are the same layers.
    const auto keysOf = [](const Side& s, std::size_t l) {
        std::string out;
        for (const auto e : s.layerEntries[l]) {
            out += s.entries[e].pathKey + '\n';
        }
        return out;
    };
    std::map<std::string, std::size_t> byKeys;
    for (std::size_t j = 0; j < b.layers.size(); ++j) {
        if (!doneB[j]) {
            byKeys.try_emplace(keysOf(b, j), j);
        }
    }
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const auto it = doneA[i] ? byKeys.end() : byKeys.find(keysOf(a, i));
        if (it != byKeys.end() && !doneB[it->second]) {
            link(i, it->second, PairedBy::Name);
        }
    }
    std::vector<std::size_t> restA, restB;
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        if (!doneA[i]) {
            restA.push_back(i);
        }
    }
    for (std::size_t j = 0; j < b.layers.size(); ++j) {
        if (!doneB[j]) {
            restB.push_back(j);
        }
    }
    std::vector<std::vector<Shape>> sigA, sigB;
    for (const auto i : restA) {
        sigA.push_back(signature(a, a.layerEntries[i]));
    }
    for (const auto j : restB) {
        sigB.push_back(signature(b, b.layerEntries[j]));
    }
    const auto same = [&](std::size_t x, std::size_t y) {
        const Layer& la = *a.layers[restA[x]];
        const Layer& lb = *b.layers[restB[y]];
        if (!la.className.empty() && !lb.className.empty() && la.className != lb.className) {
            return false;
        }
        return sigA[x] == sigB[y];
    };
    std::vector<char> alignedA(restA.size(), 0), alignedB(restB.size(), 0);
    for (const auto& [x, y] : alignInOrder(restA.size(), restB.size(), same)) {
        link(restA[x], restB[y], PairedBy::Position);
        alignedA[x] = alignedB[y] = 1;
    }
    // Out of order: a vars-layout file lists its layer groups by name, not in model order.
    for (std::size_t x = 0; x < restA.size(); ++x) {
        for (std::size_t y = 0; y < restB.size() && !alignedA[x]; ++y) {
            if (!alignedB[y] && same(x, y)) {
                link(restA[x], restB[y], PairedBy::Position);
                alignedA[x] = alignedB[y] = 1;
            }
        }
    }
    // An unmatched B layer named like an A layer that a rule matched elsewhere keeps its name,
    // but no layer key: it must not pair with that A layer's weights.
    std::set<std::string> namesOfA(nameA.begin(), nameA.end());
    const auto label = [&](Side& s, const std::vector<std::string>& names,
                           const std::vector<char>& matched, bool sideB) {
        for (std::size_t l = 0; l < s.layers.size(); ++l) {
            const bool keyed = !sideB || matched[l] || namesOfA.count(names[l]) == 0;
            for (std::size_t w = 0; w < s.layerEntries[l].size(); ++w) {
                Entry& e = s.entries[s.layerEntries[l][w]];
                e.layer = names[l];
                e.layerKey = keyed ? names[l] + "/" + std::to_string(w) : std::string();
            }
        }
    };
    label(a, nameA, doneA, false);
    label(b, nameB, doneB, true);
    return links;
}

/// Pairs the weights of two linked layers: owner by owner (by name, then by equal shapes), each
/// owner's variables by index (Keras 3 vars/<i> is the i-th of that owner's weight_names), and
/// what is left of the layer by order and shape. `pair(i, j, by)` records a pair.
template <typename PairFn>
void pairLayerWeights(const Side& a, const Side& b, const LayerLink& link, PairFn pair) {
    const auto byIndex = [&](const std::vector<std::size_t>& x, const std::vector<std::size_t>& y,
                             PairedBy by) {
        for (std::size_t k = 0; k < x.size() && k < y.size(); ++k) {
            const Entry& e = a.entries[x[k]];
            const Entry& f = b.entries[y[k]];
            if (!e.paired && !f.paired) {
                pair(x[k], y[k],
                     by == PairedBy::Layer && e.vars != f.vars ? PairedBy::WeightOrder : by);
            }
        }
    };
    const auto ownersA = ownersOf(a, link.a);
    const auto ownersB = ownersOf(b, link.b);
    if (ownersA.size() == 1 && ownersB.size() == 1) {
        byIndex(ownersA[0].entries, ownersB[0].entries, link.by);
    } else {
        std::vector<char> usedB(ownersB.size(), 0);
        std::vector<std::size_t> restA;
        for (std::size_t x = 0; x < ownersA.size(); ++x) {
            bool found = false;
            for (std::size_t y = 0; y < ownersB.size() && !found; ++y) {
                if (!usedB[y] &&
                    (ownersB[y].name == ownersA[x].name ||
                     (ownersA[x].vars && ownersB[y].vars && ownersB[y].key == ownersA[x].key))) {
                    usedB[y] = 1;
                    found = true;
                    byIndex(ownersA[x].entries, ownersB[y].entries, link.by);
                }
            }
            if (!found) {
                restA.push_back(x);
            }
        }
        for (const auto x : restA) {  // owners named differently: equal shapes, in order
            const auto sig = signature(a, ownersA[x].entries);
            for (std::size_t y = 0; y < ownersB.size(); ++y) {
                if (!usedB[y] && signature(b, ownersB[y].entries) == sig) {
                    usedB[y] = 1;
                    byIndex(ownersA[x].entries, ownersB[y].entries, PairedBy::Position);
                    break;
                }
            }
        }
    }
    std::vector<std::size_t> restA, restB;
    for (const auto i : a.layerEntries[link.a]) {
        if (!a.entries[i].paired) {
            restA.push_back(i);
        }
    }
    for (const auto j : b.layerEntries[link.b]) {
        if (!b.entries[j].paired) {
            restB.push_back(j);
        }
    }
    const auto sameShape = [&](std::size_t x, std::size_t y) {
        return a.entries[restA[x]].node->tensor()->shape() ==
               b.entries[restB[y]].node->tensor()->shape();
    };
    for (const auto& [x, y] : alignInOrder(restA.size(), restB.size(), sameShape)) {
        pair(restA[x], restB[y], PairedBy::Shape);
    }
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
    Side sa = collect(a);
    Side sb = collect(b);
    const auto links = alignLayers(sa, sb, rules);
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
            const Entry& e = sa.entries[i];
            for (const auto* s : {&e.path, &e.pathKey}) {
                const auto target = applyRules(rules, *s);
                const auto it = target ? anyB.find(*target) : anyB.end();
                if (!e.paired && it != anyB.end() && !sb.entries[it->second].paired) {
                    pair(i, it->second, PairedBy::Rule);
                }
            }
        }
    }
    // Stage 2: the weights of matched layers.
    for (const auto& link : links) {
        pairLayerWeights(sa, sb, link, pair);
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
            const Entry& e = sa.entries[i];
            const auto it = e.pathKey.empty() ? index.end() : index.find(e.pathKey);
            if (!e.paired && it != index.end() && !sb.entries[it->second].paired) {
                pair(i, it->second, PairedBy::Name);
            }
        }
    }
    // Stage 4: order and shape, model and optimizer tensors apart. When both sides have layer
    // summaries, the layer alignment already tried everything sensible for layer weights: what
    // is left of them was removed or added, not moved.
    const auto keyed = [](const Side& s) {
        return std::any_of(s.entries.begin(), s.entries.end(),
                           [](const Entry& e) { return !e.layerKey.empty(); });
    };
    const bool layersOnBothSides = keyed(sa) && keyed(sb);
    const auto open = [&](const Entry& e, bool optimizer) {
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
        const auto sameShape = [&](std::size_t x, std::size_t y) {
            return sa.entries[restA[x]].node->tensor()->shape() ==
                   sb.entries[restB[y]].node->tensor()->shape();
        };
        for (const auto& [x, y] : alignInOrder(restA.size(), restB.size(), sameShape)) {
            pair(restA[x], restB[y], PairedBy::Shape);
        }
    }
    std::vector<TensorPair> out;
    const auto keyOf = [](const Entry& e) { return e.layerKey.empty() ? e.pathKey : e.layerKey; };
    const auto layerOf = [](const Entry& e) {
        return e.layer.empty() ? groupOfKey(e.pathKey) : e.layer;
    };
    for (std::size_t i = 0; i < sa.entries.size(); ++i) {
        const Entry& e = sa.entries[i];
        const Node* other = partner[i] == SIZE_MAX ? nullptr : sb.entries[partner[i]].node;
        const bool state =
            e.optimizer && (partner[i] == SIZE_MAX || sb.entries[partner[i]].optimizer);
        out.push_back({e.node, other, keyOf(e), layerOf(e), how[i], state});
    }
    for (const Entry& e : sb.entries) {
        if (!e.paired) {
            out.push_back({nullptr, e.node, keyOf(e), layerOf(e), PairedBy::None, e.optimizer});
        }
    }
    return out;
}

}  // namespace ckpt::core
