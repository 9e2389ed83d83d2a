#pragma once
/// Names for what calls in a pickle rebuild: dill and cloudpickle reconstructors (locks,
/// functions, classes, code, file handles), copyreg helpers, getattr chains. Only names are
/// derived; nothing is resolved or run.

#include <optional>
#include <string>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core::pyobj {

/// What a reconstructor call stands for.
struct Reconstructed {
    std::string typeName;       ///< "_thread.RLock", "function f", "class __main__.Foo", "cell"
    std::string kind;           ///< "lock", "rlock", "function", "code", "class", "type",
                                ///< "file", "cell", "module", "attribute"
    std::string reconstructor;  ///< the global that was called, "dill._dill._create_rlock"
};

/// The thing a Call node rebuilds when its callee is a known dill/cloudpickle reconstructor.
[[nodiscard]] std::optional<Reconstructed> reconstructed(const pickle::ValueGraph& g,
                                                         pickle::ValueId call);

/// A readable name of a callable or class value: "module.qualname" for globals, the class a
/// reconstructor makes, "A.b" for getattr(A, 'b'), the class of a legacy torch ('module', cls,
/// ...) persistent id. `depth` bounds the recursion.
[[nodiscard]] std::string describeCallable(const pickle::ValueGraph& g, pickle::ValueId id,
                                           int depth = 0);

/// True for modules of dill ("dill._dill", "dill.dill", "dill").
[[nodiscard]] bool isDillModule(std::string_view module);
/// True for modules of cloudpickle ("cloudpickle", "cloudpickle.cloudpickle", "..._fast").
[[nodiscard]] bool isCloudpickleModule(std::string_view module);

}  // namespace ckpt::core::pyobj
