#pragma once
/// Options, hooks and results of the symbolic pickle machine.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/pickle/value.h"
#include "core/util/limits.h"
#include "core/util/progress.h"

namespace ckpt::core::pickle {

class Machine;

/// What the machine tells an AfterBuildFn: BUILD has just attached `state` to `object`.
struct BuildEvent {
    Machine& machine;
    ValueId object;             ///< the value BUILD applied to (still on top of the stack)
    ValueId state;              ///< the state it received
    std::uint64_t buildOffset;  ///< offset of the BUILD opcode
    std::uint64_t nextOffset;   ///< where the next opcode would start
};

/// What an AfterBuildFn asks for. The default does nothing.
struct BuildAction {
    /// Raw bytes after the BUILD to step over before decoding resumes (joblib writes array
    /// data there). Stepping past the end of the data is a CorruptDataError.
    std::uint64_t skipBytes = 0;
    /// A value that replaces the object on the stack (e.g. a node the reader made for the array).
    ValueId replaceWith = kNoValue;
};

/// Called after every BUILD, on the machine's thread.
using AfterBuildFn = std::function<BuildAction(const BuildEvent&)>;

/// What the machine tells a PersistentLoadFn: PERSID/BINPERSID met persistent id `pid`.
struct PersistentLoadEvent {
    Machine& machine;
    ValueId pid;           ///< the persistent id (a Str for PERSID; any value for BINPERSID)
    std::uint64_t offset;  ///< offset of the PERSID/BINPERSID opcode
};

/// Returns the value that stands for the persistent object, or kNoValue for the default (a
/// PersistentRef node holding `pid`).
using PersistentLoadFn = std::function<ValueId(const PersistentLoadEvent&)>;

/// Bounds that keep hostile input from using unbounded memory. Every count is also bounded by
/// the data itself: each opcode takes at least one byte and makes at most three values.
struct MachineLimits {
    /// Values in the graph. A value takes 24 bytes (64 for a call or object) plus its items,
    /// so the default (10^8) caps the graph near 3 GB; checkpoint pickles keep bulk data in
    /// byte ranges and stay far below (a 350 MiB pickle of 10^7 small dicts makes 4 × 10^7
    /// values).
    std::size_t maxValues = static_cast<std::size_t>(core::limits().pickleNodes);
    std::size_t maxStack = 50'000'000;  ///< values on the stack at once
    /// Nesting of containers, calls and objects (CPython's pickler cannot write more than
    /// about 1000 levels: its recursion limit).
    std::uint32_t maxDepth =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(core::limits().depth, UINT32_MAX));
    std::size_t maxMarks = 1'000'000;  ///< MARKs open at once
    std::size_t maxNestedLoads = 8;    ///< load() called from hooks inside load()
    std::size_t maxWarnings = 32;      ///< warnings kept per pickle
};

struct MachineOptions {
    MachineLimits limits;
    AfterBuildFn afterBuild;          ///< optional
    PersistentLoadFn persistentLoad;  ///< optional
    /// Optional: receives (offset reached, data size) now and then; returning false cancels
    /// with CancelledError.
    ProgressFn progress;
    /// Keep only what a finding can need (validation without the object tree, issue 15): a dict
    /// whose keys and values are all scalars (None, bool, int, float, str, bytes) drops its
    /// entries once it is appended to a list or list-like object (APPEND/APPENDS), and is
    /// flagged Pruned. Nothing in
    /// it can be a finding, and every value keeps its id, kind and offset; entries the dict
    /// gains later (SETITEMS through the memo) are kept. Off by default: trees and printers
    /// need the entries.
    bool pruneScalarDicts = false;
    /// Tell the source every few MiB that the bytes behind the read position are done with
    /// (ByteSource::dropCachedPages): a mapped file's pages then leave the process's resident
    /// set; later reads of them map them again.
    bool dropReadPages = true;
};

/// One pickle read by Machine::load().
struct PickleInfo {
    std::uint64_t begin = 0;        ///< offset of its first opcode
    std::uint64_t end = 0;          ///< offset just past its STOP (exclusive)
    int protocol = 0;               ///< argument of its PROTO opcode; 0 when there is none
    int highestOpcodeProtocol = 0;  ///< newest protocol among its opcodes (as pickletools says)
    std::uint64_t opcodeCount = 0;
    ValueId root = kNoValue;  ///< the value STOP returned
    /// Byte ranges an AfterBuildFn asked to step over (raw data inside the pickle), in order.
    std::vector<ByteRange> skipped;
    /// Oddities CPython accepts or that scanners care about: values or MARKs left over at
    /// STOP, FRAME violations, memo entries overwritten, bytes skipped by a hook.
    std::vector<std::string> warnings;
};

/// Bytes after the last pickle that do not form another pickle.
struct TrailingData {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::string reason;  ///< why they are not a pickle (the decoding error)
};

/// Everything Machine::loadAll() read: the pickles back to back, and what came after them.
struct LoadResult {
    std::vector<PickleInfo> pickles;
    std::optional<TrailingData> trailing;
};

}  // namespace ckpt::core::pickle
