#pragma once
/// A compact, Python-like text form of a value graph, for tests, logs and the CLI:
/// `collections.OrderedDict()+{'w': torch._utils._rebuild_tensor_v2(<persid ('storage', ...)>,
/// 0, (2, 3), (3, 1), False, collections.OrderedDict())}`.

#include <cstddef>
#include <string>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {

class ValueGraph;

/// Bounds of one printout; past them the text says "..." and how much was left out.
struct PrintOptions {
    std::size_t maxDepth = 32;         ///< nesting levels shown
    std::size_t maxItems = 32;         ///< items shown per container
    std::size_t maxStringBytes = 80;   ///< bytes shown per str/bytes value
    std::size_t maxChars = 64 * 1024;  ///< length of the whole text (approximate, +~64)
    bool showOriginalNames = false;    ///< add "(was __builtin__.xrange)" to renamed globals
};

/// Prints values of one graph. Notation: REDUCE is `f(a, b)`; NEWOBJ is `C.__new__(a)`; OBJ and
/// INST are `C(a)`; BUILD appends `.__setstate__(state)`; APPEND(S)/SETITEM(S) on a non-list/dict
/// append `+[...]`/`+{...}`; BINPERSID is `<persid pid>`; a value met again inside itself is
/// `<cycle>`. Iterative, so any depth is safe. Thread-safe on a finished graph.
class ValuePrinter {
public:
    explicit ValuePrinter(const ValueGraph& graph, PrintOptions options = {});

    /// The text of value `id` within the bounds of the options.
    [[nodiscard]] std::string print(ValueId id) const;

    /// Python repr() of a double: "1.0", "0.1", "1e-05", "1e+16", "nan", "-inf".
    [[nodiscard]] static std::string floatRepr(double v);

private:
    const ValueGraph& m_graph;
    PrintOptions m_options;
};

}  // namespace ckpt::core::pickle
