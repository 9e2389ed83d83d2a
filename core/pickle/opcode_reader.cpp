#include "core/pickle/opcode_reader.h"

#include <array>
#include <bit>
#include <cstring>

#include "core/io/byte_source.h"
#include "core/pickle/text_args.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core::pickle {

namespace {

std::string hexByte(std::uint8_t b) {
    static const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

using ByteInfo = OpcodeReader::ByteInfo;

const std::array<ByteInfo, 256>& byteTable() {
    static const std::array<ByteInfo, 256> table = [] {
        std::array<ByteInfo, 256> t{};
        for (unsigned b = 0; b < 256; ++b) {
            if (const auto info = opcodeInfo(static_cast<std::uint8_t>(b))) {
                t[b] = {true, info->code, info->arg, info->protocol};
            }
        }
        return t;
    }();
    return table;
}

}  // namespace

OpcodeReader::OpcodeReader(std::span<const std::byte> bytes, std::uint64_t start,
                           std::string sourceName)
    : m_bytes(bytes), m_table(byteTable().data()), m_sourceName(std::move(sourceName)) {
    seek(start);
}

OpcodeReader::OpcodeReader(const ByteSource& source, std::uint64_t start)
    : m_bytes(source.view()), m_table(byteTable().data()), m_sourceName(source.name()) {
    if (m_bytes.empty() && source.size() > 0) {
        throw UnsupportedError("pickle decoding needs a memory-backed source", {source.name()});
    }
    seek(start);
}

void OpcodeReader::seek(std::uint64_t offset) {
    if (offset > m_bytes.size()) {
        fail("cannot continue at offset " + std::to_string(offset) + ": the data ends at " +
                 std::to_string(m_bytes.size()),
             m_bytes.size());
    }
    m_pos = offset;
    m_frameEnd = 0;
}

void OpcodeReader::fail(const std::string& message, std::uint64_t offset) const {
    throw CorruptDataError(message, {m_sourceName, "pickle", {}, offset});
}

std::string_view OpcodeReader::text(ByteRange range) const {
    return {reinterpret_cast<const char*>(m_bytes.data() + range.offset),
            static_cast<std::size_t>(range.length)};
}

void OpcodeReader::needFailed(std::uint64_t n, const Op& op, std::string_view what) const {
    fail(std::string(opcodeName(op.code)) + " needs " + std::to_string(n) + " bytes of " +
             std::string(what) + " but only " + std::to_string(remaining()) +
             " remain (truncated pickle)",
         op.offset);
}

// The hot path of every pickle (issue 15: 2 x 10^7 opcodes in a 35 MiB file): inlined into
// next(), loads instead of byte loops.
[[gnu::always_inline]] inline std::uint64_t OpcodeReader::readUnsigned(unsigned width) {
    std::uint64_t v = 0;
    const std::byte* p = m_bytes.data() + m_pos;
    if constexpr (std::endian::native == std::endian::little) {
        switch (width) {
            case 1:
                v = std::to_integer<std::uint8_t>(*p);
                break;
            case 2: {
                std::uint16_t x = 0;
                std::memcpy(&x, p, 2);
                v = x;
                break;
            }
            case 4: {
                std::uint32_t x = 0;
                std::memcpy(&x, p, 4);
                v = x;
                break;
            }
            default:
                std::memcpy(&v, p, 8);
                break;
        }
    } else {
        for (unsigned i = 0; i < width; ++i) {
            v |= std::uint64_t{std::to_integer<std::uint8_t>(p[i])} << (8 * i);
        }
    }
    m_pos += width;
    return v;
}

ByteRange OpcodeReader::readCounted(std::uint64_t length, const Op& op) {
    need(length, op, "data");
    if (length > limits().stringBytes) {
        throw LimitError(
            std::string(opcodeName(op.code)) + " holds " + std::to_string(length) + " bytes",
            "string-bytes", limits().stringBytes, {m_sourceName, "pickle", {}, op.offset});
    }
    const ByteRange r{m_pos, length};
    m_pos += length;
    return r;
}

ByteRange OpcodeReader::readLine(const Op& op) {
    const auto* begin = m_bytes.data() + m_pos;
    const auto* nl = static_cast<const std::byte*>(
        std::memchr(begin, '\n', static_cast<std::size_t>(remaining())));
    if (nl == nullptr) {
        fail(std::string(opcodeName(op.code)) +
                 ": text argument has no terminating newline (truncated pickle)",
             op.offset);
    }
    const ByteRange r{m_pos, static_cast<std::uint64_t>(nl - begin)};
    m_pos += r.length + 1;
    return r;
}

[[gnu::always_inline]] inline void OpcodeReader::readArgument(Op& op, ArgKind kind) {
    switch (kind) {
        case ArgKind::NoArg:
            return;
        case ArgKind::UInt1:
        case ArgKind::UInt2:
        case ArgKind::UInt4:
        case ArgKind::UInt8: {
            const unsigned width = kind == ArgKind::UInt1   ? 1
                                   : kind == ArgKind::UInt2 ? 2
                                   : kind == ArgKind::UInt4 ? 4
                                                            : 8;
            need(width, op, "argument");
            const std::uint64_t v = readUnsigned(width);
            if (width == 8 && v > remaining()) {
                // Only FRAME has an 8-byte argument; its length must fit in the data.
                fail("FRAME claims " + std::to_string(v) + " bytes but only " +
                         std::to_string(remaining()) + " remain",
                     op.offset);
            }
            op.integer = static_cast<std::int64_t>(v);
            return;
        }
        case ArgKind::Int4:
            need(4, op, "argument");
            op.integer = static_cast<std::int32_t>(static_cast<std::uint32_t>(readUnsigned(4)));
            return;
        case ArgKind::Float8: {
            need(8, op, "argument");
            // BINFLOAT is big-endian; readUnsigned reads little-endian on every host.
            op.real = std::bit_cast<double>(__builtin_bswap64(readUnsigned(8)));
            return;
        }
        case ArgKind::Counted1:
        case ArgKind::Counted4:
        case ArgKind::SignedCounted4:
        case ArgKind::Counted8: {
            const unsigned width = kind == ArgKind::Counted1   ? 1
                                   : kind == ArgKind::Counted8 ? 8
                                                               : 4;
            need(width, op, "length");
            std::uint64_t length = readUnsigned(width);
            if (kind == ArgKind::SignedCounted4 && length > 0x7fffffffU) {
                fail(std::string(opcodeName(op.code)) + " has a negative byte count", op.offset);
            }
            op.data = readCounted(length, op);
            op.integer = static_cast<std::int64_t>(length);
            return;
        }
        case ArgKind::Line:
            op.data = readLine(op);
            if (op.code == Opcode::Get || op.code == Opcode::Put) {
                const auto lit = parseIntLiteral(text(op.data), false);
                if (!lit || !lit->fits || lit->value < 0) {
                    fail(std::string(opcodeName(op.code)) + " has an invalid memo index '" +
                             std::string(text(op.data).substr(0, 40)) + "'",
                         op.offset);
                }
                op.integer = lit->value;
            }
            return;
        case ArgKind::TwoLines:
            op.data = readLine(op);
            op.data2 = readLine(op);
            return;
    }
}

Op OpcodeReader::next() {
    if (atEnd()) {
        fail("the pickle data ends without a STOP opcode", m_pos);
    }
    Op op;
    op.offset = m_pos;
    // The data streams in once: ask for the bytes a few cache lines ahead (a hint; never faults).
    if (m_pos + 256 < m_bytes.size()) {
        __builtin_prefetch(m_bytes.data() + m_pos + 256);
    }
    const auto byte = std::to_integer<std::uint8_t>(m_bytes[m_pos]);
    const ByteInfo& info = m_table[byte];
    if (!info.known) {
        fail("unknown pickle opcode " + hexByte(byte), m_pos);
    }
    op.code = info.code;
    op.protocol = info.protocol;
    ++m_pos;
    readArgument(op, info.arg);
    op.end = m_pos;
    if (m_frameEnd != 0) {
        // CPython refuses an argument that runs past the frame and a FRAME inside a frame.
        op.crossesFrame = op.end > m_frameEnd || (op.code == Opcode::Frame && op.end < m_frameEnd);
        if (op.end >= m_frameEnd) {
            m_frameEnd = 0;
        }
    }
    if (op.code == Opcode::Frame) {
        m_frameEnd = op.integer > 0 ? op.end + static_cast<std::uint64_t>(op.integer) : 0;
    }
    return op;
}

}  // namespace ckpt::core::pickle
