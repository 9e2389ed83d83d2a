// ValueGraph's compact scalars: an int, float, str or bytes that its opcode spells in full is
// an 8-byte entry (kind + the opcode's offset) decoded from the source when read (issue 15).
#include <bit>

#include "core/pickle/big_int.h"
#include "core/pickle/opcode.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core::pickle {

namespace {
/// `n` bytes little-endian at `p`.
std::uint64_t littleEndian(const std::byte* p, unsigned n) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
        v |= std::uint64_t{std::to_integer<std::uint8_t>(p[i])} << (8 * i);
    }
    return v;
}
}  // namespace

ValueGraph::Scalar ValueGraph::decodeAt(std::uint64_t offset) const {
    Scalar out;
    const std::uint64_t size = m_bytes.size();
    if (offset >= size) {
        return out;
    }
    const std::byte* p = m_bytes.data() + offset + 1;
    const std::uint64_t left = size - offset - 1;  // bytes after the opcode
    const auto text = [&](ValueKind kind, unsigned lengthBytes) {
        if (left < lengthBytes) {
            return;
        }
        const std::uint64_t n = littleEndian(p, lengthBytes);
        if (n > left - lengthBytes) {
            return;
        }
        out.kind = kind;
        out.range = {offset + 1 + lengthBytes, n};
    };
    switch (static_cast<Opcode>(std::to_integer<std::uint8_t>(m_bytes[offset]))) {
        case Opcode::BinInt:
            if (left >= 4) {
                out.kind = ValueKind::Int;
                out.integer =
                    static_cast<std::int32_t>(static_cast<std::uint32_t>(littleEndian(p, 4)));
            }
            break;
        case Opcode::BinInt1:
            if (left >= 1) {
                out.kind = ValueKind::Int;
                out.integer = static_cast<std::int64_t>(littleEndian(p, 1));
            }
            break;
        case Opcode::BinInt2:
            if (left >= 2) {
                out.kind = ValueKind::Int;
                out.integer = static_cast<std::int64_t>(littleEndian(p, 2));
            }
            break;
        case Opcode::Long1:
            if (left >= 1 && littleEndian(p, 1) <= left - 1) {
                if (const auto v = int64FromTwosComplement(m_bytes.subspan(
                        offset + 2, static_cast<std::size_t>(littleEndian(p, 1))))) {
                    out.kind = ValueKind::Int;
                    out.integer = *v;
                }
            }
            break;
        case Opcode::BinFloat:
            if (left >= 8) {
                std::uint64_t bits = 0;
                for (unsigned i = 0; i < 8; ++i) {  // big-endian
                    bits = (bits << 8) | std::to_integer<std::uint8_t>(p[i]);
                }
                out.kind = ValueKind::Float;
                out.real = std::bit_cast<double>(bits);
            }
            break;
        case Opcode::ShortBinUnicode:
            text(ValueKind::Str, 1);
            break;
        case Opcode::BinUnicode:
            text(ValueKind::Str, 4);
            break;
        case Opcode::BinUnicode8:
            text(ValueKind::Str, 8);
            break;
        case Opcode::ShortBinBytes:
            text(ValueKind::Bytes, 1);
            break;
        case Opcode::BinBytes:
            text(ValueKind::Bytes, 4);
            break;
        case Opcode::BinBytes8:
            text(ValueKind::Bytes, 8);
            break;
        default:
            break;
    }
    return out;
}

ValueId ValueGraph::addCompact(const Scalar& expect, std::uint64_t offset) {
    if (offset > kOffsetMask) {
        return kNoValue;
    }
    const Scalar got = decodeAt(offset);
    if (got.kind != expect.kind) {
        return kNoValue;
    }
    switch (got.kind) {
        case ValueKind::Int:
            if (got.integer != expect.integer) {
                return kNoValue;
            }
            break;
        case ValueKind::Float:
            if (std::bit_cast<std::uint64_t>(got.real) !=
                std::bit_cast<std::uint64_t>(expect.real)) {
                return kNoValue;
            }
            break;
        case ValueKind::Str:
        case ValueKind::Bytes:
            if (got.range != expect.range) {
                return kNoValue;
            }
            break;
        default:
            return kNoValue;
    }
    return pushEntry(kCompactBit | (static_cast<std::uint64_t>(got.kind) << kKindShift) | offset,
                     offset);
}

ValueGraph::Slot& ValueGraph::mutableSlot(ValueId id) {
    std::uint64_t& e = entry(id);
    if (isCompact(e) && kindOf(e) == ValueKind::Dict) {
        // A pruned dict given entries again (pruneScalarDict): a slot of its own once more.
        Slot s;
        s.kind = ValueKind::Dict;
        s.flags = ValueFlag::Pruned;
        s.offset = e & kOffsetMask;
        s.aux = 1;  // its depth, as a dict of scalars
        s.u.entries = EntryList{};
        e = newRecord(s);
    } else if (isCompact(e)) {
        // A scalar about to change (nothing the machine does today): give it a slot.
        const Value v = (*this)[id];
        Slot s;
        s.kind = v.kind;
        s.offset = v.offset;
        if (v.kind == ValueKind::Float) {
            s.u.real = v.real;
        } else if (v.kind == ValueKind::Int) {
            s.u.integer = v.integer;
        } else if (v.range.offset >= v.offset && v.range.offset - v.offset <= kDeltaMask) {
            s.aux = kRangeBit | static_cast<std::uint32_t>(v.range.offset - v.offset);
            s.u.length = v.range.length;
        } else {
            s.aux = kRangeBit | kFarBit | static_cast<std::uint32_t>(m_ranges.size());
            m_ranges.push_back(v.range);
        }
        e = newRecord(s);
    }
    return record(e);
}

}  // namespace ckpt::core::pickle
