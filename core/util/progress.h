#pragma once
/// Progress reporting and cancellation for long work in the core.

#include <cstdint>
#include <functional>

namespace ckpt::core {

/// Called from the worker thread with `done` out of `total` units (bytes unless stated);
/// `total` is 0 when unknown. Returning false asks the work to stop: it then throws
/// CancelledError at the next safe point and leaves no partial output behind.
using ProgressFn = std::function<bool(std::uint64_t done, std::uint64_t total)>;

/// Reports through `fn` when set; throws CancelledError if the callback asked to stop.
void reportProgress(const ProgressFn& fn, std::uint64_t done, std::uint64_t total);

}  // namespace ckpt::core
