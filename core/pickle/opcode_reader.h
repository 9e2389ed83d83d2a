#pragma once
/// Decoding of the opcode stream of pickle protocols 0-5, without interpreting it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/pickle/byte_range.h"
#include "core/pickle/opcode.h"

namespace ckpt::core {
class ByteSource;
}

namespace ckpt::core::pickle {

/// One decoded opcode and its inline argument. Byte-string arguments are not copied: `data`
/// names their bytes inside the source.
struct Op {
    Opcode code = Opcode::Stop;
    std::uint8_t protocol = 0;  ///< the protocol that introduced the opcode
    std::uint64_t offset = 0;   ///< where the opcode byte sits
    std::uint64_t end = 0;      ///< first byte after the opcode and its argument (exclusive)
    /// Integer arguments: BININT/BININT1/BININT2, EXT1/2/4, PROTO, FRAME length, memo indices
    /// (BINGET/LONG_BINGET/BINPUT/LONG_BINPUT and the parsed text of GET/PUT); for counted
    /// strings and LONG1/LONG4 the byte count (the same as data.length).
    std::int64_t integer = 0;
    double real = 0.0;  ///< BINFLOAT
    /// Counted arguments: the payload. Line arguments: the line without its '\n'.
    /// GLOBAL/INST: the module line.
    ByteRange data;
    ByteRange data2;  ///< GLOBAL/INST: the name line
    /// The opcode breaks FRAME boundaries: its argument runs past the end of the current frame, or
    /// it is a FRAME that starts before the current one ends. CPython refuses such streams.
    bool crossesFrame = false;
};

/// The opcode's name, as error and warning messages start with it.
[[nodiscard]] inline std::string opLabel(const Op& op) {
    return std::string(opcodeName(op.code));
}

/// Iterates the opcodes in a byte range. Every length in the stream is checked against the bytes
/// that really remain before it is used; nothing is allocated per opcode. Not thread-safe; many
/// readers may share one source.
class OpcodeReader {
public:
    /// Reads `bytes` starting at `start`; `sourceName` names the data in error messages.
    /// Offsets in every Op are indexes into `bytes`. `bytes` must outlive the reader.
    OpcodeReader(std::span<const std::byte> bytes, std::uint64_t start = 0,
                 std::string sourceName = {});

    /// Reads the whole of a memory-backed `source` (throws UnsupportedError when source.view()
    /// is empty). The source must outlive the reader.
    explicit OpcodeReader(const ByteSource& source, std::uint64_t start = 0);

    /// True when no bytes are left.
    [[nodiscard]] bool atEnd() const { return m_pos >= m_bytes.size(); }
    /// Offset of the next opcode.
    [[nodiscard]] std::uint64_t position() const { return m_pos; }
    /// Total size of the data.
    [[nodiscard]] std::uint64_t size() const { return m_bytes.size(); }
    /// Continues at `offset` (e.g. past raw bytes embedded by joblib); ends the current frame.
    /// Throws CorruptDataError when `offset` lies past the end.
    void seek(std::uint64_t offset);

    /// Decodes the opcode at position() and advances past it. Throws CorruptDataError naming the
    /// offset for an unknown opcode byte, a truncated argument, a length larger than the bytes
    /// left, a negative length, a FRAME longer than the rest of the data, a line without '\n',
    /// or a GET/PUT index that is not a non-negative decimal; and at the end of the data.
    [[nodiscard]] Op next();

    /// The bytes of `range` (which must lie inside the data, as all Op ranges do).
    [[nodiscard]] std::string_view text(ByteRange range) const;

    /// Throws CorruptDataError with `message`, the source name and `offset`.
    [[noreturn]] void fail(const std::string& message, std::uint64_t offset) const;

    /// What next() needs of each byte value, in 4 bytes (opcodeInfo() copies a name per call).
    struct ByteInfo {
        bool known = false;
        Opcode code = Opcode::Stop;
        ArgKind arg = ArgKind::NoArg;
        std::uint8_t protocol = 0;
    };

private:
    [[nodiscard]] std::uint64_t remaining() const { return m_bytes.size() - m_pos; }
    void need(std::uint64_t n, const Op& op, std::string_view what) const {
        if (n > remaining()) {
            needFailed(n, op, what);
        }
    }
    [[noreturn]] void needFailed(std::uint64_t n, const Op& op, std::string_view what) const;
    [[nodiscard]] std::uint64_t readUnsigned(unsigned width);
    [[nodiscard]] ByteRange readCounted(std::uint64_t length, const Op& op);
    [[nodiscard]] ByteRange readLine(const Op& op);
    void readArgument(Op& op, ArgKind kind);

    std::span<const std::byte> m_bytes;
    const ByteInfo* m_table;  ///< 256 entries, shared by all readers
    std::uint64_t m_pos = 0;
    std::uint64_t m_frameEnd = 0;  ///< end of the current FRAME; 0 outside frames
    std::string m_sourceName;
};

}  // namespace ckpt::core::pickle
