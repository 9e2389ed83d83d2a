#pragma once
/// Parsing of the text arguments of protocol-0 opcodes (INT, LONG, FLOAT, STRING, UNICODE,
/// GET, PUT) the way CPython's unpickler reads them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ckpt::core::pickle {

/// An integer literal: its value when it fits in int64, else its decimal text.
struct IntLiteral {
    bool fits = true;
    std::int64_t value = 0;
    std::string decimal;  ///< "-123..." when !fits
};

/// Parses like Python's int(text) (`anyBase` false: base 10, leading zeros allowed) or
/// int(text, 0) (`anyBase` true: 0x/0o/0b prefixes, no leading zeros). Surrounding whitespace,
/// a sign and single underscores between digits are accepted. nullopt for anything else, and for
/// decimal literals longer than CPython's 4300-digit limit.
[[nodiscard]] std::optional<IntLiteral> parseIntLiteral(std::string_view text, bool anyBase);

/// Parses like Python's float(text): decimal and exponent forms, "inf", "infinity", "nan" in any
/// case, an optional sign, surrounding whitespace, underscores between digits.
[[nodiscard]] std::optional<double> parseFloatLiteral(std::string_view text);

/// The bytes of a quoted Python 2 string literal ('abc' or "a\x00\n"), with backslash escapes
/// decoded as codecs.escape_decode does; nullopt when unquoted or an escape is malformed.
[[nodiscard]] std::optional<std::string> unescapeStringLiteral(std::string_view quoted);

/// UTF-8 text of a raw-unicode-escape argument (UNICODE opcode): bytes are Latin-1 code points,
/// \uXXXX and \UXXXXXXXX escapes are decoded. Lone surrogates are kept (as CPython's
/// "surrogatepass" would). nullopt when an escape is truncated or out of range.
[[nodiscard]] std::optional<std::string> decodeRawUnicodeEscape(std::string_view raw);

/// Appends the UTF-8 encoding of `codePoint` (surrogates encoded like any other code point).
void appendUtf8(std::string& out, std::uint32_t codePoint);

}  // namespace ckpt::core::pickle
