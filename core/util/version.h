#pragma once
/// The product's version, from the CMake project version (configured into version.cpp at build
/// time): the one place `ckpt --version`, `ckpt-inspector --version` and SARIF output read it.

namespace ckpt::core {

/// The project version as "MAJOR.MINOR.PATCH".
[[nodiscard]] const char* productVersion();

}  // namespace ckpt::core
