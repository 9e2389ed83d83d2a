// How values look in the object tree: node kind, type name, value text and members.
#include "core/pyobj/object_tree.h"

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pickle/value_printer.h"
#include "core/pyobj/lazy_tree.h"
#include "core/pyobj/numpy_arrays.h"
#include "core/pyobj/object_tree_shape.h"
#include "core/pyobj/python_idioms.h"
#include "core/pyobj/reconstructors.h"

namespace ckpt::core::pyobj {

using pickle::asStr;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

std::string scalarTypeName(ValueKind k) {
    return treeTypeName(k);
}

/// Fills an archive node from a nested checkpoint or tar listing.

}  // namespace

std::string ObjectTreeBuilder::keyName(ValueId key) const {
    return treeKeyName(m_graph, key);
}

std::string ObjectTreeBuilder::valueText(ValueId id) const {
    return treeValueText(m_graph, id, m_limits.maxValueChars);
}

bool ObjectTreeBuilder::referenceable(ValueId id) const {
    if (m_recognitions.tensors.contains(id) || m_recognitions.archives.contains(id)) {
        return true;
    }
    switch (m_graph[id].kind) {
        case ValueKind::List:
        case ValueKind::Dict:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
        case ValueKind::Object:
        case ValueKind::PersistentRef:
            return true;
        case ValueKind::Tuple:
            return !m_graph[id].items.empty();
        case ValueKind::Call:
            return !numpyScalar(m_graph, id) && !numpyDtype(m_graph, id) &&
                   !isBytesCall(m_graph, id);
        default:
            return false;
    }
}

void ObjectTreeBuilder::addMember(std::vector<Member>& members, Member m) const {
    if (members.size() < m_room) {
        members.push_back(std::move(m));
    } else {
        ++m_elided;
    }
}

void ObjectTreeBuilder::addEntries(ValueId id, std::vector<Member>& members) const {
    const pickle::Value& v = m_graph[id];
    for (const auto& [k, val] : v.entries) {
        addMember(members, {keyName(k), val});
    }
    if (v.kind != ValueKind::Dict) {
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            addMember(members, {std::to_string(i), v.items[i]});
        }
    }
}

void ObjectTreeBuilder::addStateMembers(ValueId state, std::vector<Member>& members) const {
    const ValueGraph& g = m_graph;
    const pickle::Value& s = g[state];
    if (s.kind == ValueKind::Dict) {
        addEntries(state, members);
        return;
    }
    // (dict state, slot state) as object.__reduce_ex__ writes for __slots__.
    if (s.kind == ValueKind::Tuple && s.items.size() == 2 &&
        (g[s.items[0]].kind == ValueKind::Dict || g[s.items[0]].kind == ValueKind::None) &&
        (g[s.items[1]].kind == ValueKind::Dict || g[s.items[1]].kind == ValueKind::None) &&
        (g[s.items[0]].kind == ValueKind::Dict || g[s.items[1]].kind == ValueKind::Dict)) {
        for (const ValueId part : s.items) {
            if (g[part].kind == ValueKind::Dict) {
                addEntries(part, members);
            }
        }
        return;
    }
    if (s.kind == ValueKind::Tuple || s.kind == ValueKind::List) {
        for (std::size_t i = 0; i < s.items.size(); ++i) {
            addMember(members, {std::to_string(i), s.items[i]});
        }
        return;
    }
    addMember(members, {"<state>", state});
}

bool ObjectTreeBuilder::addModuleMembers(ValueId module, std::vector<Member>& members) const {
    const ValueGraph& g = m_graph;
    const ValueId state = moduleStateOf(g, module);
    if (state == pickle::kNoValue) {
        return false;
    }
    // The outermost module shows its whole state_dict ("fc1.weight"); modules inside it show
    // their own tensors by name, which are then references to those paths.
    const auto all = moduleStateDict(g, module, m_recognitions);
    if (!all.empty() && !m_seen.contains(all.front().second)) {
        for (const auto& [name, id] : all) {
            addMember(members, {name, id});
        }
    } else {
        for (const char* group : {"_parameters", "_buffers"}) {
            if (const auto d = pickle::dictGet(g, state, group)) {
                for (const auto& [k, v] : dictPairs(g, *d)) {
                    if (g[v].kind != ValueKind::None) {
                        addMember(members, {keyName(k), v});
                    }
                }
            }
        }
    }
    if (const auto d = pickle::dictGet(g, state, "_modules")) {
        for (const auto& [k, v] : dictPairs(g, *d)) {
            if (g[v].kind != ValueKind::None) {
                addMember(members, {keyName(k), v});
            }
        }
    }
    for (const auto& [k, v] : g[state].entries) {
        const std::string name = keyName(k);
        if (name == "_parameters" || name == "_buffers" || name == "_modules" ||
            (name.starts_with("_") && isEmptyValue(g, v))) {
            continue;
        }
        addMember(members, {name, v});
    }
    return true;
}

std::string ObjectTreeBuilder::className(ValueId cls) const {
    std::string name = describeCallable(m_graph, cls);
    if (const auto attrs = m_recognitions.extraAttributes.find(cls);
        attrs != m_recognitions.extraAttributes.end()) {
        for (const auto& [k, v] : attrs->second) {
            const auto qualname = asStr(m_graph, v);
            if (asStr(m_graph, k) == std::optional<std::string_view>("__qualname__") && qualname) {
                const auto dot = name.rfind('.');
                return (dot == std::string::npos ? "" : name.substr(0, dot + 1)) +
                       std::string(*qualname);
            }
        }
    }
    // cloudpickle names a class's module only in the state given by _class_setstate.
    const auto extra = m_recognitions.extraStates.find(cls);
    if (extra == m_recognitions.extraStates.end() || name.find('.') != std::string::npos) {
        return name;
    }
    for (const ValueId state : extra->second) {
        const auto* parts = sequenceItems(m_graph, state);
        const ValueId dict = parts != nullptr && !parts->empty() ? (*parts)[0] : state;
        if (const auto m = pickle::dictGet(m_graph, dict, "__module__")) {
            if (const auto module = asStr(m_graph, *m)) {
                return std::string(*module) + "." + name;
            }
        }
    }
    return name;
}

ObjectTreeBuilder::Shape ObjectTreeBuilder::shapeOf(ValueId id) {
    const ValueGraph& g = m_graph;
    const pickle::Value& v = g[id];
    Shape s;
    if (const auto t = m_recognitions.tensors.find(id); t != m_recognitions.tensors.end()) {
        s.kind = NodeKind::Tensor;
        s.typeName = t->second.typeName;
        s.attributes = t->second.attributes;
        s.tensor = &t->second;
        return s;
    }
    if (const auto a = m_recognitions.archives.find(id); a != m_recognitions.archives.end()) {
        s.kind = NodeKind::Archive;
        s.archive = &a->second;
        return s;
    }
    switch (v.kind) {
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
        case ValueKind::Dict:
            s.kind = NodeKind::Group;
            s.typeName = scalarTypeName(v.kind);
            if (v.kind == ValueKind::Dict) {
                addEntries(id, s.members);
            } else {
                for (std::size_t i = 0; i < v.items.size(); ++i) {
                    addMember(s.members, {std::to_string(i), v.items[i]});
                }
            }
            return s;
        case ValueKind::Global:
            s.typeName = "global";
            s.value = g.global(id).qualified();
            return s;
        case ValueKind::PersistentRef:
            s.typeName = "persistent_id";
            s.value = valueText(v.pid);
            return s;
        case ValueKind::Buffer:
            s.typeName = "buffer";
            s.value = "out-of-band buffer #" + std::to_string(v.integer);
            return s;
        case ValueKind::Extension:
            s.typeName = "extension";
            s.value = "copyreg extension code " + std::to_string(v.integer);
            return s;
        case ValueKind::Call:
        case ValueKind::Object:
            break;
        default:
            s.typeName = scalarTypeName(v.kind);
            s.value = valueText(id);
            return s;
    }
    // Calls and objects.
    if (const auto scalar = numpyScalar(g, id)) {
        s.typeName = scalar->typeName;
        s.value = scalar->text;
        return s;
    }
    if (const auto dtype = numpyDtype(g, id)) {
        s.typeName = "numpy.dtype";
        s.value = dtype->descr;
        return s;
    }
    if (isBytesCall(g, id)) {
        s.typeName = "bytes";
        s.value = valueText(id);
        return s;
    }
    if (const auto keras = pickledKerasModel(g, id, m_recognitions)) {
        s.kind = NodeKind::Object;
        s.typeName = keras->className;
        s.attributes["reconstructor"] = keras->reconstructor;
        s.archive = keras->archive;
        s.archiveValue = keras->archiveValue;
        s.archiveName = keras->archive->format == "tar" ? "saved_model.tar" : "model.keras";
        if (const auto* args = sequenceItems(g, v.args)) {  // shown again, as references
            for (std::size_t i = 0; i < args->size(); ++i) {
                addMember(s.members, {"<arg" + std::to_string(i) + ">", (*args)[i]});
            }
        }
        return s;
    }
    s.kind = NodeKind::Object;
    if (const auto array = numpyArray(g, id)) {  // object arrays; numeric ones are tensors
        s.typeName = "numpy.ndarray";
        s.attributes["dtype"] = array->dtype.isObject ? "object" : array->dtype.descr;
        s.attributes["shape"] = array->shape;
        if (const auto* items = sequenceItems(g, array->data)) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                addMember(s.members, {std::to_string(i), (*items)[i]});
            }
        }
        return s;
    }
    const auto callee = pickle::calleeName(g, id);
    const auto* args = sequenceItems(g, v.args);
    bool argsShown = false;
    if (const auto r = v.kind == ValueKind::Call ? reconstructed(g, id) : std::nullopt) {
        s.typeName = r->kind == "class" ? "class " + className(id) : r->typeName;
        s.attributes["reconstructor"] = r->reconstructor;
        s.attributes["rebuilds"] = r->kind;
    } else if (callee && callee->module == "builtins" && callee->name == "getattr" &&
               args != nullptr && args->size() == 2 && asStr(g, (*args)[1])) {
        s.typeName = describeCallable(g, id);  // "<class of the object>.<attribute>"
        s.attributes["reconstructor"] = "builtins.getattr";
    } else if (const auto dictType = dictLikeCall(g, id)) {
        s.kind = NodeKind::Group;
        s.typeName = *dictType;
        if (args != nullptr && !args->empty()) {
            if (dictType->ends_with("defaultdict")) {
                s.attributes["default_factory"] = describeCallable(g, (*args)[0]);
            } else {
                for (const auto& [k, val] : dictPairs(g, (*args)[0])) {
                    addMember(s.members, {keyName(k), val});
                }
            }
        }
        argsShown = true;
    } else if (const auto setType = sequenceCall(g, id)) {
        s.kind = NodeKind::Group;
        s.typeName = *setType;
        if (const auto* items = args && !args->empty() ? sequenceItems(g, (*args)[0]) : nullptr) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                addMember(s.members, {std::to_string(i), (*items)[i]});
            }
        }
        argsShown = true;
    } else if (callee &&
               (callee->name == "_reconstructor" || callee->name == "__newobj__" ||
                callee->name == "__newobj_ex__") &&
               (callee->module == "copyreg" || callee->module == "copy_reg") && args != nullptr &&
               !args->empty()) {
        s.typeName = describeCallable(g, (*args)[0]);
        argsShown = true;
    } else {
        s.typeName = className(v.func);
        if (v.kind == ValueKind::Call) {
            s.attributes["reduce"] = true;  // made by calling typeName(args)
        }
    }
    const bool module = addModuleMembers(id, s.members);
    if (!argsShown && args != nullptr) {
        for (std::size_t i = 0; i < args->size(); ++i) {
            addMember(s.members, {"<arg" + std::to_string(i) + ">", (*args)[i]});
        }
    } else if (!argsShown && g.contains(v.args)) {
        addMember(s.members, {"<args>", v.args});
    }
    if (g.contains(v.kwargs)) {
        for (const auto& [k, val] : g[v.kwargs].entries) {
            addMember(s.members, {"<" + keyName(k) + "=>", val});
        }
    }
    for (const ValueId state : v.states) {
        if (!module || g[state].kind != ValueKind::Dict) {
            addStateMembers(state, s.members);
        }
    }
    if (const auto extra = m_recognitions.extraStates.find(id);
        extra != m_recognitions.extraStates.end()) {
        for (const ValueId state : extra->second) {
            addStateMembers(state, s.members);
        }
    }
    if (const auto attrs = m_recognitions.extraAttributes.find(id);
        attrs != m_recognitions.extraAttributes.end()) {
        for (const auto& [k, val] : attrs->second) {
            addMember(s.members, {keyName(k), val});
        }
    }
    addEntries(id, s.members);
    return s;
}

}  // namespace ckpt::core::pyobj
