#include "core/pickle/text_args.h"

#include <charconv>
#include <limits>

#include "core/pickle/big_int.h"

namespace ckpt::core::pickle {

namespace {

constexpr std::size_t kMaxDecimalDigits = 4300;   // CPython's int/str conversion limit
constexpr std::size_t kMaxOtherDigits = 100'000;  // power-of-two bases have no limit there

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

int digitValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return 99;
}

/// Removes single underscores that sit between two digits; nullopt for any other underscore.
/// `leadingAllowed` accepts one underscore right after a base prefix ("0x_ff").
std::optional<std::string> stripUnderscores(std::string_view s, bool leadingAllowed) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '_') {
            out += s[i];
            continue;
        }
        const bool prevOk = i == 0 ? leadingAllowed : s[i - 1] != '_' && digitValue(s[i - 1]) < 16;
        const bool nextOk = i + 1 < s.size() && s[i + 1] != '_' && digitValue(s[i + 1]) < 16;
        if (!prevOk || !nextOk) {
            return std::nullopt;
        }
    }
    return out;
}

int hexValue(char c) {
    const int v = digitValue(c);
    return v < 16 ? v : -1;
}

/// For a literal outside double's range: true when it underflows (tiny) rather than overflows.
bool tinyMagnitude(std::string_view s) {
    const auto e = s.find_first_of("eE");
    if (e != std::string_view::npos) {
        return e + 1 < s.size() && s[e + 1] == '-';
    }
    return s.front() == '.' || (s.size() > 1 && s[0] == '0' && s[1] == '.');
}

}  // namespace

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<IntLiteral> parseIntLiteral(std::string_view text, bool anyBase) {
    std::string_view s = trim(text);
    bool negative = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    int base = 10;
    bool prefixed = false;
    if (anyBase && s.size() > 1 && s[0] == '0') {
        const char p = static_cast<char>(s[1] | 0x20);
        base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
        if (base != 10) {
            s.remove_prefix(2);
            prefixed = true;
        }
    }
    const auto digits = stripUnderscores(s, prefixed);
    if (!digits || digits->empty()) {
        return std::nullopt;
    }
    bool nonZero = false;
    for (const char c : *digits) {
        if (digitValue(c) >= base) {
            return std::nullopt;
        }
        nonZero = nonZero || c != '0';
    }
    if (anyBase && base == 10 && (*digits)[0] == '0' && nonZero) {
        return std::nullopt;  // int('017', 0) is a SyntaxError-like ValueError in Python 3
    }
    if (digits->size() > (base == 10 ? kMaxDecimalDigits : kMaxOtherDigits)) {
        return std::nullopt;
    }
    // Fast path: accumulate while the magnitude fits in 64 bits.
    std::uint64_t magnitude = 0;
    bool overflow = false;
    for (const char c : *digits) {
        const auto d = static_cast<std::uint64_t>(digitValue(c));
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / base) {
            overflow = true;
            break;
        }
        magnitude = magnitude * base + d;
    }
    const std::uint64_t limit = std::uint64_t{1} << 63;
    IntLiteral lit;
    if (!overflow && (magnitude < limit || (negative && magnitude == limit))) {
        lit.value = negative ? static_cast<std::int64_t>(0 - magnitude)
                             : static_cast<std::int64_t>(magnitude);
        return lit;
    }
    const auto first = digits->find_first_not_of('0');
    auto decimal = decimalFromDigits(std::string_view(*digits).substr(first), base);
    if (!decimal) {
        return std::nullopt;
    }
    lit.fits = false;
    lit.decimal = negative ? "-" + *decimal : *decimal;
    return lit;
}

std::optional<double> parseFloatLiteral(std::string_view text) {
    std::string_view s = trim(text);
    bool negative = false;
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    std::string lower;
    for (const char c : s) {
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    double v = 0.0;
    if (lower == "inf" || lower == "infinity") {
        v = std::numeric_limits<double>::infinity();
    } else if (lower == "nan") {
        v = std::numeric_limits<double>::quiet_NaN();
    } else {
        const auto cleaned = stripUnderscores(s, false);
        if (!cleaned || cleaned->empty() || (*cleaned)[0] == '+' || (*cleaned)[0] == '-') {
            return std::nullopt;
        }
        const char* b = cleaned->data();
        const char* e = b + cleaned->size();
        const auto r = std::from_chars(b, e, v, std::chars_format::general);
        if (r.ec == std::errc::result_out_of_range) {
            // Python's float() rounds out-of-range literals to inf or 0 instead of failing.
            v = tinyMagnitude(*cleaned) ? 0.0 : std::numeric_limits<double>::infinity();
        } else if (r.ec != std::errc() || r.ptr != e) {
            return std::nullopt;
        }
    }
    return negative ? -v : v;
}

std::optional<std::string> unescapeStringLiteral(std::string_view quoted) {
    if (quoted.size() < 2 || quoted.front() != quoted.back() ||
        (quoted.front() != '\'' && quoted.front() != '"')) {
        return std::nullopt;
    }
    const std::string_view s = quoted.substr(1, quoted.size() - 2);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) {
            return std::nullopt;  // trailing backslash
        }
        const char c = s[i];
        switch (c) {
            case '\n':
                break;
            case '\\':
                out += '\\';
                break;
            case '\'':
                out += '\'';
                break;
            case '"':
                out += '"';
                break;
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'v':
                out += '\v';
                break;
            case 'x': {
                const int hi = i + 1 < s.size() ? hexValue(s[i + 1]) : -1;
                const int lo = i + 2 < s.size() ? hexValue(s[i + 2]) : -1;
                if (hi < 0 || lo < 0) {
                    return std::nullopt;
                }
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                break;
            }
            default:
                if (c >= '0' && c <= '7') {
                    unsigned v = static_cast<unsigned>(c - '0');
                    for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7';
                         ++k) {
                        v = v * 8 + static_cast<unsigned>(s[++i] - '0');
                    }
                    out += static_cast<char>(v & 0xFFU);
                } else {
                    out += '\\';  // unknown escapes are kept as written
                    out += c;
                }
        }
    }
    return out;
}

std::optional<std::string> decodeRawUnicodeEscape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    std::size_t i = 0;
    while (i < raw.size()) {
        if (raw[i] != '\\') {
            appendUtf8(out, static_cast<unsigned char>(raw[i++]));
            continue;
        }
        // A run of backslashes is literal; an odd run followed by u/U starts an escape.
        std::size_t run = 0;
        while (i < raw.size() && raw[i] == '\\') {
            ++run;
            ++i;
        }
        const bool escape = (run % 2) == 1 && i < raw.size() && (raw[i] == 'u' || raw[i] == 'U');
        out.append(escape ? run - 1 : run, '\\');
        if (!escape) {
            continue;
        }
        const std::size_t count = raw[i] == 'u' ? 4 : 8;
        ++i;
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < count; ++k, ++i) {
            const int h = i < raw.size() ? hexValue(raw[i]) : -1;
            if (h < 0) {
                return std::nullopt;
            }
            cp = cp * 16 + static_cast<std::uint32_t>(h);
        }
        if (cp > 0x10FFFF) {
            return std::nullopt;
        }
        appendUtf8(out, cp);
    }
    return out;
}

}  // namespace ckpt::core::pickle
