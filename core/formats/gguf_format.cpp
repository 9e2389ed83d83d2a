#include "core/formats/gguf_format.h"

#include <cstring>
#include <limits>
#include <set>
#include <string_view>

#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

/// Bytes of a fixed-size value type; 0 for strings and arrays.
std::uint64_t ggufFixedSize(GgufValueType t) {
    switch (t) {
        case GgufValueType::U8:
        case GgufValueType::I8:
        case GgufValueType::Bool:
            return 1;
        case GgufValueType::U16:
        case GgufValueType::I16:
            return 2;
        case GgufValueType::U32:
        case GgufValueType::I32:
        case GgufValueType::F32:
            return 4;
        case GgufValueType::U64:
        case GgufValueType::I64:
        case GgufValueType::F64:
            return 8;
        case GgufValueType::String:
        case GgufValueType::Array:
            return 0;
    }
    return 0;
}

/// The fewest bytes one value of type `t` can take (a string: its length; an array: its
/// element type and count).
std::uint64_t ggufMinSize(GgufValueType t) {
    if (t == GgufValueType::String) {
        return 8;
    }
    if (t == GgufValueType::Array) {
        return 12;
    }
    return ggufFixedSize(t);
}

/// A bounds-checked little-endian reader over the file's bytes.
class GgufCursor {
public:
    explicit GgufCursor(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    [[nodiscard]] std::uint64_t pos() const { return m_pos; }
    [[nodiscard]] std::uint64_t remaining() const { return m_bytes.size() - m_pos; }

    void need(std::uint64_t n, const char* what) const {
        if (n > remaining()) {
            throw CorruptDataError(std::string("the file ends inside ") + what + " (" +
                                       std::to_string(n) + " bytes needed, " +
                                       std::to_string(remaining()) + " left; truncated?)",
                                   {{}, {}, {}, m_pos});
        }
    }
    std::uint64_t uint(int bytes, const char* what) {
        need(static_cast<std::uint64_t>(bytes), what);
        std::uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) {
            v = (v << 8) | static_cast<std::uint64_t>(m_bytes[m_pos + static_cast<std::size_t>(i)]);
        }
        m_pos += static_cast<std::uint64_t>(bytes);
        return v;
    }
    std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(uint(4, what)); }
    std::uint64_t u64(const char* what) { return uint(8, what); }
    void skip(std::uint64_t n, const char* what) {
        need(n, what);
        m_pos += n;
    }
    /// A gguf_string: u64 length, then the bytes (no NUL). `keep` false skips the bytes.
    std::string string(const char* what, bool keep = true) {
        const std::uint64_t at = m_pos;
        const std::uint64_t n = u64(what);
        if (n > remaining()) {
            throw CorruptDataError(std::string(what) + " claims " + std::to_string(n) +
                                       " bytes, but only " + std::to_string(remaining()) +
                                       " remain in the file",
                                   {{}, {}, {}, at});
        }
        std::string s;
        if (keep) {
            s.assign(reinterpret_cast<const char*>(m_bytes.data()) + m_pos,
                     static_cast<std::size_t>(n));
        }
        m_pos += n;
        return s;
    }

private:
    std::span<const std::byte> m_bytes;
    std::uint64_t m_pos = 0;
};

GgufValueType valueType(std::uint32_t raw, std::uint64_t at) {
    if (raw > static_cast<std::uint32_t>(GgufValueType::F64)) {
        throw CorruptDataError("unknown metadata value type " + std::to_string(raw),
                               {{}, {}, {}, at});
    }
    return static_cast<GgufValueType>(raw);
}

Json scalarValue(GgufCursor& c, GgufValueType t, bool keep) {
    switch (t) {
        case GgufValueType::U8:
            return c.uint(1, "a u8 value");
        case GgufValueType::I8:
            return static_cast<std::int8_t>(c.uint(1, "an i8 value"));
        case GgufValueType::U16:
            return c.uint(2, "a u16 value");
        case GgufValueType::I16:
            return static_cast<std::int16_t>(c.uint(2, "an i16 value"));
        case GgufValueType::U32:
            return c.uint(4, "a u32 value");
        case GgufValueType::I32:
            return static_cast<std::int32_t>(c.uint(4, "an i32 value"));
        case GgufValueType::U64:
            return c.uint(8, "a u64 value");
        case GgufValueType::I64:
            return static_cast<std::int64_t>(c.uint(8, "an i64 value"));
        case GgufValueType::F32: {
            const auto bits = static_cast<std::uint32_t>(c.uint(4, "an f32 value"));
            float f = 0;
            std::memcpy(&f, &bits, 4);
            return static_cast<double>(f);
        }
        case GgufValueType::F64: {
            const std::uint64_t bits = c.uint(8, "an f64 value");
            double d = 0;
            std::memcpy(&d, &bits, 8);
            return d;
        }
        case GgufValueType::Bool:
            return c.uint(1, "a bool value") != 0;
        case GgufValueType::String:
            return c.string("a string value", keep);
        case GgufValueType::Array:
            break;
    }
    return nullptr;
}

/// Reads an array's element type, count and elements; returns the preview (the first
/// kGgufArrayPreview elements). Fixed-size elements past the preview are skipped in one step.
Json arrayValue(GgufCursor& c, GgufValueType& elementType, std::uint64_t& count, int depth) {
    const std::uint64_t at = c.pos();
    if (static_cast<std::uint64_t>(depth) > limits().ggufArrayDepth) {
        throw LimitError(
            "metadata arrays nested more than " + std::to_string(limits().ggufArrayDepth) + " deep",
            "gguf-array-depth", limits().ggufArrayDepth, {{}, {}, {}, at});
    }
    elementType = valueType(c.u32("an array's element type"), at);
    count = c.u64("an array's element count");
    const std::uint64_t min = ggufMinSize(elementType);
    if (count > c.remaining() / min) {
        throw CorruptDataError("an array claims " + std::to_string(count) + " elements of " +
                                   ggufValueTypeName(elementType) + ", more than the " +
                                   std::to_string(c.remaining()) + " bytes left can hold",
                               {{}, {}, {}, at});
    }
    Json preview = Json::array();
    for (std::uint64_t i = 0; i < count; ++i) {
        const bool keep = i < kGgufArrayPreview;
        if (!keep && elementType != GgufValueType::String && elementType != GgufValueType::Array) {
            c.skip((count - i) * min, "array elements");
            break;
        }
        Json v;
        if (elementType == GgufValueType::Array) {
            GgufValueType innerType{};
            std::uint64_t innerCount = 0;
            v = arrayValue(c, innerType, innerCount, depth + 1);
        } else {
            v = scalarValue(c, elementType, keep);
        }
        if (keep) {
            preview.push_back(std::move(v));
        }
    }
    return preview;
}

}  // namespace

std::string ggufValueTypeName(GgufValueType t) {
    static constexpr const char* kNames[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                             "bool", "string", "array", "u64", "i64", "f64"};
    const auto i = static_cast<std::uint32_t>(t);
    return i < 13 ? kNames[i] : "type " + std::to_string(i);
}

bool hasGgufMagic(std::span<const std::byte> bytes) {
    return bytes.size() >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0;
}

GgufHeader parseGgufHeader(std::span<const std::byte> bytes) {
    if (!hasGgufMagic(bytes)) {
        throw FormatError("no GGUF magic", {{}, {}, {}, 0});
    }
    GgufCursor c(bytes);
    c.skip(4, "the magic");
    GgufHeader h;
    h.version = c.u32("the version");
    if ((h.version & 0xFFFF) == 0 && h.version != 0) {
        throw UnsupportedError("GGUF version " + std::to_string(h.version) +
                                   " reads as a big-endian file; only little-endian GGUF is "
                                   "read",
                               {{}, {}, {}, 4});
    }
    if (h.version == 1) {
        throw UnsupportedError("GGUF version 1 (32-bit counts, before August 2023) is not read",
                               {{}, {}, {}, 4});
    }
    if (h.version != 2 && h.version != 3) {
        throw UnsupportedError("unknown GGUF version " + std::to_string(h.version),
                               {{}, {}, {}, 4});
    }
    const std::uint64_t tensorCount = c.u64("the tensor count");
    const std::uint64_t kvCount = c.u64("the metadata count");
    // The cheapest key-value is a 0-byte key and a u8 (13 bytes); the cheapest tensor info an
    // empty name and no dimensions (24 bytes).
    if (kvCount > c.remaining() / 13) {
        throw CorruptDataError("the header claims " + std::to_string(kvCount) +
                                   " metadata key-values, more than the file can hold",
                               {{}, {}, {}, 16});
    }
    if (tensorCount > c.remaining() / 24) {
        throw CorruptDataError("the header claims " + std::to_string(tensorCount) +
                                   " tensors, more than the file can hold",
                               {{}, {}, {}, 8});
    }
    if (kvCount > limits().ggufKeyValues) {
        throw LimitError("the header claims " + std::to_string(kvCount) + " metadata key-values",
                         "gguf-kv", limits().ggufKeyValues, {{}, {}, {}, 16});
    }
    if (tensorCount > limits().ggufTensors) {
        throw LimitError("the header claims " + std::to_string(tensorCount) + " tensors",
                         "gguf-tensors", limits().ggufTensors, {{}, {}, {}, 8});
    }

    std::set<std::string, std::less<>> keys;
    h.metadata.reserve(static_cast<std::size_t>(kvCount));
    for (std::uint64_t i = 0; i < kvCount; ++i) {
        GgufKeyValue kv;
        kv.offset = c.pos();
        kv.key = c.string("a metadata key");
        const std::uint64_t typeAt = c.pos();
        kv.type = valueType(c.u32("a metadata value type"), typeAt);
        if (!keys.insert(kv.key).second) {
            throw CorruptDataError("the metadata key '" + kv.key + "' appears twice",
                                   {{}, {}, kv.key, kv.offset});
        }
        try {
            if (kv.type == GgufValueType::Array) {
                kv.value = arrayValue(c, kv.elementType, kv.count, 1);
            } else {
                kv.value = scalarValue(c, kv.type, true);
            }
        } catch (Error& e) {
            e.fillContext({{}, {}, kv.key, {}});
            throw;
        }
        h.metadata.push_back(std::move(kv));
    }

    for (const auto& kv : h.metadata) {
        if (kv.key != "general.alignment") {
            continue;
        }
        const Error::Context where{{}, {}, kv.key, kv.offset};
        if (kv.type != GgufValueType::U32) {
            throw CorruptDataError(
                "general.alignment is a " + ggufValueTypeName(kv.type) + ", not a u32", where);
        }
        const auto a = kv.value.get<std::uint64_t>();
        if (a == 0 || (a & (a - 1)) != 0) {
            throw CorruptDataError(
                "general.alignment " + std::to_string(a) + " is not a power of two", where);
        }
        h.alignment = a;
        h.alignmentFromFile = true;
    }

    std::set<std::string, std::less<>> names;
    h.tensors.reserve(static_cast<std::size_t>(tensorCount));
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        t.infoOffset = c.pos();
        t.name = c.string("a tensor name");
        const Error::Context where{{}, {}, t.name, t.infoOffset};
        const std::uint32_t dims = c.u32("a tensor's dimension count");
        if (dims > kGgufMaxDims) {
            throw CorruptDataError("tensor '" + t.name + "' claims " + std::to_string(dims) +
                                       " dimensions (ggml allows at most " +
                                       std::to_string(kGgufMaxDims) + ")",
                                   where);
        }
        for (std::uint32_t d = 0; d < dims; ++d) {
            const std::uint64_t n = c.u64("a tensor dimension");
            if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                throw CorruptDataError("tensor '" + t.name + "' has a negative dimension", where);
            }
            t.ne.push_back(n);
        }
        t.type = c.u32("a tensor's ggml type");
        t.offset = c.u64("a tensor's data offset");
        if (!names.insert(t.name).second) {
            throw CorruptDataError("two tensors are named '" + t.name + "'", where);
        }
        h.tensors.push_back(std::move(t));
    }
    const std::uint64_t end = c.pos();
    h.dataStart = end + (h.alignment - end % h.alignment) % h.alignment;
    return h;
}

}  // namespace ckpt::core
