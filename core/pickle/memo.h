#pragma once
/// The pickle memo: ValueIds stored by PUT/BINPUT/LONG_BINPUT/MEMOIZE and fetched by GETs.

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {

/// Index -> value. Writers number entries 0, 1, 2..., so those live in a vector; scattered
/// indices (only hostile files have them) go to a hash map. Memory is O(entries) either way.
class Memo {
public:
    /// Stores `v` at `index`; returns the value it replaced, if any.
    std::optional<ValueId> put(std::uint64_t index, ValueId v);
    /// The value at `index`, or nullopt when none was stored.
    [[nodiscard]] std::optional<ValueId> get(std::uint64_t index) const;
    /// Number of distinct indices stored (MEMOIZE uses it as its index, like len(memo)).
    [[nodiscard]] std::uint64_t size() const { return m_count; }

private:
    std::vector<ValueId> m_dense;  ///< kNoValue marks a hole
    std::unordered_map<std::uint64_t, ValueId> m_sparse;
    std::uint64_t m_count = 0;
};

}  // namespace ckpt::core::pickle
