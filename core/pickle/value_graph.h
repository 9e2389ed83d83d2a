#pragma once
/// The arena of values built from one pickle file: a DAG (or cyclic graph) of Value nodes that
/// refer to each other by ValueId.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/pickle/value.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pickle {

/// Owns every value read from one source, plus the texts that had to be decoded. Values whose
/// bytes are ranges of the source keep it alive through the graph. Not thread-safe for writing;
/// concurrent reads of a finished graph are fine.
class ValueGraph {
public:
    /// A graph over `source`, which must be memory-backed (non-empty view() unless size 0).
    /// `maxValues` caps the number of values (CorruptDataError past it).
    explicit ValueGraph(std::shared_ptr<const ByteSource> source,
                        std::size_t maxValues = 10'000'000);

    [[nodiscard]] const ByteSource& source() const { return *m_source; }
    [[nodiscard]] const std::shared_ptr<const ByteSource>& sourcePtr() const { return m_source; }
    /// All bytes of the source.
    [[nodiscard]] std::span<const std::byte> bytes() const { return m_bytes; }

    /// Number of values; ids are 0..size()-1 in creation order.
    [[nodiscard]] std::size_t size() const { return m_size; }
    /// The value `id`; `id` must be < size().
    /// References stay valid while the graph grows.
    [[nodiscard]] const Value& operator[](ValueId id) const { return slot(id); }
    [[nodiscard]] Value& mutableValue(ValueId id) { return slot(id); }
    /// True when `id` names a value of this graph.
    [[nodiscard]] bool contains(ValueId id) const { return id < m_size; }

    /// Appends `value` and returns its id; throws CorruptDataError when the limit is reached.
    ValueId add(Value value);
    /// Appends to the items, entries or states of value `id`.
    void appendItems(ValueId id, std::span<const ValueId> items) {
        m_lists.append(slot(id).items, items);
    }
    void appendEntries(ValueId id, std::span<const ValueEntry> entries) {
        m_lists.append(slot(id).entries, entries);
    }
    void appendState(ValueId id, ValueId state) {
        m_lists.append(slot(id).states, std::span<const ValueId>(&state, 1));
    }
    /// Bytes held by the graph's values and lists (not its texts).
    [[nodiscard]] std::size_t memoryBytes() const {
        return m_chunks.size() * kChunkSize * sizeof(Value) + m_lists.reservedBytes() +
               m_depths.capacity() * sizeof(std::uint32_t);
    }

    /// Nesting depth of `id`: 0 for a scalar, 1 + the deepest value it holds for containers,
    /// calls and objects (as far as the machine has filled them so far).
    [[nodiscard]] std::uint32_t depth(ValueId id) const {
        return id < m_depths.size() ? m_depths[id] : 0;
    }
    /// Raises the depth of `owner` to hold `child`; throws LimitError (limit "depth") past
    /// `maxDepth`. The machine calls it whenever a value is put inside another.
    void holds(ValueId owner, ValueId child, std::uint32_t maxDepth);
    /// The shared None / True / False values.
    ValueId none();
    ValueId boolean(bool b);
    /// An Int value; small ints (-5..256) are shared, as in CPython.
    ValueId integer(std::int64_t v, std::uint64_t offset);
    /// A Str/Bytes/ByteArray/BigInt value holding `text` (owned by the graph).
    ValueId addOwnedText(ValueKind kind, std::string text, std::uint64_t offset,
                         std::uint16_t flags = 0);
    /// A Str/Bytes/ByteArray/BigInt value whose bytes are `range` of the source.
    ValueId addRangeText(ValueKind kind, ByteRange range, std::uint64_t offset,
                         std::uint16_t flags = 0);
    /// A Global value. Original names are empty when no renaming happened.
    ValueId addGlobal(std::string module, std::string name, std::string originalModule,
                      std::string originalName, std::uint64_t offset, std::uint16_t flags);

    /// Text or bytes of a Str/Bytes/ByteArray/BigInt(decimal) value; empty for other kinds.
    /// The view lives as long as the graph.
    [[nodiscard]] std::string_view text(ValueId id) const;
    /// Module and name of a Global value; empty views for other kinds.
    [[nodiscard]] GlobalName global(ValueId id) const;

    /// Every value reachable from `root` (itself included), each once, `root` first, then
    /// depth-first. Iterative: any depth is fine.
    [[nodiscard]] std::vector<ValueId> reachable(ValueId root) const;

    /// Calls `fn(child)` for every direct reference of value `id`: func, args, kwargs, pid,
    /// items, entry keys and values, states.
    template <typename Fn>
    void forEachChild(ValueId id, Fn&& fn) const {
        const Value& v = slot(id);
        for (const ValueId r : {v.func, v.args, v.kwargs, v.pid}) {
            if (r != kNoValue) {
                fn(r);
            }
        }
        for (const ValueId c : v.items) {
            fn(c);
        }
        for (const auto& [k, val] : v.entries) {
            fn(k);
            fn(val);
        }
        for (const ValueId s : v.states) {
            fn(s);
        }
    }

private:
    struct StoredGlobal {
        std::uint32_t module, name, originalModule, originalName;
    };
    std::uint32_t storeText(std::string text);
    [[nodiscard]] Value& slot(ValueId id) const {
        return m_chunks[id >> kChunkBits][id & (kChunkSize - 1)];
    }

    // Values live in fixed-size chunks: no reallocation peaks, stable references.
    static constexpr std::size_t kChunkBits = 10;
    static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;

    std::shared_ptr<const ByteSource> m_source;
    std::span<const std::byte> m_bytes;
    std::size_t m_maxValues;
    std::vector<std::uint32_t> m_depths;  ///< by id; absent entries are 0
    std::vector<std::unique_ptr<Value[]>> m_chunks;
    ListArena m_lists;
    std::size_t m_size = 0;
    std::deque<std::string> m_texts;  ///< deque: views into it stay valid as it grows
    std::vector<StoredGlobal> m_globals;
    ValueId m_none = kNoValue;
    std::array<ValueId, 2> m_bools{kNoValue, kNoValue};
    std::array<ValueId, 262> m_smallInts{};
};

}  // namespace ckpt::core::pickle
