#include "core/pickle/big_int.h"

#include <algorithm>
#include <vector>

namespace ckpt::core::pickle {

namespace {

/// An unsigned magnitude in base 10^9 limbs, least significant first.
class Decimal {
public:
    void mulAdd(std::uint32_t mul, std::uint32_t add) {
        std::uint64_t carry = add;
        for (auto& limb : m_limbs) {
            const std::uint64_t v = std::uint64_t{limb} * mul + carry;
            limb = static_cast<std::uint32_t>(v % kBase);
            carry = v / kBase;
        }
        while (carry != 0) {
            m_limbs.push_back(static_cast<std::uint32_t>(carry % kBase));
            carry /= kBase;
        }
    }

    [[nodiscard]] std::string text(bool negative) const {
        if (m_limbs.empty()) {
            return "0";
        }
        std::string out = negative ? "-" : "";
        out += std::to_string(m_limbs.back());
        for (auto it = m_limbs.rbegin() + 1; it != m_limbs.rend(); ++it) {
            const std::string part = std::to_string(*it);
            out.append(9 - part.size(), '0');
            out += part;
        }
        return out;
    }

private:
    static constexpr std::uint64_t kBase = 1'000'000'000;
    std::vector<std::uint32_t> m_limbs;
};

}  // namespace

std::optional<std::int64_t> int64FromTwosComplement(std::span<const std::byte> bytes) {
    if (bytes.empty()) {
        return 0;
    }
    const bool negative = (std::to_integer<unsigned>(bytes.back()) & 0x80U) != 0;
    const auto fill = negative ? std::byte{0xff} : std::byte{0};
    const std::size_t n = std::min<std::size_t>(bytes.size(), 8);
    // Bytes beyond the eighth must only repeat the sign, and the eighth must carry it.
    for (std::size_t i = 8; i < bytes.size(); ++i) {
        if (bytes[i] != fill) {
            return std::nullopt;
        }
    }
    if (bytes.size() > 8 && ((std::to_integer<unsigned>(bytes[7]) & 0x80U) != 0) != negative) {
        return std::nullopt;
    }
    std::uint64_t v = negative ? ~std::uint64_t{0} : 0;
    for (std::size_t i = 0; i < n; ++i) {
        v &= ~(std::uint64_t{0xff} << (8 * i));
        v |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
    }
    return static_cast<std::int64_t>(v);
}

std::optional<std::string> decimalFromTwosComplement(std::span<const std::byte> bytes,
                                                     std::size_t maxBytes) {
    if (bytes.size() > maxBytes) {
        return std::nullopt;
    }
    if (bytes.empty()) {
        return std::string("0");
    }
    const bool negative = (std::to_integer<unsigned>(bytes.back()) & 0x80U) != 0;
    // Magnitude of a negative number: invert and add one, walking from the least significant byte.
    std::vector<std::uint8_t> magnitude(bytes.size());
    unsigned carry = 1;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        unsigned b = std::to_integer<unsigned>(bytes[i]);
        if (negative) {
            b = (~b & 0xffU) + carry;
            carry = b >> 8;
            b &= 0xffU;
        }
        magnitude[i] = static_cast<std::uint8_t>(b);
    }
    Decimal d;
    for (auto it = magnitude.rbegin(); it != magnitude.rend(); ++it) {
        d.mulAdd(256, *it);
    }
    return d.text(negative);
}

std::optional<std::string> decimalFromDigits(std::string_view digits, int base) {
    if (base < 2 || base > 16 || digits.empty()) {
        return std::nullopt;
    }
    Decimal d;
    for (const char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        }
        if (v < 0 || v >= base) {
            return std::nullopt;
        }
        d.mulAdd(static_cast<std::uint32_t>(base), static_cast<std::uint32_t>(v));
    }
    return d.text(false);
}

}  // namespace ckpt::core::pickle
