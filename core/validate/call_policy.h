#pragma once
/// The allow-list side of the validator: which standard-library callables a loader may call
/// without running anything it should not. Every published pickle gadget lives in the standard
/// library, so a standard-library callable that loading calls and that is not listed here is an
/// error; third-party callables are judged by the global rules.

#include <string_view>

namespace ckpt::core {

/// True when `module` (or its top-level package) is part of CPython's standard library
/// (sys.stdlib_module_names, plus the optional `test`, `_pyrepl` and Python 2 names).
[[nodiscard]] bool isStdlibModule(std::string_view module);

/// True when calling `module`.`name` while loading only rebuilds a harmless value (containers,
/// dates, decimals, paths, enum members, exceptions). `functools.partial` is not listed: it is
/// harmless only when its target is, which the scanner checks.
[[nodiscard]] bool isHarmlessStdlibCallable(std::string_view module, std::string_view name);

}  // namespace ckpt::core
