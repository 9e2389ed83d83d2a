#pragma once
/// Python 2 -> Python 3 renaming of pickle globals, with the same tables CPython's unpickler
/// applies (Lib/_compat_pickle.py) when it loads protocol 0-2 pickles.

#include <optional>
#include <string_view>

namespace ckpt::core::pickle {

/// A renamed global. The views point at static tables or at the caller's `name`.
struct MappedName {
    std::string_view module;
    std::string_view name;
};

/// The Python 3 name of the Python 2 global (`module`, `name`): a (module, name) pair rename
/// first (`__builtin__ xrange` -> `builtins range`, `exceptions ValueError` -> `builtins
/// ValueError`), else a module rename (`__builtin__` -> `builtins`, `copy_reg` -> `copyreg`,
/// `commands` -> `subprocess`). nullopt when nothing changes. The returned name may view `name`,
/// so keep it alive while using the result.
[[nodiscard]] std::optional<MappedName> mapPython2Name(std::string_view module,
                                                       std::string_view name);

}  // namespace ckpt::core::pickle
