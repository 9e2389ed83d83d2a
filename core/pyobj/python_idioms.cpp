#include "core/pyobj/python_idioms.h"

#include <unordered_set>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/reconstructors.h"

namespace ckpt::core::pyobj {

using pickle::asStr;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

constexpr std::size_t kMaxModules = 100'000;

/// The last dict state BUILD gave to `id`, or kNoValue.
ValueId dictState(const ValueGraph& g, ValueId id) {
    const auto& states = g[id].states;
    for (auto it = states.rbegin(); it != states.rend(); ++it) {
        if (g[*it].kind == ValueKind::Dict) {
            return *it;
        }
    }
    return pickle::kNoValue;
}

std::unordered_set<std::string> stringSet(const ValueGraph& g, ValueId id) {
    std::unordered_set<std::string> out;
    if (!g.contains(id)) {
        return out;
    }
    const pickle::ItemList* items = &g.items(id);
    if (g[id].kind == ValueKind::Call) {  // set(['a']) at protocol 2
        const auto* args = sequenceItems(g, g[id].args);
        items = args != nullptr && !args->empty() && sequenceItems(g, (*args)[0])
                    ? sequenceItems(g, (*args)[0])
                    : items;
    }
    for (const ValueId i : *items) {
        if (const auto s = asStr(g, i)) {
            out.emplace(*s);
        }
    }
    return out;
}

}  // namespace

bool isBytesCall(const ValueGraph& g, ValueId id) {
    const auto c = pickle::calleeName(g, id);
    return c && g[id].kind == ValueKind::Call &&
           ((c->module == "_codecs" && c->name == "encode") ||
            (c->module == "builtins" && (c->name == "bytes" || c->name == "bytearray")));
}

std::optional<std::string> dictLikeCall(const ValueGraph& g, ValueId id) {
    const auto c = pickle::calleeName(g, id);
    if (!c || g[id].kind != ValueKind::Call) {
        return std::nullopt;
    }
    if (c->module == "collections" &&
        (c->name == "OrderedDict" || c->name == "defaultdict" || c->name == "Counter")) {
        return c->qualified();
    }
    if (c->module == "builtins" && c->name == "dict") {
        return std::string("dict");
    }
    return std::nullopt;
}

std::optional<std::string> sequenceCall(const ValueGraph& g, ValueId id) {
    const auto c = pickle::calleeName(g, id);
    if (!c || g[id].kind != ValueKind::Call || c->module != "builtins") {
        return std::nullopt;
    }
    if (c->name == "set" || c->name == "frozenset" || c->name == "list" || c->name == "tuple") {
        return std::string(c->name);
    }
    return std::nullopt;
}

std::vector<std::pair<ValueId, ValueId>> dictPairs(const ValueGraph& g, ValueId id) {
    std::vector<std::pair<ValueId, ValueId>> out;
    if (!g.contains(id)) {
        return out;
    }
    const pickle::Value& v = g[id];
    if (v.kind == ValueKind::List || v.kind == ValueKind::Tuple) {
        for (const ValueId item : v.items) {
            const auto* pair = sequenceItems(g, item);
            if (pair != nullptr && pair->size() == 2) {
                out.emplace_back((*pair)[0], (*pair)[1]);
            }
        }
        return out;
    }
    if (v.kind == ValueKind::Call && dictLikeCall(g, id)) {
        const auto* args = sequenceItems(g, v.args);
        if (args != nullptr && !args->empty() && g.contains((*args)[0]) &&
            g[(*args)[0]].kind != ValueKind::Call) {
            out = dictPairs(g, (*args)[0]);
        }
    }
    if (v.kind == ValueKind::Dict || v.kind == ValueKind::Call) {
        out.insert(out.end(), v.entries.begin(), v.entries.end());
    }
    return out;
}

ValueId moduleStateOf(const ValueGraph& g, ValueId id) {
    if (!g.contains(id)) {
        return pickle::kNoValue;
    }
    const ValueId state = dictState(g, id);
    return g.contains(state) && pickle::dictGet(g, state, "_parameters") &&
                   pickle::dictGet(g, state, "_modules")
               ? state
               : pickle::kNoValue;
}

bool isEmptyValue(const ValueGraph& g, ValueId id) {
    if (!g.contains(id)) {
        return true;
    }
    const pickle::Value& v = g[id];
    switch (v.kind) {
        case ValueKind::None:
            return true;
        case ValueKind::Dict:
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
            return v.items.empty() && v.entries.empty();
        case ValueKind::Call: {
            const auto* args = sequenceItems(g, v.args);
            const bool noArgs = args == nullptr || args->empty() ||
                                (args->size() == 1 && sequenceItems(g, (*args)[0]) != nullptr &&
                                 sequenceItems(g, (*args)[0])->empty());
            return (dictLikeCall(g, id) || sequenceCall(g, id)) && noArgs && v.items.empty() &&
                   v.entries.empty() && v.states.empty();
        }
        default:
            return false;
    }
}

std::vector<std::pair<std::string, ValueId>> moduleStateDict(const ValueGraph& g, ValueId module,
                                                             const Recognitions& r) {
    std::vector<std::pair<std::string, ValueId>> found;
    std::vector<std::pair<ValueId, std::string>> stack{{module, ""}};
    std::unordered_set<ValueId> visited;
    while (!stack.empty() && visited.size() < kMaxModules) {
        auto [id, prefix] = std::move(stack.back());
        stack.pop_back();
        if (!g.contains(id) || !visited.insert(id).second) {
            continue;
        }
        const ValueId state = dictState(g, id);
        const auto params =
            g.contains(state) ? pickle::dictGet(g, state, "_parameters") : std::nullopt;
        const auto modules =
            g.contains(state) ? pickle::dictGet(g, state, "_modules") : std::nullopt;
        if (!params || !modules) {
            if (id == module) {
                return {};
            }
            continue;
        }
        for (const auto& [k, v] : dictPairs(g, *params)) {
            if (const auto name = asStr(g, k); name && r.tensors.contains(v)) {
                found.emplace_back(prefix + std::string(*name), v);
            }
        }
        if (const auto buffers = pickle::dictGet(g, state, "_buffers")) {
            std::unordered_set<std::string> skip;
            if (const auto np = pickle::dictGet(g, state, "_non_persistent_buffers_set")) {
                skip = stringSet(g, *np);
            }
            for (const auto& [k, v] : dictPairs(g, *buffers)) {
                const auto name = asStr(g, k);
                if (name && r.tensors.contains(v) && !skip.contains(std::string(*name))) {
                    found.emplace_back(prefix + std::string(*name), v);
                }
            }
        }
        const auto children = dictPairs(g, *modules);
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
            if (const auto name = asStr(g, it->first)) {
                stack.emplace_back(it->second, prefix + std::string(*name) + ".");
            }
        }
    }
    return found;
}

std::optional<PickledKerasModel> pickledKerasModel(const ValueGraph& g, ValueId id,
                                                   const Recognitions& r) {
    if (g[id].kind != ValueKind::Call) {
        return std::nullopt;
    }
    const auto* args = sequenceItems(g, g[id].args);
    if (args == nullptr || args->empty()) {
        return std::nullopt;
    }
    PickledKerasModel m;
    const ValueId func = g[id].func;
    const auto callee = pickle::calleeName(g, id);
    if (callee && callee->name == "deserialize_model_from_bytecode" &&
        callee->module.ends_with("pickle_utils")) {
        m.className = "keras.Model";
        m.reconstructor = callee->qualified();
    } else if (callee && callee->name == "unpack_keras_model" &&
               callee->module.starts_with("scikeras")) {
        m.className = "keras.Model";
        m.reconstructor = callee->qualified();
    } else if (g.contains(func) && g[func].kind == ValueKind::Call && pickle::calleeName(g, func) &&
               pickle::calleeName(g, func)->qualified() == "builtins.getattr") {
        const auto* fargs = sequenceItems(g, g[func].args);
        if (fargs == nullptr || fargs->size() != 2 ||
            asStr(g, (*fargs)[1]) != std::optional<std::string_view>("_unpickle_model")) {
            return std::nullopt;
        }
        m.className = describeCallable(g, (*fargs)[0]);
        m.reconstructor = m.className + "._unpickle_model";
    } else {
        return std::nullopt;
    }
    // The archive: the argument itself, or the bytes inside an io.BytesIO.
    ValueId holder = (*args)[0];
    if (!r.archives.contains(holder) && g[holder].kind == ValueKind::Object &&
        !g[holder].states.empty()) {
        const auto* state = sequenceItems(g, g[holder].states.back());
        if (state != nullptr && !state->empty()) {
            holder = (*state)[0];
        }
    }
    const auto it = r.archives.find(holder);
    if (it == r.archives.end()) {
        return std::nullopt;
    }
    m.archive = &it->second;
    m.archiveValue = holder;
    return m;
}

}  // namespace ckpt::core::pyobj
