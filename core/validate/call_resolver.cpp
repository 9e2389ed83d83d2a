#include "core/validate/call_resolver.h"

#include <string_view>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core {
namespace {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

constexpr int kMaxResolveDepth = 32;

bool isOneOf(const pickle::GlobalName& n, std::initializer_list<std::string_view> qualified) {
    const std::string q = n.qualified();
    for (const auto candidate : qualified) {
        if (q == candidate) {
            return true;
        }
    }
    return false;
}

bool isGetattr(const pickle::GlobalName& n) {
    return isOneOf(n, {"builtins.getattr", "dill._dill._get_attr", "dill.dill._get_attr"});
}

bool isImportByName(const pickle::GlobalName& n) {
    return isOneOf(n, {"importlib.import_module", "builtins.__import__", "importlib.__import__",
                       "dill._dill._import_module", "dill.dill._import_module",
                       "cloudpickle.cloudpickle.subimport", "cloudpickle.subimport",
                       "cloudpickle.cloudpickle.dynamic_subimport"});
}

bool isResolveName(const pickle::GlobalName& n) {
    return isOneOf(n, {"pkgutil.resolve_name"});
}

bool isPartial(const pickle::GlobalName& n) {
    return isOneOf(n, {"functools.partial", "_functools.partial"});
}

bool isReduce(const pickle::GlobalName& n) {
    return isOneOf(n, {"functools.reduce", "_functools.reduce"});
}

/// An indirection whose result, when called, runs something the scanner cannot always name.
bool isIndirection(const pickle::GlobalName& n) {
    return isGetattr(n) || isImportByName(n) || isResolveName(n) || isPartial(n) ||
           isOneOf(n, {"operator.attrgetter", "_operator.attrgetter", "operator.methodcaller",
                       "_operator.methodcaller", "operator.itemgetter", "_operator.itemgetter"});
}

std::optional<std::string> strArg(const ValueGraph& g, ValueId call, std::size_t i) {
    const auto* args = pickle::sequenceItems(g, g[call].args);
    if (args == nullptr || i >= args->size()) {
        return std::nullopt;
    }
    if (const auto s = pickle::asStr(g, (*args)[i])) {
        return std::string(*s);
    }
    return std::nullopt;
}

ValueId arg(const ValueGraph& g, ValueId call, std::size_t i) {
    const auto* args = pickle::sequenceItems(g, g[call].args);
    return args != nullptr && i < args->size() ? (*args)[i] : pickle::kNoValue;
}

bool isCallLike(const ValueGraph& g, ValueId id) {
    return g.contains(id) && (g[id].kind == ValueKind::Call || g[id].kind == ValueKind::Object);
}

std::optional<std::string> resolve(const ValueGraph& g, ValueId id, int depth) {
    if (depth > kMaxResolveDepth || !g.contains(id)) {
        return std::nullopt;
    }
    const auto& v = g[id];
    if (v.kind == ValueKind::Global) {
        if (v.has(pickle::ValueFlag::ComputedName)) {
            return std::nullopt;
        }
        return g.global(id).qualified();
    }
    if (v.kind != ValueKind::Call) {
        return std::nullopt;
    }
    if (const auto callee = pickle::calleeName(g, id)) {
        if (isGetattr(*callee)) {
            const auto base = resolve(g, arg(g, id, 0), depth + 1);
            const auto attr = strArg(g, id, 1);
            if (base && attr) {
                return *base + "." + *attr;
            }
            return std::nullopt;
        }
        if (isImportByName(*callee)) {
            return strArg(g, id, 0);
        }
        if (isResolveName(*callee)) {
            auto name = strArg(g, id, 0);
            if (name) {
                for (char& c : *name) {
                    c = c == ':' ? '.' : c;
                }
            }
            return name;
        }
        return std::nullopt;
    }
    // attrgetter('a.b')(X) and itemgetter(k)(sys.modules).
    if (!isCallLike(g, v.func)) {
        return std::nullopt;
    }
    const auto maker = pickle::calleeName(g, v.func);
    if (!maker) {
        return std::nullopt;
    }
    if (isOneOf(*maker, {"operator.attrgetter", "_operator.attrgetter"})) {
        const auto base = resolve(g, arg(g, id, 0), depth + 1);
        const auto attr = strArg(g, v.func, 0);
        if (base && attr) {
            return *base + "." + *attr;
        }
    }
    if (isOneOf(*maker, {"operator.itemgetter", "_operator.itemgetter"})) {
        const auto base = resolve(g, arg(g, id, 0), depth + 1);
        const auto key = strArg(g, v.func, 0);
        if (base && *base == "sys.modules" && key) {
            return key;
        }
    }
    return std::nullopt;
}

/// The target of a functools.partial value: its first argument, or the first item of the state
/// tuple that BUILD hands to partial.__setstate__.
ValueId partialTarget(const ValueGraph& g, ValueId id) {
    if (const ValueId a = arg(g, id, 0); a != pickle::kNoValue) {
        return a;
    }
    for (const ValueId s : g[id].states) {
        if (const auto* items = pickle::sequenceItems(g, s); items != nullptr && !items->empty()) {
            return items->front();
        }
    }
    return pickle::kNoValue;
}

}  // namespace

std::optional<std::string> resolveDottedName(const ValueGraph& g, ValueId id) {
    return resolve(g, id, 0);
}

std::optional<IndirectCall> resolveIndirectCall(const ValueGraph& g, ValueId id) {
    if (!isCallLike(g, id)) {
        return std::nullopt;
    }
    const auto& v = g[id];
    if (const auto callee = pickle::calleeName(g, id)) {
        // partial(f, ...) and reduce(f, ...) hand their first argument to a later call.
        if (isPartial(*callee) || isReduce(*callee)) {
            const ValueId target = isPartial(*callee) ? partialTarget(g, id) : arg(g, id, 0);
            // A partial of a function the scanner cannot name (one rebuilt by dill) is judged
            // where that function is made, not here.
            auto name = resolve(g, target, 0);
            if (!name) {
                return std::nullopt;
            }
            return IndirectCall{std::move(*name), callee->qualified()};
        }
        return std::nullopt;
    }
    if (v.kind != ValueKind::Call || !isCallLike(g, v.func)) {
        return std::nullopt;
    }
    const auto maker = pickle::calleeName(g, v.func);
    if (maker && isOneOf(*maker, {"operator.methodcaller", "_operator.methodcaller"})) {
        const auto base = resolve(g, arg(g, id, 0), 0);
        const auto method = strArg(g, v.func, 0);
        return IndirectCall{base && method ? *base + "." + *method : "", maker->qualified()};
    }
    if (maker && isPartial(*maker)) {
        const ValueId target = partialTarget(g, v.func);
        return IndirectCall{resolve(g, target, 0).value_or(""), maker->qualified()};
    }
    if (const auto name = resolve(g, v.func, 0)) {
        return IndirectCall{*name, maker ? maker->qualified() : std::string("a lookup")};
    }
    // A callable computed by an indirection the chain could not follow.
    bool indirect = maker && isIndirection(*maker);
    if (!indirect && isCallLike(g, v.func) && isCallLike(g, g[v.func].func)) {
        if (const auto inner = pickle::calleeName(g, g[v.func].func)) {
            indirect = isIndirection(*inner);  // attrgetter(...)(X)(...), itemgetter(...)(X)(...)
        }
    }
    if (indirect) {
        return IndirectCall{"", maker ? maker->qualified() : std::string("operator")};
    }
    return std::nullopt;
}

}  // namespace ckpt::core
