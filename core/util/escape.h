#pragma once
/// Text from a file on its way to a terminal, a log line or a one-line error. A checkpoint's
/// names, values and messages are untrusted bytes: they may hold escape sequences that move the
/// cursor or retitle the terminal, newlines that forge extra output lines, or bytes that are not
/// UTF-8 at all.

#include <string>
#include <string_view>

namespace ckpt::core {

/// `s` made safe to print on one line of a terminal: C0 control characters (newline and tab
/// included), DEL and bytes that are not part of valid UTF-8 become `\xNN`; C1 controls
/// (U+0080-U+009F) and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069) become
/// `\u{NNNN}`. Printable ASCII and valid UTF-8 text pass unchanged.
[[nodiscard]] std::string escapeText(std::string_view s);

/// Same, but keeps newlines and tabs: for multi-line text the program composed itself around
/// file-derived parts that were escaped already.
[[nodiscard]] std::string escapeTextKeepLines(std::string_view s);

/// True when `s` needs no escaping.
[[nodiscard]] bool isSafeText(std::string_view s);

}  // namespace ckpt::core
