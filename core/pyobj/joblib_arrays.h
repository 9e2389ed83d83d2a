#pragma once
/// joblib's NumpyArrayWrapper (FORMATS.md §5.3): the array bytes follow the wrapper's BUILD in
/// the stream, after an alignment pad in joblib >= 1.2; object arrays follow as a nested pickle.

#include <cstddef>
#include <utility>

#include "core/pickle/machine_types.h"
#include "core/pyobj/recognitions.h"

namespace ckpt::core::pyobj {

/// An AfterBuildFn for Machine: steps over each wrapper's array bytes and records a tensor over
/// them in `out` (keyed by the value that replaces the wrapper on the stack). Throws
/// CorruptDataError when the bytes run past the end of the data.
class JoblibArrayHook {
public:
    /// `open` opens archives stored as uint8 arrays (a .keras zip saved by joblib).
    explicit JoblibArrayHook(Recognitions& out, OpenNestedFn open = {})
        : m_out(&out), m_open(std::move(open)) {}

    pickle::BuildAction operator()(const pickle::BuildEvent& event);

    /// Wrappers met so far.
    [[nodiscard]] std::size_t arrays() const { return *m_arrays; }

private:
    Recognitions* m_out;
    OpenNestedFn m_open;
    std::shared_ptr<std::size_t> m_arrays = std::make_shared<std::size_t>(0);
};

/// True for joblib's wrapper class names (joblib and sklearn.externals.joblib).
[[nodiscard]] bool isJoblibWrapper(std::string_view module, std::string_view name);

}  // namespace ckpt::core::pyobj
