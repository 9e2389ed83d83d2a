#include "core/diff/layer_pairing.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/diff/sequence_align.h"

namespace ckpt::core::pairing {
namespace {

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

}  // namespace

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

void pairLayerWeights(const Side& a, const Side& b, const LayerLink& link, const PairFn& pair) {
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
    pairInOrderByShape(a, b, restA, restB, pair);
}

void pairInOrderByShape(const Side& a, const Side& b, const std::vector<std::size_t>& restA,
                        const std::vector<std::size_t>& restB, const PairFn& pair) {
    const auto sameShape = [&](std::size_t x, std::size_t y) {
        return a.entries[restA[x]].node->tensor()->shape() ==
               b.entries[restB[y]].node->tensor()->shape();
    };
    for (const auto& [x, y] : alignInOrder(restA.size(), restB.size(), sameShape)) {
        pair(restA[x], restB[y], PairedBy::Shape);
    }
}

}  // namespace ckpt::core::pairing
