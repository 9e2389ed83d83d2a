#pragma once
/// One node of the value graph that the symbolic pickle machine builds.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/pickle/byte_range.h"
#include "core/pickle/id_list.h"

namespace ckpt::core::pickle {

/// Index of a value inside its ValueGraph. Values refer to each other by id, so shared and
/// cyclic references (memo GETs) are one node referenced several times.
using ValueId = std::uint32_t;

/// "No value" (an absent kwargs, a missing reference).
inline constexpr ValueId kNoValue = std::numeric_limits<ValueId>::max();

enum class ValueKind : std::uint8_t {
    None,
    Bool,           ///< `integer` is 0 or 1
    Int,            ///< fits in int64: `integer`
    BigInt,         ///< LONG1/LONG4 two's complement bytes, or decimal text (flag DecimalText)
    Float,          ///< `real`
    Str,            ///< UTF-8 text (lone surrogates possible, as in CPython's surrogatepass)
    Bytes,          ///< bytes; also a Python 2 str that is not ASCII (flag Py2String)
    ByteArray,      ///< BYTEARRAY8, or a protocol-5 buffer made read-only
    List,           ///< `items`
    Tuple,          ///< `items`
    Dict,           ///< `entries` in stream order; a repeated key keeps both pairs, the last wins
    Set,            ///< `items`
    FrozenSet,      ///< `items`
    Global,         ///< a module-level name (GLOBAL, STACK_GLOBAL, INST's class); never resolved
    Call,           ///< REDUCE: `func(*args)`
    Object,         ///< NEWOBJ / NEWOBJ_EX / OBJ / INST: instance of class `func`
    PersistentRef,  ///< PERSID / BINPERSID: `pid` is the persistent id value
    Buffer,         ///< NEXT_BUFFER: out-of-band buffer number `integer` of its pickle
    Extension,      ///< EXT1/EXT2/EXT4: copyreg extension code `integer`
};

/// How an Object node was created.
enum class ObjectOrigin : std::uint8_t {
    NewObj,    ///< cls.__new__(cls, *args)
    NewObjEx,  ///< cls.__new__(cls, *args, **kwargs)
    Obj,       ///< OBJ: cls(*args), or cls.__new__(cls) when there are no args
    Inst,      ///< INST: like OBJ with the class named inline (protocol 0)
};

/// Bits of Value::flags.
enum ValueFlag : std::uint16_t {
    Py2String = 1U << 0,       ///< STRING/BINSTRING/SHORT_BINSTRING (a Python 2 str)
    DecimalText = 1U << 1,     ///< BigInt held as decimal text, not bytes
    ReadOnly = 1U << 2,        ///< READONLY_BUFFER applied
    ViaStackGlobal = 1U << 3,  ///< Global made by STACK_GLOBAL from stack values
    Renamed = 1U << 4,         ///< Global renamed from a Python 2 name (original names kept)
    RenameApplies = 1U << 5,   ///< CPython renames it too (the pickle's protocol is below 3)
    /// STACK_GLOBAL whose module or name is not a constant string but the result of a call or
    /// another opaque value: the import target is computed while loading ("?" stands for it).
    ComputedName = 1U << 6,
    /// A dict whose entries (scalars only) were dropped when it was appended to a list (or a
    /// list-like object), in a validation run that keeps only what a finding can need
    /// (MachineOptions::pruneScalarDicts). Entries set on it afterwards are kept.
    Pruned = 1U << 7,
};

/// A (key, value) pair of a dict, or of SETITEM(S) applied to a non-dict object.
using ValueEntry = std::pair<ValueId, ValueId>;
/// The lists of a Value (see IdList).
using ItemList = IdList<ValueId>;
using EntryList = IdList<ValueEntry>;

/// One value, as ValueGraph::operator[] decodes it from the graph's compact 24-byte slot (the
/// graph stores references and lists only for the kinds that have them). Which fields are
/// meaningful depends on `kind` (see ValueKind). Text and bytes are read through
/// ValueGraph::text().
struct Value {
    Value() : integer(0) {}

    ValueKind kind = ValueKind::None;
    ObjectOrigin origin = ObjectOrigin::NewObj;  ///< Object only
    std::uint16_t flags = 0;                     ///< ValueFlag bits
    /// Str/Bytes/ByteArray/BigInt: index of an owned text in the graph, or kNoText when the
    /// bytes are `range` inside the source. Global: index of its GlobalName.
    std::uint32_t aux = kNoText;
    /// Byte offset of the opcode that created the value (for the shared None, True, False and
    /// small ints: where the first one appeared).
    std::uint64_t offset = 0;
    // One of these, by kind (every reader checks the kind first).
    union {
        std::int64_t integer;  ///< Bool/Int value; Buffer number; Extension code
        double real;           ///< Float
        ByteRange range;       ///< source bytes of Str/Bytes/ByteArray/BigInt when aux == kNoText
    };

    ValueId func = kNoValue;    ///< Call: the callable; Object: the class
    ValueId args = kNoValue;    ///< Call/Object: the argument tuple (or whatever the pickle gave)
    ValueId kwargs = kNoValue;  ///< Object from NEWOBJ_EX: the keyword dict
    ValueId pid = kNoValue;     ///< PersistentRef: the persistent id

    // The lists live in the graph's arena (8 bytes each here); the graph appends to them.

    /// List/Tuple/Set/FrozenSet items; for other kinds, values added by APPEND(S)/ADDITEMS
    /// (a list or set subclass built by its methods).
    IdList<ValueId> items;
    /// Dict pairs; for other kinds, pairs added by SETITEM(S) (e.g. an OrderedDict).
    IdList<ValueEntry> entries;
    /// States passed by BUILD, in order (normally zero or one).
    IdList<ValueId> states;

    static constexpr std::uint32_t kNoText = std::numeric_limits<std::uint32_t>::max();

    [[nodiscard]] bool has(ValueFlag f) const { return (flags & f) != 0; }
    /// True for kinds whose contents live in `items`.
    [[nodiscard]] bool isSequence() const {
        return kind == ValueKind::List || kind == ValueKind::Tuple || kind == ValueKind::Set ||
               kind == ValueKind::FrozenSet;
    }
};

// A decoded copy, made on every ValueGraph::operator[]: keep it cheap to fill.
static_assert(sizeof(Value) <= 72, "Value grew");

/// Short lowercase name of a kind: "none", "int", "global", "persistent_ref"...
[[nodiscard]] std::string_view valueKindName(ValueKind kind);

/// The module and name of a Global value. `originalModule`/`originalName` are set when the
/// name was mapped from Python 2 (e.g. "__builtin__"/"xrange" for "builtins"/"range").
struct GlobalName {
    std::string_view module;
    std::string_view name;
    std::string_view originalModule;
    std::string_view originalName;

    /// "module.name".
    [[nodiscard]] std::string qualified() const;
};

}  // namespace ckpt::core::pickle
