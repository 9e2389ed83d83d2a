#include "app/cli/text_format.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

namespace ckpt::cli {

std::string groupDigits(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string humanBytes(std::uint64_t n) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (u == 0) {
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    } else {
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    }
    return buf;
}

std::string formatNumber(double v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
    // Count UTF-8 code points, not bytes, so bars made of block characters line up.
    std::size_t cols = 0;
    for (const unsigned char c : s) {
        cols += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    if (cols >= width) {
        return s;
    }
    const std::string fill(width - cols, ' ');
    return right ? fill + s : s + fill;
}

namespace {
bool g_barDrawn = false;
}

core::ProgressFn terminalProgress(const std::string& label) {
    if (isatty(STDERR_FILENO) == 0) {
        return {};
    }
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [label, last](std::uint64_t done, std::uint64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (now - *last < std::chrono::milliseconds(100) && done != total) {
            return true;
        }
        *last = now;
        if (total > 0) {
            const int width = 30;
            const int filled =
                static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total));
            std::fprintf(
                stderr, "\r%s [%-*s] %3d%%", label.c_str(), width,
                std::string(static_cast<std::size_t>(filled), '#').c_str(),
                static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)));
        } else {
            std::fprintf(stderr, "\r%s ... %llu", label.c_str(),
                         static_cast<unsigned long long>(done));
        }
        std::fflush(stderr);
        g_barDrawn = true;
        return true;
    };
}

void clearTerminalProgress() {
    if (g_barDrawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        g_barDrawn = false;
    }
}

}  // namespace ckpt::cli
