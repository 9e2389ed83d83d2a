#pragma once
/// The symbolic pickle machine: runs the opcodes of a pickle on a stack and memo, builds a value
/// graph, and executes nothing.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/pickle/machine_types.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pickle {

/// Reads pickles from one source into one ValueGraph. Globals stay names (Python 2 names mapped
/// to Python 3 as CPython does, the originals kept), REDUCE/NEWOBJ/OBJ/INST become Call and
/// Object nodes, BUILD attaches its state to the object, memo GETs share nodes. Iterative: deep
/// nesting cannot overflow the C++ stack. Not thread-safe; use one machine per thread.
class Machine {
public:
    /// A machine over `source`. A source that is not memory-backed is copied into memory once.
    explicit Machine(std::shared_ptr<const ByteSource> source, MachineOptions options = {});

    /// Runs the pickle that starts at `offset` up to and including its STOP. Each call has a
    /// fresh stack and memo; values go into graph(). Throws CorruptDataError (naming the offset)
    /// for unknown opcodes, truncation, stack or MARK underflow, a memo GET of a missing index, a
    /// STOP with an empty stack, limits exceeded; UnsupportedError for PROTO above 5;
    /// CancelledError when progress asks to stop. Values built before an error stay in graph(),
    /// which matters to scanners: CPython runs those opcodes before it fails, too.
    /// Hooks may call load() again (nested pickles), up to limits.maxNestedLoads deep.
    PickleInfo load(std::uint64_t offset = 0);

    /// Runs pickles back to back from `offset` until the data ends: a file is a sequence of
    /// pickles (legacy torch.save, stacked pickles). A failure in the first pickle is thrown;
    /// bytes after a complete pickle that fail to decode are reported as `trailing`.
    LoadResult loadAll(std::uint64_t offset = 0);

    [[nodiscard]] ValueGraph& graph() { return *m_graph; }
    [[nodiscard]] const ValueGraph& graph() const { return *m_graph; }
    /// The graph, to keep after the machine is gone.
    [[nodiscard]] std::shared_ptr<ValueGraph> sharedGraph() const { return m_graph; }
    [[nodiscard]] const MachineOptions& options() const { return m_options; }

private:
    MachineOptions m_options;
    std::shared_ptr<ValueGraph> m_graph;
    std::size_t m_nesting = 0;
};

}  // namespace ckpt::core::pickle
