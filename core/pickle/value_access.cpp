#include "core/pickle/value_access.h"

#include "core/pickle/value_graph.h"

namespace ckpt::core::pickle {

namespace {

/// Latin-1 bytes of UTF-8 `text` whose code points are all below 256.
std::optional<std::string> latin1FromUtf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
            out += static_cast<char>(((c & 0x03U) << 6) |
                                     (static_cast<unsigned char>(text[++i]) & 0x3FU));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

bool isLatin1Name(std::string_view s) {
    return s == "latin1" || s == "latin-1" || s == "iso-8859-1" || s == "iso8859-1" || s == "l1" ||
           s == "latin_1";
}

}  // namespace

bool isGlobal(const ValueGraph& g, ValueId id, std::string_view module, std::string_view name) {
    if (!g.contains(id) || g[id].kind != ValueKind::Global) {
        return false;
    }
    const GlobalName n = g.global(id);
    return n.module == module && n.name == name;
}

std::optional<GlobalName> calleeName(const ValueGraph& g, ValueId id) {
    if (!g.contains(id)) {
        return std::nullopt;
    }
    const Value& v = g[id];
    if ((v.kind != ValueKind::Call && v.kind != ValueKind::Object) || !g.contains(v.func) ||
        g[v.func].kind != ValueKind::Global) {
        return std::nullopt;
    }
    return g.global(v.func);
}

std::optional<std::int64_t> asInt(const ValueGraph& g, ValueId id) {
    if (!g.contains(id) || (g[id].kind != ValueKind::Int && g[id].kind != ValueKind::Bool)) {
        return std::nullopt;
    }
    return g[id].integer;
}

std::optional<double> asDouble(const ValueGraph& g, ValueId id) {
    if (g.contains(id) && g[id].kind == ValueKind::Float) {
        return g[id].real;
    }
    if (const auto i = asInt(g, id)) {
        return static_cast<double>(*i);
    }
    return std::nullopt;
}

std::optional<std::string_view> asStr(const ValueGraph& g, ValueId id) {
    if (!g.contains(id) || g[id].kind != ValueKind::Str) {
        return std::nullopt;
    }
    return g.text(id);
}

std::optional<std::string> asBytes(const ValueGraph& g, ValueId id) {
    if (!g.contains(id)) {
        return std::nullopt;
    }
    const Value& v = g[id];
    if (v.kind == ValueKind::Bytes || v.kind == ValueKind::ByteArray) {
        return std::string(g.text(id));
    }
    const auto callee = calleeName(g, id);
    if (!callee || v.kind != ValueKind::Call) {
        return std::nullopt;
    }
    const auto* args = sequenceItems(g, v.args);
    if (args == nullptr) {
        return std::nullopt;
    }
    const bool isCodecs = callee->module == "_codecs" && callee->name == "encode";
    const bool isBytes = callee->module == "builtins" && callee->name == "bytes";
    const bool isByteArray = callee->module == "builtins" && callee->name == "bytearray";
    if ((isBytes || isByteArray) && args->empty()) {
        return std::string();
    }
    if (isByteArray && args->size() == 1) {
        return asBytes(g, (*args)[0]);
    }
    if ((isCodecs || isByteArray || isBytes) && args->size() == 2) {
        const auto text = asStr(g, (*args)[0]);
        const auto encoding = asStr(g, (*args)[1]);
        if (text && encoding && isLatin1Name(*encoding)) {
            return latin1FromUtf8(*text);
        }
    }
    return std::nullopt;
}

const ItemList* sequenceItems(const ValueGraph& g, ValueId id) {
    if (!g.contains(id) || (g.kind(id) != ValueKind::Tuple && g.kind(id) != ValueKind::List)) {
        return nullptr;
    }
    return &g.items(id);
}

std::optional<ValueId> dictGet(const ValueGraph& g, ValueId dict, std::string_view key) {
    if (!g.contains(dict)) {
        return std::nullopt;
    }
    const auto& entries = g[dict].entries;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (const auto k = asStr(g, it->first); k && *k == key) {
            return it->second;
        }
    }
    return std::nullopt;
}

}  // namespace ckpt::core::pickle
