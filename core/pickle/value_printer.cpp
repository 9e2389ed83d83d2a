#include "core/pickle/value_printer.h"

#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "core/pickle/big_int.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core::pickle {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8Length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

void appendEscaped(std::string& out, unsigned char c) {
    static const char* digits = "0123456789abcdef";
    switch (c) {
        case '\\':
            out += "\\\\";
            return;
        case '\'':
            out += "\\'";
            return;
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        default:
            break;
    }
    if (c < 0x20 || c >= 0x7f) {
        out += "\\x";
        out += digits[c >> 4];
        out += digits[c & 15];
    } else {
        out += static_cast<char>(c);
    }
}

/// Python-style literal: 'text' for str (valid UTF-8 kept), b'...' for bytes.
std::string quote(std::string_view s, bool isBytes, std::size_t maxBytes) {
    std::string out = isBytes ? "b'" : "'";
    const std::size_t n = std::min(s.size(), maxBytes);
    std::size_t i = 0;
    while (i < n) {
        const std::size_t len = isBytes ? 0 : utf8Length(s, i);
        if (len > 1) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            appendEscaped(out, static_cast<unsigned char>(s[i++]));
        }
    }
    out += '\'';
    if (i < s.size()) {
        out += "...(" + std::to_string(s.size()) + " bytes)";
    }
    return out;
}

struct Work {
    enum Kind : std::uint8_t { Text, Visit, Leave } kind;
    ValueId id = kNoValue;
    std::size_t depth = 0;
    std::string text;
};

class Printer {
public:
    Printer(const ValueGraph& g, const PrintOptions& o) : m_g(g), m_o(o) {}

    std::string run(ValueId root) {
        m_work.push_back({Work::Visit, root, 0, {}});
        while (!m_work.empty()) {
            Work w = std::move(m_work.back());
            m_work.pop_back();
            if (m_out.size() > m_o.maxChars) {
                m_out += "...";
                break;
            }
            if (w.kind == Work::Text) {
                m_out += w.text;
            } else if (w.kind == Work::Leave) {
                m_active.erase(w.id);
            } else {
                visit(w.id, w.depth);
            }
        }
        return m_out;
    }

private:
    void text(std::string t) { m_work.push_back({Work::Text, kNoValue, 0, std::move(t)}); }
    void child(ValueId id, std::size_t depth) { m_work.push_back({Work::Visit, id, depth, {}}); }

    /// Queues `open items... close`; items are children at `depth`. Pushed in reverse (LIFO).
    void sequence(std::string open, std::span<const ValueId> items, std::string close,
                  std::size_t depth, bool oneTuple = false) {
        text(std::move(close));
        const std::size_t n = std::min(items.size(), m_o.maxItems);
        if (items.size() > n) {
            text((n > 0 ? ", ...(+" : "...(+") + std::to_string(items.size() - n) + ")");
        }
        if (oneTuple && items.size() == 1) {
            text(",");
        }
        for (std::size_t i = n; i-- > 0;) {
            child(items[i], depth);
            if (i > 0) {
                text(", ");
            }
        }
        text(std::move(open));
    }

    void entries(std::string open, std::span<const ValueEntry> pairs, std::size_t depth) {
        text("}");
        const std::size_t n = std::min(pairs.size(), m_o.maxItems);
        if (pairs.size() > n) {
            text((n > 0 ? ", ...(+" : "...(+") + std::to_string(pairs.size() - n) + ")");
        }
        for (std::size_t i = n; i-- > 0;) {
            child(pairs[i].second, depth);
            text(": ");
            child(pairs[i].first, depth);
            if (i > 0) {
                text(", ");
            }
        }
        text(std::move(open));
    }

    /// Queues the arguments of a call: a tuple's items spliced in, anything else as *args.
    void arguments(ValueId args, ValueId kwargs, std::size_t depth) {
        const bool splice = args != kNoValue && m_g[args].kind == ValueKind::Tuple &&
                            !m_active.contains(args) && m_g[args].states.empty() &&
                            m_g[args].entries.empty();
        const bool hasArgs = args != kNoValue && !(splice && m_g[args].items.empty());
        text(")");
        if (kwargs != kNoValue) {
            child(kwargs, depth);
            text(hasArgs ? ", **" : "**");
        }
        if (splice) {
            sequence("", m_g[args].items, "", depth);
        } else if (args != kNoValue) {
            child(args, depth);
            text("*");
        }
        text("(");
    }

    void visit(ValueId id, std::size_t depth) {
        if (!m_g.contains(id)) {
            m_out += "<invalid>";
            return;
        }
        if (depth > m_o.maxDepth) {
            m_out += "...";
            return;
        }
        if (m_active.contains(id)) {
            m_out += "<cycle>";
            return;
        }
        const Value& v = m_g[id];
        if (scalar(id, v)) {
            return;
        }
        m_active.insert(id);
        m_work.push_back({Work::Leave, id, 0, {}});
        const std::size_t d = depth + 1;
        for (auto it = v.states.rbegin(); it != v.states.rend(); ++it) {
            text(")");
            child(*it, d);
            text(".__setstate__(");
        }
        const bool listLike = v.kind == ValueKind::List || v.kind == ValueKind::Set ||
                              v.kind == ValueKind::Tuple || v.kind == ValueKind::FrozenSet;
        if (v.kind != ValueKind::Dict && !v.entries.empty()) {
            entries("+{", v.entries, d);
        }
        if (!listLike && !v.items.empty()) {
            sequence("+[", v.items, "]", d);
        }
        composite(v, d);
    }

    void composite(const Value& v, std::size_t d) {
        switch (v.kind) {
            case ValueKind::List:
                sequence("[", v.items, "]", d);
                return;
            case ValueKind::Tuple:
                sequence("(", v.items, ")", d, true);
                return;
            case ValueKind::Dict:
                entries("{", v.entries, d);
                return;
            case ValueKind::Set:
                v.items.empty() ? text("set()") : sequence("{", v.items, "}", d);
                return;
            case ValueKind::FrozenSet:
                v.items.empty() ? text("frozenset()") : sequence("frozenset({", v.items, "})", d);
                return;
            case ValueKind::Call:
                arguments(v.args, kNoValue, d);
                child(v.func, d);
                return;
            case ValueKind::Object:
                arguments(v.args, v.kwargs, d);
                if (v.origin == ObjectOrigin::NewObj || v.origin == ObjectOrigin::NewObjEx) {
                    text(".__new__");
                }
                child(v.func, d);
                return;
            case ValueKind::PersistentRef:
                text(">");
                child(v.pid, d);
                text("<persid ");
                return;
            default:
                return;
        }
    }

    /// Appends a value without children (plus globals etc.); false for composite kinds.
    bool scalar(ValueId id, const Value& v) {
        switch (v.kind) {
            case ValueKind::None:
                m_out += "None";
                break;
            case ValueKind::Bool:
                m_out += v.integer != 0 ? "True" : "False";
                break;
            case ValueKind::Int:
                m_out += std::to_string(v.integer);
                break;
            case ValueKind::BigInt: {
                const auto t = m_g.text(id);
                if (v.has(DecimalText)) {
                    m_out += t;
                } else if (auto d = decimalFromTwosComplement(std::as_bytes(std::span(t)))) {
                    m_out += *d;
                } else {
                    m_out += "<int of " + std::to_string(t.size()) + " bytes>";
                }
                break;
            }
            case ValueKind::Float:
                m_out += ValuePrinter::floatRepr(v.real);
                break;
            case ValueKind::Str:
                m_out += quote(m_g.text(id), false, m_o.maxStringBytes);
                break;
            case ValueKind::Bytes:
                m_out += quote(m_g.text(id), true, m_o.maxStringBytes);
                break;
            case ValueKind::ByteArray:
                m_out += "bytearray(" + quote(m_g.text(id), true, m_o.maxStringBytes) + ")";
                break;
            case ValueKind::Global: {
                const GlobalName g = m_g.global(id);
                m_out += g.qualified();
                if (m_o.showOriginalNames && v.has(Renamed)) {
                    m_out += " (was " + std::string(g.originalModule) + "." +
                             std::string(g.originalName) + ")";
                }
                break;
            }
            case ValueKind::Buffer:
                m_out += v.has(ReadOnly) ? "<readonly buffer #" : "<buffer #";
                m_out += std::to_string(v.integer) + ">";
                break;
            case ValueKind::Extension:
                m_out += "<extension " + std::to_string(v.integer) + ">";
                break;
            default:
                return false;
        }
        // Scalars (and globals) can still carry BUILD states or items in hostile pickles.
        if (!v.states.empty() || !v.items.empty() || !v.entries.empty()) {
            m_out += "<+" + std::to_string(v.states.size() + v.items.size() + v.entries.size()) +
                     " added>";
        }
        return true;
    }

    const ValueGraph& m_g;
    const PrintOptions& m_o;
    std::string m_out;
    std::vector<Work> m_work;
    std::unordered_set<ValueId> m_active;
};

}  // namespace

ValuePrinter::ValuePrinter(const ValueGraph& graph, PrintOptions options)
    : m_graph(graph), m_options(options) {}

std::string ValuePrinter::print(ValueId id) const {
    return Printer(m_graph, m_options).run(id);
}

std::string ValuePrinter::floatRepr(double v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v < 0 ? "-inf" : "inf";
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    std::string sign;
    if (s.front() == '-') {
        sign = "-";
        s.remove_prefix(1);
    }
    const auto e = s.find('e');
    std::string digits(s.substr(0, e));
    std::erase(digits, '.');
    int exponent = 0;
    std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
    while (digits.size() > 1 && digits.back() == '0') {
        digits.pop_back();
    }
    const int decpt = exponent + 1;  // position of the decimal point after the first digit
    std::string out = sign;
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
        } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
            out +=
                digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
        } else {
            out += digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
                   digits.substr(static_cast<std::size_t>(decpt));
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += "." + digits.substr(1);
    }
    const int ae = std::abs(exponent);
    out += exponent < 0 ? "e-" : "e+";
    out += (ae < 10 ? "0" : "") + std::to_string(ae);
    return out;
}

}  // namespace ckpt::core::pickle
