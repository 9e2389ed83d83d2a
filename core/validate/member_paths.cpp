#include "core/validate/member_paths.h"

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {
constexpr std::size_t kMaxPathLength = 400;
}  // namespace

MemberPaths::MemberPaths(const ValueGraph& g, const std::vector<ValueId>& roots)
    : m_g(g),
      m_parents(g.size(), kNone),
      m_kinds(g.size(), StepKind::Unvisited),
      m_args(g.size(), 0) {
    for (std::size_t i = 0; i < roots.size(); ++i) {
        visit(roots[i], kNone, {StepKind::Root, i});
    }
    while (!m_queue.empty()) {
        const ValueId id = m_queue.front();
        m_queue.pop_front();
        expand(id);
    }
}

std::string MemberPaths::path(ValueId id) const {
    if (!seen(id)) {
        return "<not reachable from the root>";
    }
    std::vector<Step> steps;
    for (ValueId at = id; at != kNone && seen(at); at = m_parents[at]) {
        steps.push_back(stepOf(at));
        if (steps.size() > m_kinds.size()) {
            break;  // cannot happen: parents form a tree
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

ValueId MemberPaths::parent(ValueId id) const {
    return seen(id) ? m_parents[id] : kNone;
}

void MemberPaths::visit(ValueId id, ValueId parent, Step step) {
    if (id == kNone || !m_g.contains(id) || id >= m_kinds.size() || seen(id)) {
        return;
    }
    m_parents[id] = parent;
    m_kinds[id] = step.kind;
    m_args[id] = static_cast<std::uint32_t>(step.arg);
    m_queue.push_back(id);
}

std::string MemberPaths::spell(const Step& s) const {
    switch (s.kind) {
        case StepKind::Unvisited:
            return "?";
        case StepKind::Root:
            return s.arg == 0 ? "<root>" : "<pickle " + std::to_string(s.arg + 1) + ">";
        case StepKind::Index:
            return "[" + std::to_string(s.arg) + "]";
        case StepKind::Key:
            return "[" + key(static_cast<ValueId>(s.arg)) + "]";
        case StepKind::Attr: {
            const auto name = pickle::asStr(m_g, static_cast<ValueId>(s.arg));
            return name ? "." + std::string(*name) : "[" + key(static_cast<ValueId>(s.arg)) + "]";
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

std::string MemberPaths::key(ValueId k) const {
    if (const auto s = pickle::asStr(m_g, k)) {
        return "'" + std::string(*s) + "'";
    }
    if (const auto i = pickle::asInt(m_g, k)) {
        return std::to_string(*i);
    }
    return "?";
}

void MemberPaths::addAttributes(ValueId owner, ValueId state) {
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

void MemberPaths::expand(ValueId id) {
    switch (m_g.kind(id)) {
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
        case ValueKind::Dict:
        case ValueKind::Global:
        case ValueKind::Call:
        case ValueKind::Object:
        case ValueKind::PersistentRef:
        case ValueKind::Extension:
            break;
        default:
            return;  // scalars hold nothing
    }
    const auto& items = m_g.items(id);
    for (std::size_t i = 0; i < items.size(); ++i) {
        visit(items[i], id, {StepKind::Index, i});
    }
    for (const auto& [k, val] : m_g.entries(id)) {
        visit(val, id, {StepKind::Key, k});
    }
    const ValueKind kind = m_g.kind(id);
    if (kind != ValueKind::Object && kind != ValueKind::Call && kind != ValueKind::PersistentRef) {
        return;
    }
    const auto v = m_g[id];
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

}  // namespace ckpt::core
