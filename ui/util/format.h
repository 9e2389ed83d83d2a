#pragma once
// Text forms of numbers, sizes and shapes as the UI shows them.

#include <QString>
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/json.h"

namespace ckpt::ui::fmt {

/// "1,234,567" in the user's locale.
[[nodiscard]] QString count(std::uint64_t n);
/// "512 B", "4.00 KiB", "1.20 MiB", "12.0 MiB": binary units (powers of 1024), labelled KiB,
/// MiB, GiB; three significant digits from KiB on.
[[nodiscard]] QString bytes(std::uint64_t n);
/// A compact form for a value in a table or on an axis: up to `precision` significant digits,
/// exponent notation for very large/small magnitudes, "NaN", "inf", "-inf".
[[nodiscard]] QString number(double v, int precision = 6);
/// "[3, 4]"; "scalar" for an empty shape.
[[nodiscard]] QString shape(const std::vector<std::uint64_t>& shape);
/// A std::string as QString (UTF-8).
[[nodiscard]] inline QString qs(const std::string& s) {
    return QString::fromStdString(s);
}
/// Compact JSON text of `value`; invalid UTF-8 in strings is replaced instead of throwing.
[[nodiscard]] QString json(const core::Json& value);
/// "42.3 %": core::percentText (three significant digits, never 100 % unless all) and " %".
[[nodiscard]] QString percent(std::uint64_t part, std::uint64_t whole);

}  // namespace ckpt::ui::fmt
