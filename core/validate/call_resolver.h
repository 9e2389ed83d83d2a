#pragma once
/// Symbolic resolution of what a pickle call reaches when its callable is not spelled as a
/// plain global: getattr chains on imported modules, operator.attrgetter / methodcaller /
/// itemgetter, functools.partial / reduce, importlib.import_module, builtins.__import__ and
/// pkgutil.resolve_name. Nothing is executed: names are followed through the value graph.

#include <optional>
#include <string>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core {

/// A callable that a load runs, reached through an indirection.
struct IndirectCall {
    /// Dotted name of what runs ("os.system"), or "" when the chain cannot be followed (the
    /// target is computed from values the scanner does not know).
    std::string target;
    /// The indirection that leads there ("builtins.getattr", "operator.methodcaller", ...).
    std::string via;
};

/// The dotted name that value `id` evaluates to when loaded, if it is a module attribute
/// reached by globals, imports by name and attribute lookups ("subprocess.Popen"); nullopt
/// otherwise. Bounded depth; never throws.
[[nodiscard]] std::optional<std::string> resolveDottedName(const pickle::ValueGraph& g,
                                                           pickle::ValueId id);

/// For a Call/Object node `id`: the callable its load runs through an indirection (its callable
/// is itself computed, or it is functools.partial / functools.reduce of a target). nullopt for
/// a plain call of a global, which the global rules judge directly, and for calls of values
/// that are not indirections (a class rebuilt by dill).
[[nodiscard]] std::optional<IndirectCall> resolveIndirectCall(const pickle::ValueGraph& g,
                                                              pickle::ValueId id);

}  // namespace ckpt::core
