#pragma once
/// Temporary files that must not outlive an interrupted run. Writers register the temporary
/// they create; a SIGINT/SIGTERM handler (installed by the program, once) unlinks every
/// registered path and then lets the signal end the process as it would have. Registration is
/// lock-free and the handler only calls unlink(), so both are async-signal-safe.

#include <filesystem>

namespace ckpt::core {

/// Registers `path` for removal on SIGINT/SIGTERM; returns a slot for unregisterTempFile, or -1
/// when every slot is taken (the file is then only removed by its owner, as before).
int registerTempFile(const std::filesystem::path& path) noexcept;

/// Forgets slot `slot` (after the file was renamed into place or removed). -1 is ignored.
void unregisterTempFile(int slot) noexcept;

/// Installs the SIGINT/SIGTERM handler (idempotent). The CLI calls it at start.
void installTempFileCleanup() noexcept;

}  // namespace ckpt::core
