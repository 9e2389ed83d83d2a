#pragma once
/// A 128-bit unsigned integer for overflow-free size arithmetic (element counts times sizes).

namespace ckpt::core::pyobj {

__extension__ typedef unsigned __int128 U128;  // NOLINT: GCC/Clang builtin, no ISO spelling

}  // namespace ckpt::core::pyobj
