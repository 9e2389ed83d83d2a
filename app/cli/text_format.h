#pragma once
// Text helpers for the CLI's human-readable output.

#include <cstdint>
#include <string>

#include "core/util/progress.h"

namespace ckpt::cli {

/// "1,234,567"
[[nodiscard]] std::string groupDigits(std::uint64_t n);
/// "171.7 KiB", "1.0 GiB", "512 B"
[[nodiscard]] std::string humanBytes(std::uint64_t n);
/// Compact number: up to 6 significant digits, "nan"/"inf" spelled out.
[[nodiscard]] std::string formatNumber(double v);
/// Pads or cuts `s` to `width` columns (UTF-8 aware enough for names and bars).
[[nodiscard]] std::string pad(const std::string& s, std::size_t width, bool right = false);

/// A progress callback that draws a bar on stderr when it is a terminal, and does nothing
/// otherwise. `label` names the work ("reading", "stats").
[[nodiscard]] core::ProgressFn terminalProgress(const std::string& label);
/// Clears the bar line if one was drawn.
void clearTerminalProgress();

}  // namespace ckpt::cli
