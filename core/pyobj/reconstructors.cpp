#include "core/pyobj/reconstructors.h"

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core::pyobj {

using pickle::asStr;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

constexpr int kMaxDepth = 16;

const pickle::ItemList& noItems() {
    static const pickle::ItemList empty;
    return empty;
}

const pickle::ItemList& argsOf(const ValueGraph& g, ValueId call) {
    const auto* a = sequenceItems(g, g[call].args);
    return a != nullptr ? *a : noItems();
}

std::string strArg(const ValueGraph& g, std::span<const ValueId> args, std::size_t i) {
    if (i < args.size()) {
        if (const auto s = asStr(g, args[i])) {
            return std::string(*s);
        }
    }
    return {};
}

/// co_qualname (3.11+) or co_name of a code object built by CodeType(...) or dill's
/// _create_code(...): the direct str arguments are co_filename, co_name[, co_qualname].
std::string codeName(const ValueGraph& g, ValueId code) {
    if (!g.contains(code) || g[code].kind != ValueKind::Call) {
        return {};
    }
    std::vector<std::string_view> strs;
    for (const ValueId a : argsOf(g, code)) {
        if (const auto s = asStr(g, a)) {
            strs.push_back(*s);
        }
    }
    return strs.size() >= 3 ? std::string(strs[2]) : strs.size() == 2 ? std::string(strs[1]) : "";
}

std::string functionName(const ValueGraph& g, std::span<const ValueId> args,
                         std::size_t nameIndex) {
    std::string name = strArg(g, args, nameIndex);
    if (name.empty() && !args.empty()) {
        name = codeName(g, args[0]);
    }
    return "function " + (name.empty() ? std::string("<unknown>") : name);
}

}  // namespace

bool isDillModule(std::string_view module) {
    return module == "dill" || module == "dill._dill" || module == "dill.dill";
}

bool isCloudpickleModule(std::string_view module) {
    return module == "cloudpickle" || module.starts_with("cloudpickle.");
}

std::optional<Reconstructed> reconstructed(const ValueGraph& g, ValueId call) {
    const auto callee = pickle::calleeName(g, call);
    if (!callee || g[call].kind != ValueKind::Call) {
        return std::nullopt;
    }
    const std::string_view name = callee->name;
    const auto& args = argsOf(g, call);
    Reconstructed r;
    r.reconstructor = callee->qualified();
    if (isDillModule(callee->module)) {
        if (name == "_create_lock") {
            r = {"_thread.lock", "lock", r.reconstructor};
        } else if (name == "_create_rlock") {
            r = {"_thread.RLock", "rlock", r.reconstructor};
        } else if (name == "_create_filehandle") {
            // (name, mode, position, closed, open, strictio, fmode, fdata): the class open()
            // would return for that mode.
            const std::string mode = strArg(g, args, 1);
            const bool binary = mode.find('b') != std::string::npos;
            const bool plus = mode.find('+') != std::string::npos;
            const bool reading = mode.find('r') != std::string::npos;
            r = {!binary   ? "_io.TextIOWrapper"
                 : plus    ? "_io.BufferedRandom"
                 : reading ? "_io.BufferedReader"
                           : "_io.BufferedWriter",
                 "file", r.reconstructor};
        } else if (name == "_create_function") {
            r = {functionName(g, args, 2), "function", r.reconstructor};
        } else if (name == "_create_code") {
            r = {"code " + codeName(g, call), "code", r.reconstructor};
        } else if (name == "_create_type") {
            std::string module;
            std::string cls = strArg(g, args, 1);
            if (args.size() > 3) {
                if (const auto m = pickle::dictGet(g, args[3], "__module__")) {
                    module = std::string(asStr(g, *m).value_or(""));
                }
                if (const auto q = pickle::dictGet(g, args[3], "__qualname__")) {
                    cls = std::string(asStr(g, *q).value_or(cls));
                }
            }
            r = {"class " + (module.empty() ? cls : module + "." + cls), "class", r.reconstructor};
        } else if (name == "_load_type") {
            r = {"type " + strArg(g, args, 0), "type", r.reconstructor};
        } else if (name == "_get_attr" && args.size() == 2) {
            r = {describeCallable(g, args[0], 1) + "." + strArg(g, args, 1), "attribute",
                 r.reconstructor};
        } else if (name == "_import_module") {
            r = {"module " + strArg(g, args, 0), "module", r.reconstructor};
        } else if (name == "_create_cell") {
            r = {"cell", "cell", r.reconstructor};
        } else if (name == "_create_namedtuple") {
            r = {"class " + strArg(g, args, 2) + "." + strArg(g, args, 0), "class",
                 r.reconstructor};
        } else if (name == "_create_stringi" || name == "_create_stringo") {
            r = {"_io.StringIO", "file", r.reconstructor};
        } else if (name == "_eval_repr") {
            r = {"eval " + strArg(g, args, 0), "eval", r.reconstructor};
        } else {
            return std::nullopt;
        }
        return r;
    }
    if (isCloudpickleModule(callee->module)) {
        if (name == "_make_function") {
            r = {functionName(g, args, 2), "function", r.reconstructor};
        } else if (name == "_make_skeleton_class" || name == "_make_skeleton_enum") {
            r = {"class " + strArg(g, args, 1), "class", r.reconstructor};
        } else if (name == "_file_reconstructor") {
            r = {"_io.StringIO", "file", r.reconstructor};
        } else if (name == "_builtin_type") {
            r = {"type " + strArg(g, args, 0), "type", r.reconstructor};
        } else if (name == "_make_cell" || name == "_make_empty_cell") {
            r = {"cell", "cell", r.reconstructor};
        } else if (name == "subimport" || name == "dynamic_subimport") {
            r = {"module " + strArg(g, args, 0), "module", r.reconstructor};
        } else {
            return std::nullopt;
        }
        return r;
    }
    if (callee->module == "types" && callee->name == "FunctionType") {
        return Reconstructed{functionName(g, args, 2), "function", r.reconstructor};
    }
    if (callee->module == "types" && callee->name == "CodeType") {
        return Reconstructed{"code " + codeName(g, call), "code", r.reconstructor};
    }
    // A call of a built type: _builtin_type('CodeType')(...) / _load_type('CodeType')(...).
    if (g.contains(g[call].func) && g[g[call].func].kind == ValueKind::Call) {
        if (const auto inner = reconstructed(g, g[call].func); inner && inner->kind == "type") {
            const std::string type = inner->typeName.substr(5);
            if (type == "CodeType" || type == "code") {
                return Reconstructed{"code " + codeName(g, call), "code", inner->reconstructor};
            }
            if (type == "FunctionType" || type == "function") {
                return Reconstructed{functionName(g, args, 2), "function", inner->reconstructor};
            }
        }
    }
    return std::nullopt;
}

std::string describeCallable(const ValueGraph& g, ValueId id, int depth) {
    if (!g.contains(id) || depth > kMaxDepth) {
        return "<unknown>";
    }
    const auto& v = g[id];
    switch (v.kind) {
        case ValueKind::Global:
            return g.global(id).qualified();
        case ValueKind::PersistentRef: {
            // Legacy torch.save of whole modules: ('module', cls, source_file, source).
            const auto* pid = sequenceItems(g, v.pid);
            if (pid != nullptr && pid->size() >= 2 && asStr(g, (*pid)[0]) == "module") {
                return describeCallable(g, (*pid)[1], depth + 1);
            }
            return "<persistent object>";
        }
        case ValueKind::Call: {
            if (const auto r = reconstructed(g, id)) {
                for (const char* prefix : {"class ", "type "}) {
                    if (r->typeName.starts_with(prefix)) {
                        return r->typeName.substr(std::string_view(prefix).size());
                    }
                }
                return r->typeName;
            }
            const auto callee = pickle::calleeName(g, id);
            const auto& args = argsOf(g, id);
            if (callee && callee->module == "builtins" && callee->name == "getattr" &&
                args.size() == 2) {
                return describeCallable(g, args[0], depth + 1) + "." + strArg(g, args, 1);
            }
            return describeCallable(g, v.func, depth + 1) + "(...)";
        }
        case ValueKind::Str:
            return std::string(g.text(id));
        default:
            return "<" + std::string(pickle::valueKindName(v.kind)) + ">";
    }
}

}  // namespace ckpt::core::pyobj
