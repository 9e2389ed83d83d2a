#pragma once
/// The opcodes of pickle protocols 0 to 5 and the shape of their inline arguments.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ckpt::core::pickle {

/// One pickle opcode; the enumerator value is the opcode byte in the stream.
enum class Opcode : std::uint8_t {
    Mark = '(',
    Stop = '.',
    Pop = '0',
    PopMark = '1',
    Dup = '2',
    Float = 'F',
    Int = 'I',
    BinInt = 'J',
    BinInt1 = 'K',
    Long = 'L',
    BinInt2 = 'M',
    None = 'N',
    Persid = 'P',
    BinPersid = 'Q',
    Reduce = 'R',
    String = 'S',
    BinString = 'T',
    ShortBinString = 'U',
    Unicode = 'V',
    BinUnicode = 'X',
    Append = 'a',
    Build = 'b',
    Global = 'c',
    Dict = 'd',
    EmptyDict = '}',
    Appends = 'e',
    Get = 'g',
    BinGet = 'h',
    Inst = 'i',
    LongBinGet = 'j',
    List = 'l',
    EmptyList = ']',
    Obj = 'o',
    Put = 'p',
    BinPut = 'q',
    LongBinPut = 'r',
    SetItem = 's',
    Tuple = 't',
    EmptyTuple = ')',
    SetItems = 'u',
    BinFloat = 'G',
    BinBytes = 'B',
    ShortBinBytes = 'C',
    Proto = 0x80,
    NewObj = 0x81,
    Ext1 = 0x82,
    Ext2 = 0x83,
    Ext4 = 0x84,
    Tuple1 = 0x85,
    Tuple2 = 0x86,
    Tuple3 = 0x87,
    NewTrue = 0x88,
    NewFalse = 0x89,
    Long1 = 0x8a,
    Long4 = 0x8b,
    ShortBinUnicode = 0x8c,
    BinUnicode8 = 0x8d,
    BinBytes8 = 0x8e,
    EmptySet = 0x8f,
    AddItems = 0x90,
    FrozenSet = 0x91,
    NewObjEx = 0x92,
    StackGlobal = 0x93,
    Memoize = 0x94,
    Frame = 0x95,
    ByteArray8 = 0x96,
    NextBuffer = 0x97,
    ReadOnlyBuffer = 0x98,
};

/// How an opcode's inline argument is encoded in the stream (pickletools' argument types).
enum class ArgKind : std::uint8_t {
    NoArg,
    UInt1,           ///< 1 unsigned byte
    UInt2,           ///< 2 bytes, little-endian unsigned
    Int4,            ///< 4 bytes, little-endian signed
    UInt4,           ///< 4 bytes, little-endian unsigned
    UInt8,           ///< 8 bytes, little-endian unsigned (FRAME)
    Float8,          ///< 8-byte big-endian IEEE double (BINFLOAT)
    Counted1,        ///< 1-byte length, then that many bytes
    Counted4,        ///< 4-byte unsigned length, then bytes
    SignedCounted4,  ///< 4-byte signed length (negative is an error), then bytes
    Counted8,        ///< 8-byte unsigned length, then bytes
    Line,            ///< one line of text ending in '\n'
    TwoLines,        ///< two lines of text (module, name)
};

/// Static facts about one opcode.
struct OpcodeInfo {
    Opcode code;
    std::string_view name;  ///< pickletools' name: "SHORT_BINUNICODE"
    ArgKind arg;
    std::uint8_t protocol;  ///< the protocol that introduced it
};

/// Facts about the opcode whose byte is `byte`, or nullopt when no protocol defines that byte.
[[nodiscard]] std::optional<OpcodeInfo> opcodeInfo(std::uint8_t byte);

/// Facts about a known opcode (never fails).
[[nodiscard]] const OpcodeInfo& opcodeInfo(Opcode op);

/// pickletools' name of `op`, e.g. "BINPUT".
[[nodiscard]] std::string_view opcodeName(Opcode op);

/// The highest pickle protocol this code understands.
inline constexpr int kHighestProtocol = 5;

}  // namespace ckpt::core::pickle
