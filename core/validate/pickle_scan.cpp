#include "core/validate/pickle_scan.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/validate/call_policy.h"
#include "core/validate/call_resolver.h"
#include "core/validate/global_rules.h"
#include "core/validate/member_paths.h"
#include "core/validate/policy.h"

namespace ckpt::core {
namespace {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

class Scanner {
public:
    Scanner(const ValueGraph& g, const std::vector<ValueId>& roots, std::string member,
            const Policy* policy)
        : m_g(g), m_roots(roots), m_member(std::move(member)), m_policy(policy) {}

    std::vector<Finding> run() {
        if (m_policy != nullptr && !m_policy->deny.empty()) {
            denied();
        }
        std::set<ValueId> reportedGlobals;
        std::map<ValueId, ValueId> firstCaller;  // extension -> the call that uses it (paths)
        for (const ValueId id : m_g.nonPlainIds()) {
            if (m_g.kind(id) != ValueKind::Call && m_g.kind(id) != ValueKind::Object) {
                continue;  // every rule below starts from a call or an object
            }
            const auto v = m_g[id];
            if ((v.kind == ValueKind::Call || v.kind == ValueKind::Object) &&
                m_g.contains(v.func) && m_g[v.func].kind == ValueKind::Extension) {
                firstCaller.emplace(v.func, id);
            }
            if ((v.kind == ValueKind::Call || v.kind == ValueKind::Object) &&
                m_g.contains(v.func) && m_g[v.func].kind == ValueKind::Global) {
                if (use(id, v.func)) {
                    reportedGlobals.insert(v.func);
                }
            }
            if (v.kind == ValueKind::Call || v.kind == ValueKind::Object) {
                if (const auto indirect = resolveIndirectCall(m_g, id)) {
                    judgeIndirect(id, *indirect);
                }
            }
            // Code rebuilt by dill or cloudpickle and then called while loading.
            if (v.kind == ValueKind::Call && m_g.contains(v.func) &&
                m_g[v.func].kind == ValueKind::Call) {
                if (const auto inner = pickle::calleeName(m_g, v.func)) {
                    const auto rule = classifyGlobal(inner->module, inner->name);
                    if (rule.kind == GlobalKind::RebuildsCode && rule.what == "function") {
                        add("CKPT-S005", FindingCategory::Security, Severity::Error, id,
                            inner->qualified(), m_g[v.func].offset,
                            "a function rebuilt from bytecode by " + packageOf(inner->module) +
                                " is called while the file loads: its code runs on load",
                            "Do not load this file unless you trust whoever wrote it; inspect "
                            "the rebuilt function first.");
                    }
                }
            }
        }
        // Dangerous globals that are pushed but not called directly still get resolved (imported)
        // by the loader, and may be called through another route (stacked pickles, getattr).
        for (const ValueId id : m_g.nonPlainIds()) {
            if (m_g.kind(id) != ValueKind::Extension && m_g.kind(id) != ValueKind::Global) {
                continue;
            }
            if (m_g[id].kind == ValueKind::Extension) {
                const auto caller = firstCaller.find(id);
                add("CKPT-S006", FindingCategory::Security, Severity::Error,
                    caller == firstCaller.end() ? id : caller->second,
                    "copyreg extension " + std::to_string(m_g[id].integer), m_g[id].offset,
                    "the pickle names its target by copyreg extension code " +
                        std::to_string(m_g[id].integer) +
                        " (EXT1/EXT2/EXT4): what it imports is whatever the loading process "
                        "registered under that code, which no reader of the file can see",
                    kSecurityAdvice);
                continue;
            }
            if (m_g[id].kind != ValueKind::Global || reportedGlobals.count(id) != 0) {
                continue;
            }
            if (m_g[id].has(pickle::ValueFlag::ComputedName)) {
                addComputedImport(id, id);
                continue;
            }
            const auto name = m_g.global(id);
            const auto rule = classifyGlobal(name.module, name.name);
            if (rule.kind == GlobalKind::RunsCode || rule.kind == GlobalKind::NestedLoad ||
                rule.kind == GlobalKind::Imports) {
                add("CKPT-S001", FindingCategory::Security, Severity::Error, id, name.qualified(),
                    m_g[id].offset,
                    "the pickle references " + name.qualified() +
                        ", which runs code or commands; the loader resolves it while loading" +
                        renamedNote(name),
                    kSecurityAdvice);
            } else if (rule.kind == GlobalKind::UserCode || rule.kind == GlobalKind::MainModule) {
                if (!isHarmlessStdlibCallable(name.module, name.name) &&
                    !allowed(name.qualified())) {
                    noteModule(id, name, m_g[id].offset);
                }
            }
        }
        std::stable_sort(m_findings.begin(), m_findings.end(),
                         [](const Finding& a, const Finding& b) {
                             return a.offset.value_or(0) < b.offset.value_or(0);
                         });
        return std::move(m_findings);
    }

private:
    static constexpr const char* kSecurityAdvice =
        "Do not load this file with pickle, torch.load(weights_only=False), joblib or dill "
        "unless you trust its source; read it with ckpt and export the weights instead.";

    static std::string packageOf(std::string_view module) {
        return std::string(module.substr(0, module.find('.')));
    }

    static std::string writerNote(std::string_view module) {
        const auto pkg = packageOf(module);
        if (pkg == "dill" || pkg == "cloudpickle") {
            return "; only " + pkg + " can store it, and " + pkg + " recreates a fresh one on load";
        }
        return "; a custom __reduce__ or a pickler such as dill stored it here";
    }

    static std::string renamedNote(const pickle::GlobalName& n) {
        if (n.originalModule.empty()) {
            return {};
        }
        return " (written under its Python 2 name " + std::string(n.originalModule) + "." +
               std::string(n.originalName) + ")";
    }

    /// The class of an Object/Call: its Global, or the name given to a class rebuilt by dill or
    /// cloudpickle (the first string argument of the rebuilding call).
    std::optional<std::string> className(ValueId id) const {
        if (const auto cls = pickle::calleeName(m_g, id)) {
            return cls->qualified();
        }
        const ValueId func = m_g[id].func;
        if (!m_g.contains(func) || m_g[func].kind != ValueKind::Call) {
            return std::nullopt;
        }
        if (const auto* args = pickle::sequenceItems(m_g, m_g[func].args)) {
            for (const ValueId a : *args) {
                if (const auto s = pickle::asStr(m_g, a)) {
                    return std::string(*s) + " (a class rebuilt by " +
                           packageOf(pickle::calleeName(m_g, func)
                                         .value_or(pickle::GlobalName{})
                                         .module) +
                           ")";
                }
            }
        }
        return std::nullopt;
    }

    std::string ownerDescription(ValueId id) const {
        const ValueId parent = paths().parent(id);
        if (parent == MemberPaths::kNone) {
            return {};
        }
        const auto& p = m_g[parent];
        if (p.kind != ValueKind::Object && p.kind != ValueKind::Call) {
            return {};
        }
        if (const auto cls = className(parent)) {
            return " (member of a " + *cls + " object)";
        }
        return {};
    }

    /// Handles a call/instantiation of a Global; returns true when it produced a finding.
    bool use(ValueId call, ValueId global) {
        const auto name = m_g.global(global);
        if (m_g[global].has(pickle::ValueFlag::ComputedName)) {
            addComputedImport(call, global);
            return true;
        }
        const auto rule = classifyGlobal(name.module, name.name);
        const std::string symbol = name.qualified();
        // Security evidence points at the global's opcode (where the name is spelled); members
        // at the call that builds them.
        const auto globalOffset = m_g[global].offset;
        const auto offset = m_g[call].offset;
        switch (rule.kind) {
            case GlobalKind::KnownSafe:
                return false;
            case GlobalKind::OpensFile:
            case GlobalKind::RunsCode:
                add("CKPT-S001", FindingCategory::Security, Severity::Error, call, symbol,
                    globalOffset,
                    "calls " + symbol +
                        " while loading: it runs commands or code on the loading "
                        "machine" +
                        argumentNote(call) + renamedNote(name),
                    kSecurityAdvice);
                return true;
            case GlobalKind::NestedLoad:
                add("CKPT-S002", FindingCategory::Security, Severity::Error, call, symbol,
                    globalOffset,
                    "calls " + symbol +
                        " while loading: it deserialises further data, and "
                        "whatever that data holds runs too" +
                        renamedNote(name),
                    kSecurityAdvice);
                return true;
            case GlobalKind::Imports: {
                const auto module = firstStringArg(call);
                // pkgutil.resolve_name takes "module:attribute".
                const bool bad = !module || isDangerousModule(module->substr(0, module->find(':')));
                add("CKPT-S003", FindingCategory::Security,
                    bad ? Severity::Error : Severity::Warning, call, symbol, globalOffset,
                    "imports module " + (module ? "'" + *module + "'" : std::string("(computed)")) +
                        " by name while loading (" + symbol + ")",
                    kSecurityAdvice);
                return true;
            }
            case GlobalKind::AttributeGet:
                return attributeGet(call, symbol, globalOffset, name);
            case GlobalKind::Resource: {
                const std::string path = paths().path(call);
                add("CKPT-U001", FindingCategory::Unserializable, Severity::Error, call, symbol,
                    offset,
                    path + ownerDescription(call) + " is a " + std::string(rule.what) +
                        ": plain pickle raises \"cannot pickle '" + pickledTypeName(rule.what) +
                        "' object\"" + writerNote(name.module),
                    "Drop it in __getstate__ and recreate it in __setstate__, or save the model's "
                    "config and weights instead of the object; `ckpt export FILE -o cleaned.pkl` "
                    "writes a copy without it.");
                return true;
            }
            case GlobalKind::RebuildsCode:
                if (name.module == "types" && m_g[call].kind == ValueKind::Call) {
                    // dill and cloudpickle rebuild code through their own helpers: a direct
                    // types.CodeType/FunctionType call is a hand-made payload.
                    add("CKPT-S001", FindingCategory::Security, Severity::Error, call, symbol,
                        globalOffset,
                        "calls " + symbol + " while loading: it builds a " +
                            std::string(rule.what) +
                            " from raw bytecode, which no pickler writes this way",
                        kSecurityAdvice);
                    return true;
                }
                add("CKPT-P001", FindingCategory::Portability, Severity::Warning, call, symbol,
                    offset,
                    paths().path(call) + " is a " + std::string(rule.what) +
                        " rebuilt from bytecode by " + packageOf(name.module) + " (" + symbol +
                        "): it loads only with the same Python version, and "
                        "its code runs if it is called",
                    "Replace lambdas and local functions or classes with importable, "
                    "module-level ones, or keep only config and weights.");
                return true;
            case GlobalKind::KerasModel:
                addKeras(call, symbol, offset);
                return true;
            case GlobalKind::MainModule:
            case GlobalKind::UserCode:
                if (allowed(symbol)) {
                    return true;  // the policy trusts it
                }
                if (isStdlibModule(name.module)) {
                    if (isHarmlessStdlibCallable(name.module, name.name)) {
                        return true;
                    }
                    if (loadingCalls(call, name.module)) {
                        addStdlibCall(call, symbol, globalOffset, {});
                        return true;
                    }
                }
                noteModule(call, name, offset);
                return true;
        }
        return false;
    }

    /// "datetime.datetime.fromisoformat": a method of an allow-listed class, unless the
    /// attribute itself reaches code (__subclasses__, __globals__, system, ...).
    static bool harmlessMethod(const std::string& target) {
        const auto first = target.find('.');
        const auto second = first == std::string::npos ? first : target.find('.', first + 1);
        if (second == std::string::npos) {
            return false;
        }
        const auto cls = std::string_view(target).substr(first + 1, second - first - 1);
        const auto attr = std::string_view(target).substr(target.rfind('.') + 1);
        return isHarmlessStdlibCallable(std::string_view(target).substr(0, first), cls) &&
               !isDangerousAttribute(attr);
    }

    [[nodiscard]] bool allowed(std::string_view qualified) const {
        return m_policy != nullptr && m_policy->allows(qualified);
    }

    /// CKPT-S009: every global the policy denies, once per name, wherever the pickle names it.
    void denied() {
        std::set<std::string> seen;
        for (const ValueId id : m_g.nonPlainIds()) {
            if (m_g.kind(id) != ValueKind::Global || m_g[id].has(pickle::ValueFlag::ComputedName)) {
                continue;
            }
            const std::string name = m_g.global(id).qualified();
            if (m_policy->denies(name) && seen.insert(name).second) {
                add("CKPT-S009", FindingCategory::Security, Severity::Error, id, name,
                    m_g[id].offset,
                    "the pickle names " + name + ", which the policy " + m_policy->source +
                        " denies",
                    "Do not load this file; your policy forbids " + name + ".");
            }
        }
    }

    /// `at` locates the finding (the call that uses the global, or the global itself).
    void addComputedImport(ValueId at, ValueId global) {
        add("CKPT-S006", FindingCategory::Security, Severity::Error, at,
            m_g.global(global).qualified(), m_g[global].offset,
            "import target computed at load time: STACK_GLOBAL takes its module or name from the "
            "result of a call, so what the loader imports (and may call) is decided only while "
            "loading",
            kSecurityAdvice);
    }

    /// True when loading calls the callable of `id`: REDUCE, INST and OBJ call it. NEWOBJ only
    /// runs cls.__new__; a BUILD after it reaches __setstate__ (or fills __dict__), which counts
    /// as a call only for classes of modules that are dangerous to import at all: plain objects
    /// such as argparse.ArgumentParser or configparser.ConfigParser are saved that way.
    bool loadingCalls(ValueId id, std::string_view module) const {
        const auto& v = m_g[id];
        if (v.kind == ValueKind::Call) {
            return true;
        }
        return v.origin == pickle::ObjectOrigin::Inst || v.origin == pickle::ObjectOrigin::Obj ||
               (!v.states.empty() && isDangerousModule(module));
    }

    void addStdlibCall(ValueId call, const std::string& symbol, std::uint64_t offset,
                       const std::string& via) {
        add("CKPT-S007", FindingCategory::Security, Severity::Error, call, symbol, offset,
            "loading calls " + symbol + via +
                ", a standard-library callable that is not on the allow-list of harmless "
                "reconstructors; the standard library is where published pickle gadgets live "
                "(commands, files, sockets, code)",
            kSecurityAdvice);
    }

    /// A call that reaches its target through getattr, attrgetter, methodcaller, partial,
    /// reduce or an import by name.
    void judgeIndirect(ValueId call, const IndirectCall& ind) {
        const auto offset = m_g[call].offset;
        const std::string via = " through " + ind.via;
        if (ind.target.empty()) {
            add("CKPT-S004", FindingCategory::Security, Severity::Error, call, ind.via, offset,
                "calls a callable computed while loading" + via +
                    "; what runs cannot be known without executing the file",
                kSecurityAdvice);
            return;
        }
        const auto dot = ind.target.rfind('.');
        std::string module = dot == std::string::npos ? ind.target : ind.target.substr(0, dot);
        std::string name = dot == std::string::npos ? std::string() : ind.target.substr(dot + 1);
        auto rule = classifyGlobal(module, name);
        if (rule.kind == GlobalKind::UserCode && module.find('.') != std::string::npos) {
            // "os.path.join" or "subprocess.Popen.__init__": judge by the first attribute too.
            const auto first = ind.target.find('.');
            const auto second = ind.target.find('.', first + 1);
            rule = classifyGlobal(ind.target.substr(0, first),
                                  ind.target.substr(first + 1, second - first - 1));
        }
        switch (rule.kind) {
            case GlobalKind::RunsCode:
            case GlobalKind::OpensFile:
                add("CKPT-S001", FindingCategory::Security, Severity::Error, call, ind.target,
                    offset,
                    "calls " + ind.target + via +
                        " while loading: it runs commands or code on the loading machine",
                    kSecurityAdvice);
                return;
            case GlobalKind::NestedLoad:
                add("CKPT-S002", FindingCategory::Security, Severity::Error, call, ind.target,
                    offset,
                    "calls " + ind.target + via +
                        " while loading: it deserialises further data, and whatever that data "
                        "holds runs too",
                    kSecurityAdvice);
                return;
            case GlobalKind::Imports:
            case GlobalKind::AttributeGet:
                add("CKPT-S004", FindingCategory::Security, Severity::Error, call, ind.target,
                    offset,
                    "calls " + ind.target + via +
                        " while loading: a chain of lookups that reaches code by name",
                    kSecurityAdvice);
                return;
            case GlobalKind::UserCode:
            case GlobalKind::MainModule:
                if (isStdlibModule(module) && !isHarmlessStdlibCallable(module, name) &&
                    !harmlessMethod(ind.target) && !allowed(ind.target)) {
                    addStdlibCall(call, ind.target, offset, via);
                }
                return;
            default:
                return;
        }
    }

    bool attributeGet(ValueId call, const std::string& symbol, std::uint64_t offset,
                      const pickle::GlobalName& name) {
        const auto& v = m_g[call];
        const auto* args = pickle::sequenceItems(m_g, v.args);
        std::optional<std::string> attr;
        if (args != nullptr) {
            const bool attrSecond = name.name == "getattr" || name.name == "_get_attr" ||
                                    name.name == "setattr" || name.name == "delattr";
            const std::size_t idx = attrSecond ? 1 : 0;
            if (idx < args->size()) {
                if (const auto s = pickle::asStr(m_g, (*args)[idx])) {
                    attr = std::string(*s);
                }
            }
        }
        if (attr && *attr == "_unpickle_model") {
            addKeras(call, symbol + "(..., '_unpickle_model')", offset);
            return true;
        }
        bool dangerous = !attr.has_value();
        if (attr) {
            std::size_t start = 0;
            while (start <= attr->size()) {  // attrgetter takes dotted names
                const auto dot = attr->find('.', start);
                if (isDangerousAttribute(attr->substr(start, dot - start))) {
                    dangerous = true;
                }
                if (dot == std::string::npos) {
                    break;
                }
                start = dot + 1;
            }
        }
        if (!dangerous) {
            return false;  // dill's bound methods (Condition.wait, Queue.put): benign
        }
        add("CKPT-S004", FindingCategory::Security, Severity::Error, call, symbol, offset,
            "looks up attribute " + (attr ? "'" + *attr + "'" : std::string("(computed)")) +
                " with " + symbol + " while loading, a route to code execution",
            kSecurityAdvice);
        return true;
    }

    void addKeras(ValueId call, const std::string& symbol, std::uint64_t offset) {
        add("CKPT-P005", FindingCategory::Portability, Severity::Warning, call, symbol, offset,
            paths().path(call) + " is a pickled Keras model (" + symbol +
                "): it loads only with a matching Keras version, and Keras rebuilds it with "
                "safe_mode off, so Lambda layers inside run",
            "Save the model with model.save('model.keras') and pickle only the rest, or use "
            "`ckpt export --format keras`.");
    }

    /// One info per module the loader must import (one warning per __main__ name); `at` is the
    /// value whose path locates the first use.
    void noteModule(ValueId at, const pickle::GlobalName& name, std::uint64_t offset) {
        const std::string module(name.module);
        if (module == "__main__") {
            if (m_mainReported.insert(std::string(name.name)).second) {
                add("CKPT-P002", FindingCategory::Portability, Severity::Warning, at,
                    name.qualified(), offset,
                    name.qualified() +
                        " comes from __main__, which only the script that saved the "
                        "file defines; loading elsewhere fails with an AttributeError",
                    "Move the class into an importable module, or save config and weights.");
            }
            return;
        }
        if (!m_modules.insert(module).second) {
            return;
        }
        add("CKPT-P003", FindingCategory::Portability, Severity::Info, at, name.qualified(), offset,
            "loading imports module " + module + " (first use: " + name.qualified() +
                "); its code runs at import, so you must trust and install it",
            "Make sure " + packageOf(module) +
                " is installed in the same version, and that you "
                "trust it.");
    }

    std::optional<std::string> firstStringArg(ValueId call) const {
        const auto* args = pickle::sequenceItems(m_g, m_g[call].args);
        if (args == nullptr || args->empty()) {
            return std::nullopt;
        }
        if (const auto s = pickle::asStr(m_g, args->front())) {
            return std::string(*s);
        }
        return std::nullopt;
    }

    std::string argumentNote(ValueId call) const {
        if (const auto s = firstStringArg(call)) {
            std::string text = s->size() > 80 ? s->substr(0, 80) + "..." : *s;
            return " (argument: '" + text + "')";
        }
        return {};
    }

    static std::string pickledTypeName(std::string_view what) {
        if (what == "open file") {
            return "_io.TextIOWrapper";
        }
        if (what == "threading.Condition" || what == "threading.Semaphore" ||
            what == "threading.BoundedSemaphore" || what == "threading.Event" ||
            what == "threading.Barrier" || what.substr(0, 6) == "queue.") {
            return "_thread.lock";  // what pickle meets inside them
        }
        return std::string(what);
    }

    void add(std::string rule, FindingCategory cat, Severity sev, ValueId at, std::string symbol,
             std::uint64_t offset, std::string message, std::string advice) {
        Finding f;
        f.rule = std::move(rule);
        f.category = cat;
        f.severity = sev;
        f.path = paths().path(at);
        f.symbol = std::move(symbol);
        f.offset = offset;
        f.member = m_member;
        f.message = std::move(message);
        f.advice = std::move(advice);
        m_findings.push_back(std::move(f));
    }

    /// Member paths, found on the first finding: a file without findings never walks them
    /// (36 MB and a tenth of the time for 4 million values).
    const MemberPaths& paths() const {
        if (!m_paths) {
            m_paths.emplace(m_g, m_roots);
        }
        return *m_paths;
    }

    const ValueGraph& m_g;
    const std::vector<ValueId>& m_roots;
    mutable std::optional<MemberPaths> m_paths;
    std::string m_member;
    std::vector<Finding> m_findings;
    std::set<std::string> m_modules;
    std::set<std::string> m_mainReported;
    const Policy* m_policy = nullptr;
};

}  // namespace

std::vector<Finding> scanPickleGraph(const pickle::ValueGraph& graph,
                                     const std::vector<pickle::ValueId>& roots,
                                     const std::string& member, const Policy* policy) {
    return Scanner(graph, roots, member, policy).run();
}

}  // namespace ckpt::core
