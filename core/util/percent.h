#pragma once
/// One way to print a share as a percentage, for the CLI and the GUI alike.

#include <cstdint>
#include <string>

namespace ckpt::core {

/// `part` of `whole` in percent, three significant digits, without the sign: "42.3", "4.56",
/// "0.0123". Never rounds a share that is not all of `whole` up to "100" (99.95 % is "99.9"),
/// nor one that is not nothing down to "0" (0.00004 % is "0.00004"). "" when whole is 0.
[[nodiscard]] std::string percentText(std::uint64_t part, std::uint64_t whole);

}  // namespace ckpt::core
