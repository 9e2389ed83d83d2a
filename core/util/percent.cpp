#include "core/util/percent.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ckpt::core {
namespace {

/// `v` with `decimals` decimals, trailing zeros (and a bare point) removed.
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find('.') != std::string::npos) {
        s.erase(s.find_last_not_of('0') + 1);
        if (s.back() == '.') {
            s.pop_back();
        }
    }
    return s;
}

}  // namespace

std::string percentText(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) {
        return {};
    }
    if (part == 0) {
        return "0";
    }
    if (part >= whole) {
        return part == whole
                   ? "100"
                   : fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 0);
    }
    const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
    int decimals = std::max(0, 2 - static_cast<int>(std::floor(std::log10(p))));
    std::string text = fixed(p, decimals);
    // Rounding must not claim all or nothing: show one more digit, then truncate.
    for (; decimals < 12 && (std::stod(text) >= 100.0 || std::stod(text) == 0.0); ++decimals) {
        const double scale = std::pow(10.0, decimals + 1);
        text = fixed(std::floor(p * scale) / scale, decimals + 1);
        if (std::stod(text) < 100.0 && std::stod(text) > 0.0) {
            break;
        }
    }
    return text;
}

}  // namespace ckpt::core
