#pragma once
/// A range of bytes inside the pickle's source, used instead of copies for large arguments.

#include <cstdint>

namespace ckpt::core::pickle {

/// Bytes [offset, offset + length) of the source the pickle was read from.
struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;

    /// One past the last byte (exclusive end).
    [[nodiscard]] std::uint64_t end() const { return offset + length; }
    friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

}  // namespace ckpt::core::pickle
