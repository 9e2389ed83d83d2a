#include "core/pickle/opcode.h"

#include <array>

namespace ckpt::core::pickle {

namespace {

using enum ArgKind;

constexpr OpcodeInfo kOpcodes[] = {
    {Opcode::Int, "INT", Line, 0},
    {Opcode::BinInt, "BININT", Int4, 1},
    {Opcode::BinInt1, "BININT1", UInt1, 1},
    {Opcode::BinInt2, "BININT2", UInt2, 1},
    {Opcode::Long, "LONG", Line, 0},
    {Opcode::Long1, "LONG1", Counted1, 2},
    {Opcode::Long4, "LONG4", SignedCounted4, 2},
    {Opcode::String, "STRING", Line, 0},
    {Opcode::BinString, "BINSTRING", SignedCounted4, 1},
    {Opcode::ShortBinString, "SHORT_BINSTRING", Counted1, 1},
    {Opcode::BinBytes, "BINBYTES", Counted4, 3},
    {Opcode::ShortBinBytes, "SHORT_BINBYTES", Counted1, 3},
    {Opcode::BinBytes8, "BINBYTES8", Counted8, 4},
    {Opcode::ByteArray8, "BYTEARRAY8", Counted8, 5},
    {Opcode::NextBuffer, "NEXT_BUFFER", NoArg, 5},
    {Opcode::ReadOnlyBuffer, "READONLY_BUFFER", NoArg, 5},
    {Opcode::None, "NONE", NoArg, 0},
    {Opcode::NewTrue, "NEWTRUE", NoArg, 2},
    {Opcode::NewFalse, "NEWFALSE", NoArg, 2},
    {Opcode::Unicode, "UNICODE", Line, 0},
    {Opcode::ShortBinUnicode, "SHORT_BINUNICODE", Counted1, 4},
    {Opcode::BinUnicode, "BINUNICODE", Counted4, 1},
    {Opcode::BinUnicode8, "BINUNICODE8", Counted8, 4},
    {Opcode::Float, "FLOAT", Line, 0},
    {Opcode::BinFloat, "BINFLOAT", Float8, 1},
    {Opcode::EmptyList, "EMPTY_LIST", NoArg, 1},
    {Opcode::Append, "APPEND", NoArg, 0},
    {Opcode::Appends, "APPENDS", NoArg, 1},
    {Opcode::List, "LIST", NoArg, 0},
    {Opcode::EmptyTuple, "EMPTY_TUPLE", NoArg, 1},
    {Opcode::Tuple, "TUPLE", NoArg, 0},
    {Opcode::Tuple1, "TUPLE1", NoArg, 2},
    {Opcode::Tuple2, "TUPLE2", NoArg, 2},
    {Opcode::Tuple3, "TUPLE3", NoArg, 2},
    {Opcode::EmptyDict, "EMPTY_DICT", NoArg, 1},
    {Opcode::Dict, "DICT", NoArg, 0},
    {Opcode::SetItem, "SETITEM", NoArg, 0},
    {Opcode::SetItems, "SETITEMS", NoArg, 1},
    {Opcode::EmptySet, "EMPTY_SET", NoArg, 4},
    {Opcode::AddItems, "ADDITEMS", NoArg, 4},
    {Opcode::FrozenSet, "FROZENSET", NoArg, 4},
    {Opcode::Pop, "POP", NoArg, 0},
    {Opcode::Dup, "DUP", NoArg, 0},
    {Opcode::Mark, "MARK", NoArg, 0},
    {Opcode::PopMark, "POP_MARK", NoArg, 1},
    {Opcode::Get, "GET", Line, 0},
    {Opcode::BinGet, "BINGET", UInt1, 1},
    {Opcode::LongBinGet, "LONG_BINGET", UInt4, 1},
    {Opcode::Put, "PUT", Line, 0},
    {Opcode::BinPut, "BINPUT", UInt1, 1},
    {Opcode::LongBinPut, "LONG_BINPUT", UInt4, 1},
    {Opcode::Memoize, "MEMOIZE", NoArg, 4},
    {Opcode::Ext1, "EXT1", UInt1, 2},
    {Opcode::Ext2, "EXT2", UInt2, 2},
    {Opcode::Ext4, "EXT4", Int4, 2},
    {Opcode::Global, "GLOBAL", TwoLines, 0},
    {Opcode::StackGlobal, "STACK_GLOBAL", NoArg, 4},
    {Opcode::Reduce, "REDUCE", NoArg, 0},
    {Opcode::Build, "BUILD", NoArg, 0},
    {Opcode::Inst, "INST", TwoLines, 0},
    {Opcode::Obj, "OBJ", NoArg, 1},
    {Opcode::NewObj, "NEWOBJ", NoArg, 2},
    {Opcode::NewObjEx, "NEWOBJ_EX", NoArg, 4},
    {Opcode::Proto, "PROTO", UInt1, 2},
    {Opcode::Stop, "STOP", NoArg, 0},
    {Opcode::Frame, "FRAME", UInt8, 4},
    {Opcode::Persid, "PERSID", Line, 0},
    {Opcode::BinPersid, "BINPERSID", NoArg, 1},
};

static_assert(std::size(kOpcodes) == 68, "pickletools defines 68 opcodes");

/// Byte -> index into kOpcodes + 1 (0 = no such opcode), built once.
struct ByteTable {
    std::array<std::uint8_t, 256> index{};
    constexpr ByteTable() {
        for (std::size_t i = 0; i < std::size(kOpcodes); ++i) {
            index[static_cast<std::uint8_t>(kOpcodes[i].code)] = static_cast<std::uint8_t>(i + 1);
        }
    }
};

constexpr ByteTable kByteTable{};

}  // namespace

std::optional<OpcodeInfo> opcodeInfo(std::uint8_t byte) {
    const auto i = kByteTable.index[byte];
    if (i == 0) {
        return std::nullopt;
    }
    return kOpcodes[i - 1];
}

const OpcodeInfo& opcodeInfo(Opcode op) {
    return kOpcodes[kByteTable.index[static_cast<std::uint8_t>(op)] - 1];
}

std::string_view opcodeName(Opcode op) {
    return opcodeInfo(op).name;
}

}  // namespace ckpt::core::pickle
