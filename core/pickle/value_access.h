#pragma once
/// Small typed queries over a ValueGraph, shared by the tests and the format recognizers
/// (torch, numpy, joblib). None of them allocates more than the value it returns.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {

class ValueGraph;

/// True when `id` is a Global named `module`.`name` (after Python 2 renaming).
[[nodiscard]] bool isGlobal(const ValueGraph& g, ValueId id, std::string_view module,
                            std::string_view name);

/// The Global that a Call calls or an Object instantiates ("func"), when it is a Global.
[[nodiscard]] std::optional<GlobalName> calleeName(const ValueGraph& g, ValueId id);

/// The value of an Int or Bool.
[[nodiscard]] std::optional<std::int64_t> asInt(const ValueGraph& g, ValueId id);

/// The value of a Float, Int or Bool as a double.
[[nodiscard]] std::optional<double> asDouble(const ValueGraph& g, ValueId id);

/// The UTF-8 text of a Str.
[[nodiscard]] std::optional<std::string_view> asStr(const ValueGraph& g, ValueId id);

/// The content of a bytes-like value: Bytes, ByteArray, and the protocol 0-2 spellings
/// `_codecs.encode(str, 'latin1')`, `builtins.bytes()`, `builtins.bytearray(str, 'latin-1')`,
/// `builtins.bytearray(b'...')`. nullopt for anything else (and for text that is not Latin-1).
[[nodiscard]] std::optional<std::string> asBytes(const ValueGraph& g, ValueId id);

/// Items of a Tuple or List; null for other kinds.
[[nodiscard]] const ItemList* sequenceItems(const ValueGraph& g, ValueId id);

/// The value stored under the Str key `key` of a Dict (or of SETITEMS on an object, e.g. an
/// OrderedDict); the last pair wins, as in Python. nullopt when absent.
[[nodiscard]] std::optional<ValueId> dictGet(const ValueGraph& g, ValueId dict,
                                             std::string_view key);

}  // namespace ckpt::core::pickle
