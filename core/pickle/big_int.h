#pragma once
/// Arbitrary-precision integers as pickles store them: little-endian two's complement bytes
/// (LONG1/LONG4) or digit text (protocol-0 INT/LONG). Only conversions are offered; no arithmetic.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ckpt::core::pickle {

/// The value of little-endian two's complement `bytes` when it fits in int64 (empty -> 0).
[[nodiscard]] std::optional<std::int64_t> int64FromTwosComplement(std::span<const std::byte> bytes);

/// Decimal text ("-123") of little-endian two's complement `bytes`; nullopt when more than
/// `maxBytes` bytes (the conversion is quadratic, so callers bound it).
[[nodiscard]] std::optional<std::string> decimalFromTwosComplement(std::span<const std::byte> bytes,
                                                                   std::size_t maxBytes = 4096);

/// Decimal text of the unsigned number written with `digits` (ASCII, no sign, no separators) in
/// `base` 2..16; nullopt when a character is not a digit of that base.
[[nodiscard]] std::optional<std::string> decimalFromDigits(std::string_view digits, int base);

}  // namespace ckpt::core::pickle
