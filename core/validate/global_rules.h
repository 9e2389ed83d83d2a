#pragma once
/// What a pickle global means when the loader resolves and calls it: the table behind the
/// validator's security, portability and unserializable rules. Names are the Python 3 names
/// (the pickle machine maps Python 2 names first).

#include <string_view>

#include "core/validate/finding.h"

namespace ckpt::core {

enum class GlobalKind : std::uint8_t {
    KnownSafe,     ///< containers and library reconstructors (numpy, torch, joblib, sklearn)
    RunsCode,      ///< runs a command or arbitrary code when called (os.system, builtins.eval)
    OpensFile,     ///< opens a file when called (io.open); dill passes it to its file rebuilder
    Imports,       ///< imports a module named by its argument (importlib.import_module)
    NestedLoad,    ///< deserialises more data when called (pickle.loads, torch.load)
    AttributeGet,  ///< getattr-like: harmless or dangerous depending on its arguments
    Resource,      ///< recreates a lock, queue, thread-local, file, socket... (unserializable)
    RebuildsCode,  ///< rebuilds functions, code objects or classes (dill, cloudpickle)
    KerasModel,    ///< rebuilds a Keras model from embedded bytes (one Keras version)
    MainModule,    ///< a class or function from __main__: only the saving script has it
    UserCode,      ///< neither known-safe nor known-dangerous: the loader imports its module
};

struct GlobalRule {
    GlobalKind kind = GlobalKind::UserCode;
    /// Resource: the Python type that plain pickle refuses ("_thread.RLock");
    /// RebuildsCode: what is rebuilt ("function", "code object", "class").
    std::string_view what;
};

/// Classifies `module`.`name`. Never throws.
[[nodiscard]] GlobalRule classifyGlobal(std::string_view module, std::string_view name);

/// True for modules whose import alone is a red flag (os, subprocess, socket, ...).
[[nodiscard]] bool isDangerousModule(std::string_view module);

/// True for attribute names that reach code execution through getattr (system, eval, ...).
[[nodiscard]] bool isDangerousAttribute(std::string_view name);

}  // namespace ckpt::core
