#include "core/pickle/value_graph.h"

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

ValueId ValueGraph::add(Value value) {
    if (m_size >= m_maxValues || m_size >= kNoValue - 1) {
        throw LimitError("the pickle builds more than " + std::to_string(m_maxValues) + " values",
                         "pickle-nodes", m_maxValues,
                         {m_source->name(), "pickle", {}, value.offset});
    }
    if (m_size % kChunkSize == 0) {
        m_chunks.push_back(std::make_unique<Value[]>(kChunkSize));
    }
    const auto id = static_cast<ValueId>(m_size++);
    slot(id) = std::move(value);
    return id;
}

void ValueGraph::holds(ValueId owner, ValueId child, std::uint32_t maxDepth) {
    if (owner >= m_size) {
        return;
    }
    const std::uint32_t d = depth(child) + 1;
    if (d <= depth(owner)) {
        return;
    }
    if (d > maxDepth) {
        throw LimitError(
            "the pickle nests values deeper than " + std::to_string(maxDepth) + " levels", "depth",
            maxDepth, {m_source->name(), "pickle", {}, slot(owner).offset});
    }
    if (m_depths.size() <= owner) {
        m_depths.resize(static_cast<std::size_t>(owner) + 1, 0);
    }
    m_depths[owner] = d;
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
    Value v;
    v.kind = ValueKind::Int;
    v.integer = i;
    v.offset = offset;
    const ValueId id = add(std::move(v));
    if (small) {
        m_smallInts[static_cast<std::size_t>(i - kSmallIntMin)] = id;
    }
    return id;
}

std::uint32_t ValueGraph::storeText(std::string text) {
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
    const Value& v = slot(id);
    switch (v.kind) {
        case ValueKind::Str:
        case ValueKind::Bytes:
        case ValueKind::ByteArray:
        case ValueKind::BigInt:
            break;
        default:
            return {};
    }
    if (v.aux != Value::kNoText) {
        return m_texts[v.aux];
    }
    return {reinterpret_cast<const char*>(m_bytes.data() + v.range.offset),
            static_cast<std::size_t>(v.range.length)};
}

GlobalName ValueGraph::global(ValueId id) const {
    const Value& v = slot(id);
    if (v.kind != ValueKind::Global) {
        return {};
    }
    const StoredGlobal& g = m_globals[v.aux];
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
