#pragma once
/// Runs one pickle for Machine: the opcode loop, stack and memo. Internal to core/pickle.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/pickle/machine_stack.h"
#include "core/pickle/machine_types.h"
#include "core/pickle/memo.h"
#include "core/pickle/opcode_reader.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core::pickle {

/// One run of the machine from a start offset to a STOP. Use once: construct, then run().
class Interpreter {
public:
    Interpreter(Machine& machine, ValueGraph& graph, std::uint64_t offset);

    /// Executes opcodes symbolically until STOP; see Machine::load() for the errors.
    [[nodiscard]] PickleInfo run();

private:
    void step(const Op& op);
    [[noreturn]] void fail(const std::string& message, const Op& op) const;
    void warn(std::string message);

    [[nodiscard]] ValueId make(ValueKind kind, const Op& op, std::span<const ValueId> items = {});
    /// Records that `owner` holds `child` (nesting depth, limit "depth").
    void holds(ValueId owner, ValueId child);
    void pushIntLine(const Op& op, bool isLong);
    void pushLongBytes(const Op& op);
    void pushPy2String(const Op& op, std::string_view bytes, bool owned);
    [[nodiscard]] ValueId makeGlobal(std::string_view module, std::string_view name,
                                     std::uint64_t offset, std::uint16_t flags);
    void pushTuple(const Op& op, std::size_t n);
    void addToTarget(const Op& op, std::span<const ValueId> items);
    void setItemsOnTarget(const Op& op, std::span<const ValueId> flat);
    /// Appends the (key, value) pairs of `flat` to the entries of `target`.
    void appendPairs(ValueId target, std::span<const ValueId> flat);
    void memoPut(const Op& op, std::uint64_t index);
    void memoGet(const Op& op, std::uint64_t index);
    void makeObject(const Op& op, ObjectOrigin origin, ValueId cls, ValueId args,
                    ValueId kwargs = kNoValue);
    void persistent(const Op& op, ValueId pid);
    void build(const Op& op);
    /// Releases the source pages well behind the read position (MachineOptions::dropReadPages).
    void dropReadPages(std::uint64_t position);

    Machine& m_machine;
    ValueGraph& m_graph;
    OpcodeReader m_reader;
    MachineStack m_stack;
    Memo m_memo;
    std::vector<ValueEntry> m_pairs;  ///< scratch for appendPairs
    PickleInfo m_info;
    std::uint64_t m_nextBuffer = 0;
    std::size_t m_suppressedWarnings = 0;
    bool m_frameWarned = false;
    std::uint32_t m_maxDepth;
    bool m_pruneScalarDicts = false;
    std::uint64_t m_maxMemo;             ///< limits().pickleMemo, read once
    std::uint64_t m_pagesDroppedTo = 0;  ///< source bytes before this were released
};

}  // namespace ckpt::core::pickle
