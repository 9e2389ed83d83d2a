#pragma once
/// The arena of values built from one pickle file: a DAG (or cyclic graph) of Value nodes that
/// refer to each other by ValueId.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/pickle/value.h"
#include "core/util/block_pool.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pickle {

/// Owns every value read from one source, plus the texts that had to be decoded. Each value id has
/// one 8-byte entry: either a compact scalar (an int, float, str or bytes that its opcode in the
/// source spells in full, so the entry keeps only its kind and the opcode's offset and the value
/// is decoded from the source when read), or its kind and the index of a 24-byte slot (scalars
/// inline, a container's list handle, or the index of a side record of references for calls,
/// objects and the other opaque kinds). Either way it reads as a decoded Value. Values whose bytes
/// are ranges of the source keep it alive through the graph. Not thread-safe for writing;
/// concurrent reads of a finished graph are fine.
class ValueGraph {
public:
    /// A graph over `source`, which must be memory-backed (non-empty view() unless size 0).
    /// `maxValues` caps the number of values (LimitError "pickle-nodes" past it).
    explicit ValueGraph(std::shared_ptr<const ByteSource> source,
                        std::size_t maxValues = 100'000'000);

    [[nodiscard]] const ByteSource& source() const { return *m_source; }
    [[nodiscard]] const std::shared_ptr<const ByteSource>& sourcePtr() const { return m_source; }
    /// All bytes of the source.
    [[nodiscard]] std::span<const std::byte> bytes() const { return m_bytes; }

    /// Number of values; ids are 0..size()-1 in creation order.
    [[nodiscard]] std::size_t size() const { return m_size; }
    /// The value `id`, decoded from its compact slot; `id` must be < size(). A copy: its lists
    /// are handles into the graph's arena (valid while the graph lives), but appends made after
    /// the copy are not seen through it.
    [[nodiscard]] Value operator[](ValueId id) const;
    /// The kind of value `id` (cheaper than operator[]); `id` must be < size().
    [[nodiscard]] ValueKind kind(ValueId id) const { return kindOf(entry(id)); }
    /// The items of `id` (see Value::items): a reference that stays valid, and sees appends,
    /// while the graph lives; an empty list for kinds that hold none.
    [[nodiscard]] const ItemList& items(ValueId id) const;
    /// The entries of `id` (see Value::entries), like items().
    [[nodiscard]] const EntryList& entries(ValueId id) const;
    /// The ids of every value of kind Bytes, ByteArray, Buffer, Global, Call, Object,
    /// PersistentRef or Extension, in increasing order: what scanners start from, without a
    /// pass over the (often millions of) plain values.
    [[nodiscard]] std::span<const ValueId> nonPlainIds() const { return m_nonPlain; }
    /// True when `id` names a value of this graph.
    [[nodiscard]] bool contains(ValueId id) const { return id < m_size; }

    /// Appends `value` and returns its id; throws LimitError (limit "pickle-nodes") when the
    /// limit is reached. Its lists must be empty (fill them with appendItems and the like).
    ValueId add(const Value& value);
    /// Appends to the items, entries or states of value `id`. Items go to lists, tuples, sets
    /// and opaque kinds (Global, Call, Object, PersistentRef, Extension), entries to dicts and
    /// opaque kinds, states to opaque kinds only; anything else is std::logic_error.
    void appendItems(ValueId id, std::span<const ValueId> items);
    void appendEntries(ValueId id, std::span<const ValueEntry> entries);
    void appendState(ValueId id, ValueId state);
    /// Sets the references of an opaque value (Call, Object, PersistentRef, Global): its
    /// callable or class, its argument tuple, keyword dict, persistent id (kNoValue: none).
    void setLinks(ValueId id, ValueId func, ValueId args, ValueId kwargs = kNoValue,
                  ValueId pid = kNoValue);
    /// Sets the scalar of an Int/Bool/Buffer (`integer`) or Float (`real`) value.
    void setInteger(ValueId id, std::int64_t v);
    void setReal(ValueId id, double v);
    /// Adds ValueFlag bits to value `id`.
    void addFlags(ValueId id, std::uint16_t flags) { mutableSlot(id).flags |= flags; }
    /// Sets how an Object was created.
    void setOrigin(ValueId id, ObjectOrigin origin) { mutableSlot(id).origin = origin; }
    /// Bytes held by the graph's values and lists (not its texts).
    [[nodiscard]] std::size_t memoryBytes() const {
        return m_entryPool.usedBytes() + m_slotPool.usedBytes() + m_linkPool.usedBytes() +
               m_lists.reservedBytes();
    }

    /// Drops the entries of dict `id` when it has some and every key and value is a scalar
    /// (None, Bool, Int, BigInt, Float, Str, Bytes), and flags it Pruned; returns true then.
    bool pruneScalarDict(ValueId id);

    /// Nesting depth of `id`: 0 for a scalar, 1 + the deepest value it holds for containers,
    /// calls and objects (as far as the machine has filled them so far).
    [[nodiscard]] std::uint32_t depth(ValueId id) const;
    /// Raises the depth of `owner` to hold `child`; throws LimitError (limit "depth") past
    /// `maxDepth`. The machine calls it whenever a value is put inside another.
    void holds(ValueId owner, ValueId child, std::uint32_t maxDepth);
    /// holds() for each of `children` (one depth update for all of them).
    void holdsAll(ValueId owner, std::span<const ValueId> children, std::uint32_t maxDepth);
    /// The shared None / True / False values.
    ValueId none();
    ValueId boolean(bool b);
    /// An Int value; small ints (-5..256) are shared, as in CPython. Compact (8 bytes) when the
    /// opcode at `offset` is a BININT, BININT1, BININT2 or LONG1 that spells `v`.
    ValueId integer(std::int64_t v, std::uint64_t offset);
    /// A Float value; compact when the opcode at `offset` is a BINFLOAT that spells `v`.
    ValueId real(double v, std::uint64_t offset);
    /// A Str/Bytes/ByteArray/BigInt value holding `text` (owned by the graph).
    ValueId addOwnedText(ValueKind kind, std::string text, std::uint64_t offset,
                         std::uint16_t flags = 0);
    /// A Str/Bytes/ByteArray/BigInt value whose bytes are `range` of the source; compact when
    /// there are no flags and the opcode at `offset` is a (SHORT_)BINUNICODE(8) (Str) or a
    /// (SHORT_)BINBYTES(8) (Bytes) whose argument is `range`.
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
        const std::uint64_t e = entry(id);
        if (isCompact(e)) {
            return;  // a scalar
        }
        const Slot& s = record(e);
        const auto eachItem = [&fn](const ItemList& l) {
            for (const ValueId c : l) {
                fn(c);
            }
        };
        const auto eachEntry = [&fn](const EntryList& l) {
            for (const auto& [k, val] : l) {
                fn(k);
                fn(val);
            }
        };
        if (isListKind(s.kind)) {
            eachItem(s.u.items);
        } else if (s.kind == ValueKind::Dict) {
            eachEntry(s.u.entries);
        } else if (const Links* l = linksOf(s)) {
            for (const ValueId r : {l->func, l->args, l->kwargs, l->pid}) {
                if (r != kNoValue) {
                    fn(r);
                }
            }
            eachItem(l->items);
            eachEntry(l->entries);
            eachItem(l->states);
        }
    }

private:
    /// One value in 24 bytes. The payload depends on the kind: the scalar (None, Bool, Int,
    /// Buffer: integer; Float: real), the length of a text read in place (Str, Bytes,
    /// ByteArray, BigInt: `aux` says where it starts), the list of a container (List, Tuple,
    /// Set, FrozenSet: items; Dict: entries), or the index of a Links record (the opaque kinds:
    /// Global, Call, Object, PersistentRef, Extension), which only values that have references
    /// get. Extension keeps its code in `aux`, Global its name's index.
    struct Slot {
        Slot() : u() {}
        ValueKind kind = ValueKind::None;
        ObjectOrigin origin = ObjectOrigin::NewObj;
        std::uint16_t flags = 0;
        std::uint32_t aux = 0;
        std::uint64_t offset = 0;
        union Payload {
            Payload() : integer(0) {}
            std::int64_t integer;
            double real;
            std::uint64_t length;
            ItemList items;
            EntryList entries;
            std::uint32_t links;
        } u;
    };
    /// The references and lists of an opaque value.
    struct Links {
        ValueId func = kNoValue;
        ValueId args = kNoValue;
        ValueId kwargs = kNoValue;
        ValueId pid = kNoValue;
        ItemList items;
        EntryList entries;
        ItemList states;
    };
    struct StoredGlobal {
        std::uint32_t module, name, originalModule, originalName;
    };

    // Slot::aux of a text: an index into m_texts, or (kRangeBit) a range of the source that
    // starts `aux & kDeltaMask` bytes after the value's offset (Slot::u.length long), or
    // (kRangeBit | kFarBit) an index into m_ranges.
    static constexpr std::uint32_t kRangeBit = 1U << 31;
    static constexpr std::uint32_t kFarBit = 1U << 30;
    static constexpr std::uint32_t kDeltaMask = kFarBit - 1;
    static constexpr std::uint32_t kNoLinks = std::numeric_limits<std::uint32_t>::max();

    static bool isListKind(ValueKind k) {
        return k == ValueKind::List || k == ValueKind::Tuple || k == ValueKind::Set ||
               k == ValueKind::FrozenSet;
    }
    static bool isOpaqueKind(ValueKind k) {
        return k == ValueKind::Global || k == ValueKind::Call || k == ValueKind::Object ||
               k == ValueKind::PersistentRef || k == ValueKind::Extension;
    }
    /// Kinds whose Slot::aux holds their nesting depth.
    static bool keepsDepthInAux(ValueKind k) {
        return isListKind(k) || k == ValueKind::Dict || k == ValueKind::Call ||
               k == ValueKind::Object || k == ValueKind::PersistentRef;
    }
    static bool isTextKind(ValueKind k) {
        return k == ValueKind::Str || k == ValueKind::Bytes || k == ValueKind::ByteArray ||
               k == ValueKind::BigInt;
    }

    // An entry: kCompactBit | kind << kKindShift | the opcode's offset (a compact scalar, or
    // a pruned dict of scalars: kind Dict, flag Pruned, depth 1), or kind << kKindShift | the
    // index of the value's Slot. Scans by kind read entries only.
    static constexpr std::uint64_t kCompactBit = std::uint64_t{1} << 63;
    static constexpr unsigned kKindShift = 56;
    static constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << kKindShift) - 1;
    static bool isCompact(std::uint64_t e) { return (e & kCompactBit) != 0; }
    /// The kind an entry spells (compact or not).
    static ValueKind kindOf(std::uint64_t e) {
        return static_cast<ValueKind>((e >> kKindShift) & 0x7FU);
    }
    /// A compact scalar, decoded from its opcode.
    struct Scalar {
        ValueKind kind = ValueKind::None;
        std::int64_t integer = 0;
        double real = 0;
        ByteRange range;
    };
    /// Decodes the scalar spelled by the opcode at `offset`; kind None when that opcode is not
    /// one that a compact entry can stand for.
    [[nodiscard]] Scalar decodeAt(std::uint64_t offset) const;
    /// Adds a compact entry (kind, offset) when the opcode at `offset` decodes to `expect`.
    ValueId addCompact(const Scalar& expect, std::uint64_t offset);

    std::uint32_t storeText(std::string text);
    [[nodiscard]] std::uint64_t& entry(ValueId id) const {
        return m_entryChunks[id >> kChunkBits][id & (kChunkSize - 1)];
    }
    [[nodiscard]] Slot& record(std::uint64_t e) const {
        const std::uint64_t r = e & kOffsetMask;
        return m_chunks[r >> kChunkBits][r & (kChunkSize - 1)];
    }
    /// The slot of a value that has one (`id` not compact).
    [[nodiscard]] Slot& slot(ValueId id) const { return record(entry(id)); }
    /// The slot of `id`, made for a compact scalar first (to be changed).
    Slot& mutableSlot(ValueId id);
    /// Nesting depth of `child` as its owner sees it (0 for scalars and unknown ids).
    [[nodiscard]] std::uint32_t childDepth(ValueId child) const;
    /// Raises the depth of `owner` to `d` (LimitError "depth" past `maxDepth`).
    void raiseDepth(ValueId owner, std::uint32_t d, std::uint32_t maxDepth);
    [[nodiscard]] Links* linksOf(const Slot& s) const {
        if (!isOpaqueKind(s.kind) || s.u.links == kNoLinks) {
            return nullptr;
        }
        return &m_linkChunks[s.u.links >> kChunkBits][s.u.links & (kChunkSize - 1)];
    }
    /// The Links of opaque value `id`, made on first use; std::logic_error for other kinds.
    Links& links(ValueId id);
    [[nodiscard]] ByteRange rangeOf(const Slot& s) const;
    ValueId push(const Slot& s, std::uint64_t offset);
    ValueId pushEntry(std::uint64_t e, std::uint64_t offset);
    /// Stores `s` in a new slot; returns the entry that refers to it.
    std::uint64_t newRecord(const Slot& s);

    // Values and links live in fixed-size chunks: no reallocation peaks, stable references.
    // The chunks come from pools (huge pages for big graphs); a slot or links record is
    // constructed when it is first used.
    static constexpr std::size_t kChunkBits = 10;
    static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;

    std::shared_ptr<const ByteSource> m_source;
    std::span<const std::byte> m_bytes;
    std::size_t m_maxValues;
    /// Depths of Globals and Extensions that hold values (their `aux` is taken); the other
    /// kinds that hold values keep their depth in `aux`.
    std::unordered_map<ValueId, std::uint32_t> m_otherDepths;
    BlockPool m_entryPool{kChunkSize * sizeof(std::uint64_t)};
    BlockPool m_slotPool{kChunkSize * sizeof(Slot)};
    BlockPool m_linkPool{kChunkSize * sizeof(Links)};
    std::vector<std::uint64_t*> m_entryChunks;
    std::vector<Slot*> m_chunks;
    std::size_t m_recordCount = 0;
    /// Slots given back by pruned dicts, taken again before new ones: validating a list of
    /// millions of small dicts keeps a few thousand slots, not one per dict.
    std::vector<std::uint64_t> m_freeRecords;
    std::vector<Links*> m_linkChunks;
    std::size_t m_linkCount = 0;
    ListArena m_lists;
    std::size_t m_size = 0;
    std::deque<std::string> m_texts;  ///< deque: views into it stay valid as it grows
    std::vector<ByteRange> m_ranges;  ///< text ranges far from their value's offset
    std::vector<ValueId> m_nonPlain;  ///< see nonPlainIds()
    std::vector<StoredGlobal> m_globals;
    ValueId m_none = kNoValue;
    std::array<ValueId, 2> m_bools{kNoValue, kNoValue};
    std::array<ValueId, 262> m_smallInts{};
};

inline Value ValueGraph::operator[](ValueId id) const {
    const std::uint64_t e = entry(id);
    Value v;
    if (isCompact(e)) {
        if (kindOf(e) == ValueKind::Dict) {  // a pruned dict of scalars (pruneScalarDict)
            v.kind = ValueKind::Dict;
            v.flags = ValueFlag::Pruned;
            v.offset = e & kOffsetMask;
            return v;
        }
        const Scalar sc = decodeAt(e & kOffsetMask);
        v.kind = kindOf(e);
        v.offset = e & kOffsetMask;
        if (v.kind == ValueKind::Int) {
            v.integer = sc.integer;
        } else if (v.kind == ValueKind::Float) {
            v.real = sc.real;
        } else {
            v.range = sc.range;
        }
        return v;
    }
    const Slot& s = record(e);
    v.kind = s.kind;
    v.origin = s.origin;
    v.flags = s.flags;
    v.offset = s.offset;
    switch (s.kind) {
        case ValueKind::None:
        case ValueKind::Bool:
        case ValueKind::Int:
        case ValueKind::Buffer:
            v.integer = s.u.integer;
            break;
        case ValueKind::Float:
            v.real = s.u.real;
            break;
        case ValueKind::Str:
        case ValueKind::Bytes:
        case ValueKind::ByteArray:
        case ValueKind::BigInt:
            if ((s.aux & kRangeBit) == 0) {
                v.aux = s.aux;
            } else {
                v.range = rangeOf(s);
            }
            break;
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
            v.items = s.u.items;
            break;
        case ValueKind::Dict:
            v.entries = s.u.entries;
            break;
        case ValueKind::Global:
        case ValueKind::Call:
        case ValueKind::Object:
        case ValueKind::PersistentRef:
        case ValueKind::Extension:
            if (s.kind == ValueKind::Global) {
                v.aux = s.aux;
            } else if (s.kind == ValueKind::Extension) {
                v.integer = s.aux;
            }
            if (const Links* l = linksOf(s)) {
                v.func = l->func;
                v.args = l->args;
                v.kwargs = l->kwargs;
                v.pid = l->pid;
                v.items = l->items;
                v.entries = l->entries;
                v.states = l->states;
            }
            break;
    }
    return v;
}

inline ByteRange ValueGraph::rangeOf(const Slot& s) const {
    if ((s.aux & kFarBit) != 0) {
        return m_ranges[s.aux & kDeltaMask];
    }
    return {s.offset + (s.aux & kDeltaMask), s.u.length};
}

}  // namespace ckpt::core::pickle
