#include "core/pickle/value_graph.h"

#include <algorithm>
#include <new>
#include <stdexcept>
#include <type_traits>

#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core::pickle {

namespace {
constexpr std::int64_t kSmallIntMin = -5;
constexpr std::int64_t kSmallIntMax = 256;
}  // namespace

ValueGraph::ValueGraph(std::shared_ptr<const ByteSource> source, std::size_t maxValues)
    : m_source(std::move(source)), m_bytes(m_source->view()), m_maxValues(maxValues) {
    if (m_bytes.empty() && m_source->size() > 0) {
        throw UnsupportedError("pickle decoding needs a memory-backed source", {m_source->name()});
    }
    m_smallInts.fill(kNoValue);
}

ValueId ValueGraph::push(const Slot& s, std::uint64_t offset) {
    // Graphs of millions of small objects hold millions of these (issue 15).
    static_assert(sizeof(Slot) == 24, "Slot grew: every pickled object pays for it");
    static_assert(sizeof(Links) == 40, "Links grew");
    // Slots and links live in pool blocks that are freed without running destructors.
    static_assert(std::is_trivially_destructible_v<Slot> &&
                  std::is_trivially_destructible_v<Links>);
    if (m_size >= m_maxValues || m_size >= kNoValue - 1) {
        throw LimitError("the pickle builds more than " + std::to_string(m_maxValues) + " values",
                         "pickle-nodes", m_maxValues, {m_source->name(), "pickle", {}, offset});
    }
    return pushEntry(newRecord(s), offset);
}

std::uint64_t ValueGraph::newRecord(const Slot& s) {
    if (!m_freeRecords.empty()) {
        const std::uint64_t e =
            (static_cast<std::uint64_t>(s.kind) << kKindShift) | m_freeRecords.back();
        m_freeRecords.pop_back();
        new (&record(e)) Slot(s);
        return e;
    }
    if (m_recordCount % kChunkSize == 0) {
        m_chunks.push_back(reinterpret_cast<Slot*>(m_slotPool.allocate()));
    }
    const std::uint64_t e = (static_cast<std::uint64_t>(s.kind) << kKindShift) | m_recordCount++;
    new (&record(e)) Slot(s);
    return e;
}

ValueId ValueGraph::pushEntry(std::uint64_t e, std::uint64_t offset) {
    if (m_size >= m_maxValues || m_size >= kNoValue - 1) {
        throw LimitError("the pickle builds more than " + std::to_string(m_maxValues) + " values",
                         "pickle-nodes", m_maxValues, {m_source->name(), "pickle", {}, offset});
    }
    if (m_size % kChunkSize == 0) {
        m_entryChunks.push_back(reinterpret_cast<std::uint64_t*>(m_entryPool.allocate()));
    }
    const auto id = static_cast<ValueId>(m_size++);
    entry(id) = e;
    switch (kindOf(e)) {
        case ValueKind::Bytes:
        case ValueKind::ByteArray:
        case ValueKind::Buffer:
        case ValueKind::Global:
        case ValueKind::Call:
        case ValueKind::Object:
        case ValueKind::PersistentRef:
        case ValueKind::Extension:
            m_nonPlain.push_back(id);
            break;
        default:
            break;
    }
    return id;
}

ValueId ValueGraph::add(const Value& value) {
    if (!value.items.empty() || !value.entries.empty() || !value.states.empty()) {
        throw std::logic_error("ValueGraph::add takes values without lists");
    }
    Slot s;
    s.kind = value.kind;
    s.origin = value.origin;
    s.flags = value.flags;
    s.offset = value.offset;
    switch (value.kind) {
        case ValueKind::None:
        case ValueKind::Bool:
        case ValueKind::Int:
        case ValueKind::Buffer:
            s.u.integer = value.integer;
            break;
        case ValueKind::Float:
            s.u.real = value.real;
            break;
        case ValueKind::Str:
        case ValueKind::Bytes:
        case ValueKind::ByteArray:
        case ValueKind::BigInt:
            if (value.aux != Value::kNoText) {
                s.aux = value.aux;
            } else if (value.range.offset >= value.offset &&
                       value.range.offset - value.offset <= kDeltaMask) {
                s.aux = kRangeBit | static_cast<std::uint32_t>(value.range.offset - value.offset);
                s.u.length = value.range.length;
            } else {
                s.aux = kRangeBit | kFarBit | static_cast<std::uint32_t>(m_ranges.size());
                m_ranges.push_back(value.range);
            }
            break;
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
            s.u.items = ItemList{};
            break;
        case ValueKind::Dict:
            s.u.entries = EntryList{};
            break;
        case ValueKind::Global:
        case ValueKind::Call:
        case ValueKind::Object:
        case ValueKind::PersistentRef:
        case ValueKind::Extension:
            s.aux = value.kind == ValueKind::Extension ? static_cast<std::uint32_t>(value.integer)
                    : value.kind == ValueKind::Global  ? value.aux
                                                       : 0;  // depth
            s.u.links = kNoLinks;
            break;
    }
    const ValueId id = push(s, value.offset);
    if (value.func != kNoValue || value.args != kNoValue || value.kwargs != kNoValue ||
        value.pid != kNoValue) {
        setLinks(id, value.func, value.args, value.kwargs, value.pid);
    }
    return id;
}

ValueGraph::Links& ValueGraph::links(ValueId id) {
    if (!isOpaqueKind(kind(id))) {
        throw std::logic_error("a " + std::string(valueKindName(kind(id))) +
                               " value has no references or method-added lists");
    }
    Slot& s = slot(id);
    if (s.u.links == kNoLinks) {
        if (m_linkCount % kChunkSize == 0) {
            m_linkChunks.push_back(reinterpret_cast<Links*>(m_linkPool.allocate()));
        }
        s.u.links = static_cast<std::uint32_t>(m_linkCount++);
        new (linksOf(s)) Links{};
    }
    return *linksOf(s);
}

const ItemList& ValueGraph::items(ValueId id) const {
    static const ItemList kEmpty;
    if (isCompact(entry(id))) {
        return kEmpty;
    }
    const Slot& s = slot(id);
    if (isListKind(s.kind)) {
        return s.u.items;
    }
    if (const Links* l = linksOf(s)) {
        return l->items;
    }
    return kEmpty;
}

const EntryList& ValueGraph::entries(ValueId id) const {
    static const EntryList kEmpty;
    if (isCompact(entry(id))) {
        return kEmpty;
    }
    const Slot& s = slot(id);
    if (s.kind == ValueKind::Dict) {
        return s.u.entries;
    }
    if (const Links* l = linksOf(s)) {
        return l->entries;
    }
    return kEmpty;
}

void ValueGraph::appendItems(ValueId id, std::span<const ValueId> items) {
    if (items.empty()) {
        return;
    }
    Slot& s = mutableSlot(id);
    m_lists.append(isListKind(s.kind) ? s.u.items : links(id).items, items);
}

void ValueGraph::appendEntries(ValueId id, std::span<const ValueEntry> entries) {
    if (entries.empty()) {
        return;
    }
    Slot& s = mutableSlot(id);
    m_lists.append(s.kind == ValueKind::Dict ? s.u.entries : links(id).entries, entries);
}

void ValueGraph::appendState(ValueId id, ValueId state) {
    m_lists.append(links(id).states, std::span<const ValueId>(&state, 1));
}

void ValueGraph::setLinks(ValueId id, ValueId func, ValueId args, ValueId kwargs, ValueId pid) {
    Links& l = links(id);
    l.func = func;
    l.args = args;
    l.kwargs = kwargs;
    l.pid = pid;
}

void ValueGraph::setInteger(ValueId id, std::int64_t v) {
    Slot& s = mutableSlot(id);
    if (s.kind == ValueKind::Extension) {
        s.aux = static_cast<std::uint32_t>(v);
    } else {
        s.u.integer = v;
    }
}

void ValueGraph::setReal(ValueId id, double v) {
    mutableSlot(id).u.real = v;
}

std::uint32_t ValueGraph::depth(ValueId id) const {
    if (id >= m_size) {
        return 0;
    }
    if (const std::uint64_t e = entry(id); isCompact(e)) {
        return kindOf(e) == ValueKind::Dict ? 1 : 0;
    }
    const Slot& s = slot(id);
    if (keepsDepthInAux(s.kind)) {
        return s.aux;
    }
    if (!isOpaqueKind(s.kind) || m_otherDepths.empty()) {
        return 0;
    }
    const auto it = m_otherDepths.find(id);
    return it == m_otherDepths.end() ? 0 : it->second;
}

bool ValueGraph::pruneScalarDict(ValueId id) {
    if (id >= m_size || isCompact(entry(id))) {
        return false;
    }
    Slot& s = slot(id);
    if (s.kind != ValueKind::Dict || s.u.entries.empty()) {
        return false;
    }
    const auto scalar = [this](ValueId v) {
        if (v >= m_size) {
            return false;
        }
        switch (kind(v)) {
            case ValueKind::None:
            case ValueKind::Bool:
            case ValueKind::Int:
            case ValueKind::BigInt:
            case ValueKind::Float:
            case ValueKind::Str:
            case ValueKind::Bytes:
                return true;
            default:
                return false;
        }
    };
    for (const auto& [k, v] : s.u.entries) {
        if (!scalar(k) || !scalar(v)) {
            return false;
        }
    }
    m_lists.clear(s.u.entries);
    if (s.flags == 0 && s.aux <= 1) {
        // Nothing left that needs the slot: the entry alone says "pruned dict" (see
        // operator[]), and the slot goes to the next value.
        std::uint64_t& e = entry(id);
        m_freeRecords.push_back(e & kOffsetMask);
        e = kCompactBit | (static_cast<std::uint64_t>(ValueKind::Dict) << kKindShift) |
            (s.offset & kOffsetMask);
        return true;
    }
    s.flags |= ValueFlag::Pruned;
    return true;
}

std::uint32_t ValueGraph::childDepth(ValueId child) const {
    if (child >= m_size) {
        return 0;
    }
    const std::uint64_t e = entry(child);
    if (isCompact(e)) {
        return kindOf(e) == ValueKind::Dict ? 1 : 0;  // a scalar, or a pruned dict
    }
    const Slot& c = record(e);
    return keepsDepthInAux(c.kind) ? c.aux : isOpaqueKind(c.kind) ? depth(child) : 0;
}

void ValueGraph::holds(ValueId owner, ValueId child, std::uint32_t maxDepth) {
    // Called for every value put into another: the common cases (a scalar child, an owner
    // that keeps its depth in its slot) take no lookup.
    raiseDepth(owner, childDepth(child) + 1, maxDepth);
}

void ValueGraph::holdsAll(ValueId owner, std::span<const ValueId> children,
                          std::uint32_t maxDepth) {
    if (children.empty()) {
        return;
    }
    std::uint32_t deepest = 0;
    for (const ValueId c : children) {
        deepest = std::max(deepest, childDepth(c));
    }
    raiseDepth(owner, deepest + 1, maxDepth);
}

void ValueGraph::raiseDepth(ValueId owner, std::uint32_t d, std::uint32_t maxDepth) {
    if (owner >= m_size) {
        return;
    }
    if (const std::uint64_t e = entry(owner);
        isCompact(e) && (kindOf(e) != ValueKind::Dict || d <= 1)) {
        return;  // a scalar holds nothing; a pruned dict has depth 1
    }
    Slot& s = mutableSlot(owner);  // a pruned dict that is given entries again gets a slot
    if (d <= (keepsDepthInAux(s.kind) ? s.aux : depth(owner))) {
        return;
    }
    if (d > maxDepth) {
        throw LimitError(
            "the pickle nests values deeper than " + std::to_string(maxDepth) + " levels", "depth",
            maxDepth, {m_source->name(), "pickle", {}, s.offset});
    }
    if (keepsDepthInAux(s.kind)) {
        s.aux = d;
    } else {
        m_otherDepths[owner] = d;
    }
}

ValueId ValueGraph::none() {
    if (m_none == kNoValue) {
        m_none = add(Value{});
    }
    return m_none;
}

ValueId ValueGraph::boolean(bool b) {
    auto& slot = m_bools[b ? 1 : 0];
    if (slot == kNoValue) {
        Value v;
        v.kind = ValueKind::Bool;
        v.integer = b ? 1 : 0;
        slot = add(std::move(v));
    }
    return slot;
}

ValueId ValueGraph::integer(std::int64_t i, std::uint64_t offset) {
    const bool small = i >= kSmallIntMin && i <= kSmallIntMax;
    if (small && m_smallInts[static_cast<std::size_t>(i - kSmallIntMin)] != kNoValue) {
        return m_smallInts[static_cast<std::size_t>(i - kSmallIntMin)];
    }
    Scalar expect;
    expect.kind = ValueKind::Int;
    expect.integer = i;
    ValueId id = addCompact(expect, offset);
    if (id == kNoValue) {
        Value v;
        v.kind = ValueKind::Int;
        v.integer = i;
        v.offset = offset;
        id = add(v);
    }
    if (small) {
        m_smallInts[static_cast<std::size_t>(i - kSmallIntMin)] = id;
    }
    return id;
}

ValueId ValueGraph::real(double r, std::uint64_t offset) {
    Scalar expect;
    expect.kind = ValueKind::Float;
    expect.real = r;
    if (const ValueId id = addCompact(expect, offset); id != kNoValue) {
        return id;
    }
    Value v;
    v.kind = ValueKind::Float;
    v.real = r;
    v.offset = offset;
    return add(v);
}

std::uint32_t ValueGraph::storeText(std::string text) {
    if (m_texts.size() >= kRangeBit) {
        throw LimitError("the pickle decodes more than 2^31 texts", "pickle-nodes", m_maxValues,
                         {m_source->name(), "pickle"});
    }
    m_texts.push_back(std::move(text));
    return static_cast<std::uint32_t>(m_texts.size() - 1);
}

ValueId ValueGraph::addOwnedText(ValueKind kind, std::string text, std::uint64_t offset,
                                 std::uint16_t flags) {
    Value v;
    v.kind = kind;
    v.offset = offset;
    v.flags = flags;
    v.aux = storeText(std::move(text));
    return add(std::move(v));
}

ValueId ValueGraph::addRangeText(ValueKind kind, ByteRange range, std::uint64_t offset,
                                 std::uint16_t flags) {
    if (flags == 0 && (kind == ValueKind::Str || kind == ValueKind::Bytes)) {
        Scalar expect;
        expect.kind = kind;
        expect.range = range;
        if (const ValueId id = addCompact(expect, offset); id != kNoValue) {
            return id;
        }
    }
    Value v;
    v.kind = kind;
    v.offset = offset;
    v.flags = flags;
    v.range = range;
    return add(std::move(v));
}

ValueId ValueGraph::addGlobal(std::string module, std::string name, std::string originalModule,
                              std::string originalName, std::uint64_t offset, std::uint16_t flags) {
    StoredGlobal g{storeText(std::move(module)), storeText(std::move(name)),
                   storeText(std::move(originalModule)), storeText(std::move(originalName))};
    Value v;
    v.kind = ValueKind::Global;
    v.offset = offset;
    v.flags = flags;
    v.aux = static_cast<std::uint32_t>(m_globals.size());
    m_globals.push_back(g);
    return add(std::move(v));
}

std::string_view ValueGraph::text(ValueId id) const {
    if (const std::uint64_t e = entry(id); isCompact(e)) {
        if (kindOf(e) != ValueKind::Str && kindOf(e) != ValueKind::Bytes) {
            return {};
        }
        const ByteRange r = decodeAt(e & kOffsetMask).range;
        return {reinterpret_cast<const char*>(m_bytes.data() + r.offset),
                static_cast<std::size_t>(r.length)};
    }
    const Slot& s = slot(id);
    if (!isTextKind(s.kind)) {
        return {};
    }
    if ((s.aux & kRangeBit) == 0) {
        return m_texts[s.aux];
    }
    const ByteRange r = rangeOf(s);
    return {reinterpret_cast<const char*>(m_bytes.data() + r.offset),
            static_cast<std::size_t>(r.length)};
}

GlobalName ValueGraph::global(ValueId id) const {
    if (isCompact(entry(id))) {
        return {};
    }
    const Slot& s = slot(id);
    if (s.kind != ValueKind::Global) {
        return {};
    }
    const StoredGlobal& g = m_globals[s.aux];
    return {m_texts[g.module], m_texts[g.name], m_texts[g.originalModule], m_texts[g.originalName]};
}

std::vector<ValueId> ValueGraph::reachable(ValueId root) const {
    std::vector<ValueId> out;
    if (!contains(root)) {
        return out;
    }
    std::vector<bool> seen(m_size, false);
    std::vector<ValueId> todo{root};
    seen[root] = true;
    std::vector<ValueId> children;
    while (!todo.empty()) {
        const ValueId id = todo.back();
        todo.pop_back();
        out.push_back(id);
        children.clear();
        forEachChild(id, [&](ValueId c) {
            if (!seen[c]) {
                seen[c] = true;
                children.push_back(c);
            }
        });
        // Reverse so that the first child is visited first.
        todo.insert(todo.end(), children.rbegin(), children.rend());
    }
    return out;
}

}  // namespace ckpt::core::pickle
