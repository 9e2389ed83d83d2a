// The opcode helpers of Interpreter: values, globals, containers, memo, objects and hooks.
#include <algorithm>

#include "core/io/byte_source.h"
#include "core/pickle/big_int.h"
#include "core/pickle/interpreter.h"
#include "core/pickle/machine.h"
#include "core/pickle/name_mapping.h"
#include "core/pickle/text_args.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core::pickle {

namespace {

bool isAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
}

/// Kinds whose Python type the machine cannot know (results of calls, classes, persistent
/// objects): APPEND/SETITEM/ADDITEMS on them are method calls, recorded on the node.
bool isOpaque(ValueKind k) {
    return k == ValueKind::Global || k == ValueKind::Call || k == ValueKind::Object ||
           k == ValueKind::PersistentRef || k == ValueKind::Extension;
}

}  // namespace

void Interpreter::pushIntLine(const Op& op, bool isLong) {
    std::string_view text = m_reader.text(op.data);
    if (!isLong && (text == "00" || text == "01")) {
        m_stack.push(m_graph.boolean(text == "01"));  // protocol 0 spells False/True this way
        return;
    }
    if (isLong && !text.empty() && text.back() == 'L') {
        text.remove_suffix(1);
    }
    auto lit = parseIntLiteral(text, true);
    if (!lit) {
        fail(opLabel(op) + ": malformed integer literal", op);
    }
    if (lit->fits) {
        m_stack.push(m_graph.integer(lit->value, op.offset));
    } else {
        m_stack.push(m_graph.addOwnedText(ValueKind::BigInt, std::move(lit->decimal), op.offset,
                                          ValueFlag::DecimalText));
    }
}

void Interpreter::pushLongBytes(const Op& op) {
    const auto bytes = m_graph.bytes().subspan(static_cast<std::size_t>(op.data.offset),
                                               static_cast<std::size_t>(op.data.length));
    if (const auto v = int64FromTwosComplement(bytes)) {
        m_stack.push(m_graph.integer(*v, op.offset));
    } else {
        m_stack.push(m_graph.addRangeText(ValueKind::BigInt, op.data, op.offset));
    }
}

void Interpreter::pushPy2String(const Op& op, std::string_view bytes, bool owned) {
    // A Python 2 str: CPython decodes it as ASCII by default; other bytes stay bytes here.
    const ValueKind kind = isAscii(bytes) ? ValueKind::Str : ValueKind::Bytes;
    if (owned) {
        m_stack.push(m_graph.addOwnedText(kind, std::string(bytes), op.offset, Py2String));
    } else {
        m_stack.push(m_graph.addRangeText(kind, op.data, op.offset, Py2String));
    }
}

ValueId Interpreter::makeGlobal(std::string_view module, std::string_view name,
                                std::uint64_t offset, std::uint16_t flags) {
    if (const auto mapped = mapPython2Name(module, name)) {
        flags |= ValueFlag::Renamed;
        if (m_info.protocol < 3) {
            flags |= ValueFlag::RenameApplies;
        }
        return m_graph.addGlobal(std::string(mapped->module), std::string(mapped->name),
                                 std::string(module), std::string(name), offset, flags);
    }
    return m_graph.addGlobal(std::string(module), std::string(name), {}, {}, offset, flags);
}

void Interpreter::pushTuple(const Op& op, std::size_t n) {
    ValueId items[3] = {kNoValue, kNoValue, kNoValue};  // TUPLE1..TUPLE3
    n = std::min<std::size_t>(n, 3);
    for (std::size_t i = n; i-- > 0;) {
        items[i] = m_stack.pop();
    }
    m_stack.push(make(ValueKind::Tuple, op, std::span<const ValueId>(items, n)));
}

void Interpreter::addToTarget(const Op& op, std::span<const ValueId> items) {
    const ValueId target = m_stack.top();
    const ValueKind kind = m_graph.kind(target);
    const bool ok = op.code == Opcode::AddItems ? kind == ValueKind::Set : kind == ValueKind::List;
    if (!ok && !isOpaque(kind)) {
        fail(opLabel(op) + ": cannot add items to a " + std::string(valueKindName(kind)), op);
    }
    m_graph.appendItems(target, items);
    m_graph.holdsAll(target, items, m_maxDepth);
    if (m_pruneScalarDicts) {  // a list, or the list-like result of a call
        for (const ValueId item : items) {
            if (m_graph.kind(item) == ValueKind::Dict) {
                (void)m_graph.pruneScalarDict(item);
            }
        }
    }
}

void Interpreter::setItemsOnTarget(const Op& op, std::span<const ValueId> flat) {
    const ValueId target = m_stack.top();
    const ValueKind kind = m_graph.kind(target);
    if (kind != ValueKind::Dict && !isOpaque(kind)) {
        fail(opLabel(op) + ": cannot set items on a " + std::string(valueKindName(kind)), op);
    }
    appendPairs(target, flat);
    m_graph.holdsAll(target, flat, m_maxDepth);
}

void Interpreter::appendPairs(ValueId target, std::span<const ValueId> flat) {
    m_pairs.clear();
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
        m_pairs.emplace_back(flat[i], flat[i + 1]);
    }
    m_graph.appendEntries(target, m_pairs);
}

void Interpreter::memoPut(const Op& op, std::uint64_t index) {
    // A writer numbers memo entries 0, 1, 2...; each costs at least one byte of the file.
    if (index > m_graph.bytes().size()) {
        fail(opLabel(op) + ": memo index " + std::to_string(index) +
                 " is larger than this file could ever need",
             op);
    }
    const ValueId v = m_stack.top();
    if (m_memo.size() >= m_maxMemo) {
        throw LimitError(
            "the pickle stores more than " + std::to_string(m_memo.size()) + " memo entries",
            "pickle-memo", m_maxMemo, {m_graph.source().name(), "pickle", {}, op.offset});
    }
    if (const auto old = m_memo.put(index, v); old && *old != v) {
        warn(opLabel(op) + " replaces memo entry " + std::to_string(index));
    }
}

void Interpreter::memoGet(const Op& op, std::uint64_t index) {
    const auto v = m_memo.get(index);
    if (!v) {
        fail(opLabel(op) + ": memo index " + std::to_string(index) + " was never stored", op);
    }
    m_stack.push(*v);
}

void Interpreter::makeObject(const Op& op, ObjectOrigin origin, ValueId cls, ValueId args,
                             ValueId kwargs) {
    const ValueId id = make(ValueKind::Object, op);
    m_graph.setOrigin(id, origin);
    m_graph.setLinks(id, cls, args, kwargs);
    holds(id, cls);
    holds(id, args);
    holds(id, kwargs);
    m_stack.push(id);
}

void Interpreter::persistent(const Op& op, ValueId pid) {
    ValueId result = kNoValue;
    if (const auto& hook = m_machine.options().persistentLoad) {
        result = hook(PersistentLoadEvent{m_machine, pid, op.offset});
    }
    if (result == kNoValue || !m_graph.contains(result)) {
        result = make(ValueKind::PersistentRef, op);
        m_graph.setLinks(result, kNoValue, kNoValue, kNoValue, pid);
    }
    m_stack.push(result);
}

void Interpreter::build(const Op& op) {
    const ValueId state = m_stack.pop();
    const ValueId object = m_stack.top();
    // CPython's BUILD needs __setstate__ or a __dict__: builtin values (and the shared None,
    // booleans and small ints) have neither, so only objects of unknown type can take a state.
    if (!isOpaque(m_graph.kind(object))) {
        fail(opLabel(op) + ": cannot set the state of a " +
                 std::string(valueKindName(m_graph.kind(object))),
             op);
    }
    m_graph.appendState(object, state);
    holds(object, state);
    const auto& hook = m_machine.options().afterBuild;
    if (!hook) {
        return;
    }
    const std::uint64_t next = m_reader.position();
    const BuildAction action = hook(BuildEvent{m_machine, object, state, op.offset, next});
    if (action.replaceWith != kNoValue && m_graph.contains(action.replaceWith)) {
        m_stack.top() = action.replaceWith;
    }
    if (action.skipBytes > 0) {
        if (action.skipBytes > m_reader.size() - next) {
            fail(opLabel(op) + ": " + std::to_string(action.skipBytes) +
                     " bytes of raw data after it run past the end of the data (" +
                     std::to_string(m_reader.size() - next) + " remain)",
                 op);
        }
        m_reader.seek(next + action.skipBytes);
        m_info.skipped.push_back({next, action.skipBytes});
    }
}

}  // namespace ckpt::core::pickle
