#pragma once
/// Member paths for the validator: the first (shortest) path from the roots of a pickle value
/// graph to each value ("<root>['model'].lock"), spelled on demand.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core {

/// First (shortest) member path to every value reachable from the roots, and its parent.
/// Each value stores only its parent and the one step from it (9 bytes, in flat arrays indexed
/// by ValueId), not its path: paths are spelled on demand. (Storing a path string per value
/// cost ~1 KB per nesting level; a hash map of steps cost ~50 bytes per value.)
class MemberPaths {
public:
    /// Walks `g` breadth-first from `roots`; `g` must outlive this object.
    MemberPaths(const pickle::ValueGraph& g, const std::vector<pickle::ValueId>& roots);

    /// The path of `id` ("<root>.a[2]"), or "<not reachable from the root>"; at most ~400
    /// characters.
    [[nodiscard]] std::string path(pickle::ValueId id) const;
    /// The value whose member `id` is, or kNone.
    [[nodiscard]] pickle::ValueId parent(pickle::ValueId id) const;

    static constexpr pickle::ValueId kNone = pickle::kNoValue;

private:
    enum class StepKind : std::uint8_t {
        Unvisited,
        Root,
        Index,
        Key,
        Attr,
        Class,
        State,
        Arg,
        ArgsStar,
        Pid
    };
    struct Step {
        StepKind kind;
        std::uint64_t arg = 0;  ///< root number, index, or the key's ValueId
    };

    void visit(pickle::ValueId id, pickle::ValueId parent, Step step);
    [[nodiscard]] std::string spell(const Step& s) const;
    [[nodiscard]] std::string key(pickle::ValueId k) const;
    void addAttributes(pickle::ValueId owner, pickle::ValueId state);
    void expand(pickle::ValueId id);

    const pickle::ValueGraph& m_g;
    [[nodiscard]] bool seen(pickle::ValueId id) const {
        return id < m_kinds.size() && m_kinds[id] != StepKind::Unvisited;
    }
    [[nodiscard]] Step stepOf(pickle::ValueId id) const { return {m_kinds[id], m_args[id]}; }

    // By ValueId: the parent (kNone for a root), the step's kind and its argument. An index
    // step above 2^32 cannot occur (a list holds fewer values than the graph).
    std::vector<pickle::ValueId> m_parents;
    std::vector<StepKind> m_kinds;
    std::vector<std::uint32_t> m_args;
    std::deque<pickle::ValueId> m_queue;  ///< the breadth-first frontier
};

}  // namespace ckpt::core
