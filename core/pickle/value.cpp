#include "core/pickle/value.h"

namespace ckpt::core::pickle {

std::string_view valueKindName(ValueKind kind) {
    switch (kind) {
        case ValueKind::None:
            return "none";
        case ValueKind::Bool:
            return "bool";
        case ValueKind::Int:
            return "int";
        case ValueKind::BigInt:
            return "bigint";
        case ValueKind::Float:
            return "float";
        case ValueKind::Str:
            return "str";
        case ValueKind::Bytes:
            return "bytes";
        case ValueKind::ByteArray:
            return "bytearray";
        case ValueKind::List:
            return "list";
        case ValueKind::Tuple:
            return "tuple";
        case ValueKind::Dict:
            return "dict";
        case ValueKind::Set:
            return "set";
        case ValueKind::FrozenSet:
            return "frozenset";
        case ValueKind::Global:
            return "global";
        case ValueKind::Call:
            return "call";
        case ValueKind::Object:
            return "object";
        case ValueKind::PersistentRef:
            return "persistent_ref";
        case ValueKind::Buffer:
            return "buffer";
        case ValueKind::Extension:
            return "extension";
    }
    return "?";
}

std::string GlobalName::qualified() const {
    std::string out(module);
    out += '.';
    out += name;
    return out;
}

}  // namespace ckpt::core::pickle
