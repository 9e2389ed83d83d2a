#include "core/pickle/interpreter.h"

#include <algorithm>

#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/text_args.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core::pickle {

Interpreter::Interpreter(Machine& machine, ValueGraph& graph, std::uint64_t offset)
    : m_machine(machine),
      m_graph(graph),
      m_reader(graph.bytes(), offset, graph.source().name()),
      m_stack(machine.options().limits.maxStack, machine.options().limits.maxMarks),
      m_maxDepth(machine.options().limits.maxDepth),
      m_pruneScalarDicts(machine.options().pruneScalarDicts),
      m_maxMemo(limits().pickleMemo) {}

void Interpreter::dropReadPages(std::uint64_t position) {
    // Keep the last MiB (a value's bytes may sit a little behind the opcode reading it).
    constexpr std::uint64_t kStep = std::uint64_t{8} << 20;
    constexpr std::uint64_t kKeep = std::uint64_t{1} << 20;
    if (position > m_pagesDroppedTo + kStep + kKeep) {
        const std::uint64_t to = position - kKeep;
        m_graph.source().dropCachedPages(m_pagesDroppedTo, to - m_pagesDroppedTo);
        m_pagesDroppedTo = to;
    }
}

void Interpreter::fail(const std::string& message, const Op& op) const {
    m_reader.fail(message, op.offset);
}

void Interpreter::warn(std::string message) {
    if (m_info.warnings.size() < m_machine.options().limits.maxWarnings) {
        m_info.warnings.push_back(std::move(message));
    } else {
        ++m_suppressedWarnings;
    }
}

PickleInfo Interpreter::run() {
    m_info.begin = m_reader.position();
    const auto& progress = m_machine.options().progress;
    while (true) {
        const Op op = m_reader.next();
        ++m_info.opcodeCount;
        if ((m_info.opcodeCount & 0xFFFFU) == 0) {
            if (progress) {
                reportProgress(progress, op.offset, m_reader.size());
            }
            if (m_machine.options().dropReadPages) {
                dropReadPages(op.offset);
            }
        }
        m_info.highestOpcodeProtocol = std::max<int>(m_info.highestOpcodeProtocol, op.protocol);
        if (op.crossesFrame && !m_frameWarned) {
            m_frameWarned = true;
            warn(opLabel(op) + " breaks FRAME boundaries (CPython refuses this stream)");
        }
        try {
            if (op.code == Opcode::Stop) {
                m_info.root = m_stack.pop();
                m_info.end = op.end;
                break;
            }
            step(op);
        } catch (const StackError& e) {
            fail(opLabel(op) + ": " + e.what(), op);
        }
    }
    if (m_stack.size() > 0) {
        warn(std::to_string(m_stack.size()) + " value(s) left on the stack at STOP (offset " +
             std::to_string(m_info.end - 1) + "); CPython ignores them");
    }
    if (m_stack.markCount() > 0) {
        warn(std::to_string(m_stack.markCount()) + " MARK(s) still open at STOP (offset " +
             std::to_string(m_info.end - 1) + ")");
    }
    if (m_suppressedWarnings > 0) {
        m_info.warnings.push_back("... and " + std::to_string(m_suppressedWarnings) +
                                  " more warning(s)");
    }
    return m_info;
}

ValueId Interpreter::make(ValueKind kind, const Op& op, std::span<const ValueId> items) {
    Value v;
    v.kind = kind;
    v.offset = op.offset;
    const ValueId id = m_graph.add(v);
    m_graph.appendItems(id, items);
    m_graph.holdsAll(id, items, m_maxDepth);
    return id;
}

void Interpreter::holds(ValueId owner, ValueId child) {
    m_graph.holds(owner, child, m_maxDepth);
}

void Interpreter::step(const Op& op) {
    switch (op.code) {
        case Opcode::Proto:
            if (op.integer > kHighestProtocol) {
                throw UnsupportedError("pickle protocol " + std::to_string(op.integer) +
                                           " is newer than " + std::to_string(kHighestProtocol),
                                       {m_graph.source().name(), "pickle", {}, op.offset});
            }
            m_info.protocol = static_cast<int>(op.integer);
            return;
        case Opcode::Frame:
        case Opcode::Stop:
            return;
        case Opcode::Mark:
            m_stack.pushMark();
            return;
        case Opcode::Pop:
            m_stack.popValueOrMark();
            return;
        case Opcode::PopMark:
            (void)m_stack.popMark();
            return;
        case Opcode::Dup: {
            const ValueId v = m_stack.top();
            m_stack.push(v);
            return;
        }
        case Opcode::None:
            m_stack.push(m_graph.none());
            return;
        case Opcode::NewTrue:
        case Opcode::NewFalse:
            m_stack.push(m_graph.boolean(op.code == Opcode::NewTrue));
            return;
        case Opcode::Int:
            pushIntLine(op, false);
            return;
        case Opcode::Long:
            pushIntLine(op, true);
            return;
        case Opcode::BinInt:
        case Opcode::BinInt1:
        case Opcode::BinInt2:
            m_stack.push(m_graph.integer(op.integer, op.offset));
            return;
        case Opcode::Long1:
        case Opcode::Long4:
            pushLongBytes(op);
            return;
        case Opcode::Float: {
            const auto v = parseFloatLiteral(m_reader.text(op.data));
            if (!v) {
                fail(opLabel(op) + ": malformed float literal", op);
            }
            const ValueId id = make(ValueKind::Float, op);
            m_graph.setReal(id, *v);
            m_stack.push(id);
            return;
        }
        case Opcode::BinFloat:
            m_stack.push(m_graph.real(op.real, op.offset));
            return;
        case Opcode::String: {
            auto bytes = unescapeStringLiteral(m_reader.text(op.data));
            if (!bytes) {
                fail(
                    opLabel(op) + ": the STRING argument must be a quoted, validly escaped literal",
                    op);
            }
            pushPy2String(op, *bytes, true);
            return;
        }
        case Opcode::BinString:
        case Opcode::ShortBinString:
            pushPy2String(op, m_reader.text(op.data), false);
            return;
        case Opcode::Unicode: {
            auto text = decodeRawUnicodeEscape(m_reader.text(op.data));
            if (!text) {
                fail(opLabel(op) + ": malformed \\u escape in UNICODE argument", op);
            }
            m_stack.push(m_graph.addOwnedText(ValueKind::Str, std::move(*text), op.offset));
            return;
        }
        case Opcode::ShortBinUnicode:
        case Opcode::BinUnicode:
        case Opcode::BinUnicode8:
            m_stack.push(m_graph.addRangeText(ValueKind::Str, op.data, op.offset));
            return;
        case Opcode::ShortBinBytes:
        case Opcode::BinBytes:
        case Opcode::BinBytes8:
            m_stack.push(m_graph.addRangeText(ValueKind::Bytes, op.data, op.offset));
            return;
        case Opcode::ByteArray8:
            m_stack.push(m_graph.addRangeText(ValueKind::ByteArray, op.data, op.offset));
            return;
        case Opcode::NextBuffer: {
            const ValueId id = make(ValueKind::Buffer, op);
            m_graph.setInteger(id, static_cast<std::int64_t>(m_nextBuffer++));
            m_stack.push(id);
            return;
        }
        case Opcode::ReadOnlyBuffer: {
            const ValueId top = m_stack.top();
            const ValueKind k = m_graph.kind(top);
            if (k == ValueKind::Buffer || k == ValueKind::ByteArray) {
                m_graph.addFlags(top, ValueFlag::ReadOnly);
            }
            return;
        }
        case Opcode::EmptyList:
            m_stack.push(make(ValueKind::List, op));
            return;
        case Opcode::EmptyTuple:
            m_stack.push(make(ValueKind::Tuple, op));
            return;
        case Opcode::EmptyDict:
            m_stack.push(make(ValueKind::Dict, op));
            return;
        case Opcode::EmptySet:
            m_stack.push(make(ValueKind::Set, op));
            return;
        case Opcode::List:
            m_stack.push(make(ValueKind::List, op, m_stack.popMark()));
            return;
        case Opcode::Tuple:
            m_stack.push(make(ValueKind::Tuple, op, m_stack.popMark()));
            return;
        case Opcode::FrozenSet:
            m_stack.push(make(ValueKind::FrozenSet, op, m_stack.popMark()));
            return;
        case Opcode::Tuple1:
        case Opcode::Tuple2:
        case Opcode::Tuple3:
            pushTuple(op, static_cast<std::size_t>(static_cast<std::uint8_t>(op.code) -
                                                   static_cast<std::uint8_t>(Opcode::Tuple1) + 1));
            return;
        case Opcode::Dict: {
            const auto flat = m_stack.popMark();
            if (flat.size() % 2 != 0) {
                fail(opLabel(op) + ": odd number of items for DICT", op);
            }
            const ValueId id = make(ValueKind::Dict, op);
            appendPairs(id, flat);
            m_graph.holdsAll(id, flat, m_maxDepth);
            m_stack.push(id);
            return;
        }
        case Opcode::Append: {
            const ValueId v = m_stack.pop();
            addToTarget(op, std::span<const ValueId>(&v, 1));
            return;
        }
        case Opcode::Appends:
        case Opcode::AddItems:
            addToTarget(op, m_stack.popMark());
            return;
        case Opcode::SetItem: {
            const ValueId v = m_stack.pop();
            const ValueId k = m_stack.pop();
            const ValueId pair[] = {k, v};
            setItemsOnTarget(op, pair);
            return;
        }
        case Opcode::SetItems: {
            const auto flat = m_stack.popMark();
            if (flat.size() % 2 != 0) {
                fail(opLabel(op) + ": odd number of items for SETITEMS", op);
            }
            setItemsOnTarget(op, flat);
            return;
        }
        case Opcode::Get:
        case Opcode::BinGet:
        case Opcode::LongBinGet:
            memoGet(op, static_cast<std::uint64_t>(op.integer));
            return;
        case Opcode::Put:
        case Opcode::BinPut:
        case Opcode::LongBinPut:
            memoPut(op, static_cast<std::uint64_t>(op.integer));
            return;
        case Opcode::Memoize:
            memoPut(op, m_memo.size());
            return;
        case Opcode::Ext1:
        case Opcode::Ext2:
        case Opcode::Ext4: {
            if (op.integer <= 0) {
                fail(opLabel(op) + ": extension code " + std::to_string(op.integer) +
                         " is not positive",
                     op);
            }
            const ValueId id = make(ValueKind::Extension, op);
            m_graph.setInteger(id, op.integer);
            m_stack.push(id);
            return;
        }
        case Opcode::Global:
            m_stack.push(makeGlobal(m_reader.text(op.data), m_reader.text(op.data2), op.offset, 0));
            return;
        case Opcode::StackGlobal: {
            const ValueId name = m_stack.pop();
            const ValueId module = m_stack.pop();
            std::uint16_t flags = ValueFlag::ViaStackGlobal;
            std::string parts[2];
            for (int i = 0; i < 2; ++i) {
                const ValueId s = i == 0 ? module : name;
                const ValueKind k = m_graph[s].kind;
                if (k == ValueKind::Str || (k == ValueKind::Bytes && m_graph[s].has(Py2String))) {
                    parts[i] = std::string(m_graph.text(s));
                } else if (k == ValueKind::Call || k == ValueKind::Object ||
                           k == ValueKind::Global || k == ValueKind::PersistentRef ||
                           k == ValueKind::Extension) {
                    // A call's result may be a str at load time: what gets imported is decided
                    // then, which is exactly what the validator must report.
                    parts[i] = "?";
                    flags |= ValueFlag::ComputedName;
                } else {
                    fail(opLabel(op) + ": STACK_GLOBAL needs two str values, got a " +
                             std::string(valueKindName(k)),
                         op);
                }
            }
            const ValueId g = makeGlobal(parts[0], parts[1], op.offset, flags);
            if ((flags & ValueFlag::ComputedName) != 0) {
                const ValueId parts2[] = {module, name};
                m_graph.setLinks(g, kNoValue, make(ValueKind::Tuple, op, parts2));
            }
            m_stack.push(g);
            return;
        }
        case Opcode::Inst: {
            const auto items = m_stack.popMark();
            const ValueId cls =
                makeGlobal(m_reader.text(op.data), m_reader.text(op.data2), op.offset, 0);
            makeObject(op, ObjectOrigin::Inst, cls, make(ValueKind::Tuple, op, items));
            return;
        }
        case Opcode::Obj: {
            const auto items = m_stack.popMark();
            if (items.empty()) {
                fail(opLabel(op) + ": OBJ without a class after its MARK", op);
            }
            const ValueId cls = items.front();
            makeObject(op, ObjectOrigin::Obj, cls, make(ValueKind::Tuple, op, items.subspan(1)));
            return;
        }
        case Opcode::NewObj: {
            const ValueId args = m_stack.pop();
            const ValueId cls = m_stack.pop();
            makeObject(op, ObjectOrigin::NewObj, cls, args);
            return;
        }
        case Opcode::NewObjEx: {
            const ValueId kwargs = m_stack.pop();
            const ValueId args = m_stack.pop();
            const ValueId cls = m_stack.pop();
            makeObject(op, ObjectOrigin::NewObjEx, cls, args, kwargs);
            return;
        }
        case Opcode::Reduce: {
            const ValueId args = m_stack.pop();
            const ValueId func = m_stack.top();
            const ValueId call = make(ValueKind::Call, op);
            m_graph.setLinks(call, func, args);
            holds(call, func);
            holds(call, args);
            m_stack.top() = call;
            return;
        }
        case Opcode::Build:
            build(op);
            return;
        case Opcode::Persid:
            persistent(op, m_graph.addRangeText(ValueKind::Str, op.data, op.offset));
            return;
        case Opcode::BinPersid:
            persistent(op, m_stack.pop());
            return;
    }
    fail(opLabel(op) + ": opcode not handled", op);
}

}  // namespace ckpt::core::pickle
