#include "core/validate/pickle_scan.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/validate/global_rules.h"

namespace ckpt::core {
namespace {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

constexpr std::size_t kMaxPathLength = 400;

/// First (shortest) member path to every value reachable from the roots, and its parent.
/// Each value stores only its parent and the one step from it (16 bytes), not its path: paths
/// are spelled on demand. (Storing a path string per value cost ~1 KB per nesting level.)
class MemberPaths {
public:
    MemberPaths(const ValueGraph& g, const std::vector<ValueId>& roots) : m_g(g) {
        for (std::size_t i = 0; i < roots.size(); ++i) {
            visit(roots[i], kNone, {StepKind::Root, i});
        }
        while (!m_queue.empty()) {
            const ValueId id = m_queue.front();
            m_queue.pop_front();
            expand(id);
        }
    }

    [[nodiscard]] std::string path(ValueId id) const {
        auto it = m_nodes.find(id);
        if (it == m_nodes.end()) {
            return "<not reachable from the root>";
        }
        std::vector<Step> steps;
        for (; it != m_nodes.end(); it = m_nodes.find(it->second.parent)) {
            steps.push_back(it->second.step);
            if (it->second.parent == kNone) {
                break;
            }
        }
        std::string out;
        for (auto s = steps.rbegin(); s != steps.rend(); ++s) {
            out += spell(*s);
            if (out.size() > kMaxPathLength) {
                return out.substr(0, kMaxPathLength) + "...";
            }
        }
        return out;
    }
    [[nodiscard]] ValueId parent(ValueId id) const {
        const auto it = m_nodes.find(id);
        return it == m_nodes.end() ? kNone : it->second.parent;
    }

    static constexpr ValueId kNone = pickle::kNoValue;

private:
    enum class StepKind : std::uint8_t { Root, Index, Key, Attr, Class, State, Arg, ArgsStar, Pid };
    struct Step {
        StepKind kind;
        std::uint64_t arg = 0;  ///< root number, index, or the key's ValueId
    };
    struct Entry {
        ValueId parent;
        Step step;
    };

    void visit(ValueId id, ValueId parent, Step step) {
        if (id == kNone || !m_g.contains(id) || m_nodes.count(id) != 0) {
            return;
        }
        m_nodes.emplace(id, Entry{parent, step});
        m_queue.push_back(id);
    }

    [[nodiscard]] std::string spell(const Step& s) const {
        switch (s.kind) {
            case StepKind::Root:
                return s.arg == 0 ? "<root>" : "<pickle " + std::to_string(s.arg + 1) + ">";
            case StepKind::Index:
                return "[" + std::to_string(s.arg) + "]";
            case StepKind::Key:
                return "[" + key(static_cast<ValueId>(s.arg)) + "]";
            case StepKind::Attr: {
                const auto name = pickle::asStr(m_g, static_cast<ValueId>(s.arg));
                return name ? "." + std::string(*name)
                            : "[" + key(static_cast<ValueId>(s.arg)) + "]";
            }
            case StepKind::Class:
                return ".__class__";
            case StepKind::State:
                return ".__state__";
            case StepKind::Arg:
                return "(" + std::to_string(s.arg) + ")";
            case StepKind::ArgsStar:
                return "(*)";
            case StepKind::Pid:
                return ".<persistent id>";
        }
        return "?";
    }

    std::string key(ValueId k) const {
        if (const auto s = pickle::asStr(m_g, k)) {
            return "'" + std::string(*s) + "'";
        }
        if (const auto i = pickle::asInt(m_g, k)) {
            return std::to_string(*i);
        }
        return "?";
    }

    void addAttributes(ValueId owner, ValueId state) {
        const auto& s = m_g[state];
        if (s.kind == ValueKind::Dict) {
            for (const auto& [k, v] : s.entries) {
                visit(v, owner, {StepKind::Attr, k});
            }
        } else if (s.kind == ValueKind::Tuple && s.items.size() == 2) {
            // (state dict, slots dict)
            for (const ValueId part : s.items) {
                if (m_g.contains(part) && m_g[part].kind == ValueKind::Dict) {
                    addAttributes(owner, part);
                }
            }
        } else {
            visit(state, owner, {StepKind::State});
        }
    }

    void expand(ValueId id) {
        const auto& v = m_g[id];
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            visit(v.items[i], id, {StepKind::Index, i});
        }
        if (v.kind == ValueKind::Dict || !v.entries.empty()) {
            for (const auto& [k, val] : v.entries) {
                visit(val, id, {StepKind::Key, k});
            }
        }
        if (v.kind == ValueKind::Object || v.kind == ValueKind::Call) {
            if (m_g.contains(v.func) && m_g[v.func].kind == ValueKind::Call) {
                visit(v.func, id, {StepKind::Class});  // a class rebuilt by dill/cloudpickle
            }
            for (const ValueId state : v.states) {
                if (m_g.contains(state)) {
                    addAttributes(id, state);
                }
            }
            if (v.args != kNone && m_g.contains(v.args)) {
                const auto& a = m_g[v.args];
                if (a.kind == ValueKind::Tuple) {
                    for (std::size_t i = 0; i < a.items.size(); ++i) {
                        visit(a.items[i], id, {StepKind::Arg, i});
                    }
                } else {
                    visit(v.args, id, {StepKind::ArgsStar});
                }
            }
        }
        if (v.kind == ValueKind::PersistentRef) {
            visit(v.pid, id, {StepKind::Pid});
        }
    }

    const ValueGraph& m_g;
    std::unordered_map<ValueId, Entry> m_nodes;
    std::deque<ValueId> m_queue;
};

class Scanner {
public:
    Scanner(const ValueGraph& g, const std::vector<ValueId>& roots, std::string member)
        : m_g(g), m_paths(g, roots), m_member(std::move(member)) {}

    std::vector<Finding> run() {
        std::set<ValueId> reportedGlobals;
        for (ValueId id = 0; id < m_g.size(); ++id) {
            const auto& v = m_g[id];
            if ((v.kind == ValueKind::Call || v.kind == ValueKind::Object) &&
                m_g.contains(v.func) && m_g[v.func].kind == ValueKind::Global) {
                if (use(id, v.func)) {
                    reportedGlobals.insert(v.func);
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
        for (ValueId id = 0; id < m_g.size(); ++id) {
            if (m_g[id].kind != ValueKind::Global || reportedGlobals.count(id) != 0) {
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
                noteModule(id, name, m_g[id].offset);
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
        const ValueId parent = m_paths.parent(id);
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
                const bool bad = !module || isDangerousModule(*module);
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
                const std::string path = m_paths.path(call);
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
                add("CKPT-P001", FindingCategory::Portability, Severity::Warning, call, symbol,
                    offset,
                    m_paths.path(call) + " is a " + std::string(rule.what) +
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
                noteModule(call, name, offset);
                return true;
        }
        return false;
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
            m_paths.path(call) + " is a pickled Keras model (" + symbol +
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
        f.path = m_paths.path(at);
        f.symbol = std::move(symbol);
        f.offset = offset;
        f.member = m_member;
        f.message = std::move(message);
        f.advice = std::move(advice);
        m_findings.push_back(std::move(f));
    }

    const ValueGraph& m_g;
    MemberPaths m_paths;
    std::string m_member;
    std::vector<Finding> m_findings;
    std::set<std::string> m_modules;
    std::set<std::string> m_mainReported;
};

}  // namespace

std::vector<Finding> scanPickleGraph(const pickle::ValueGraph& graph,
                                     const std::vector<pickle::ValueId>& roots,
                                     const std::string& member) {
    return Scanner(graph, roots, member).run();
}

}  // namespace ckpt::core
