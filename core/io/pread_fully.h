#pragma once
/// The one positional-read loop of the core: pread() until the range is read, through EINTR
/// and short reads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/util/error.h"

namespace ckpt::core {

/// Reads `out.size()` bytes of descriptor `fd` from `offset`. Returns the bytes read, fewer
/// than asked only when the file ends first (the caller says what a short file means). A read
/// error throws IoError "`what`: <reason>" with `context` and the offset it failed at.
std::size_t preadFully(int fd, std::span<std::byte> out, std::uint64_t offset,
                       const std::string& what, Error::Context context = {});

}  // namespace ckpt::core
