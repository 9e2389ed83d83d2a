#pragma once
/// The pickle memo: ValueIds stored by PUT/BINPUT/LONG_BINPUT/MEMOIZE and fetched by GETs.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/pickle/value.h"
#include "core/util/block_pool.h"

namespace ckpt::core::pickle {

/// Index -> value. Writers number entries 0, 1, 2..., so those live in fixed-size chunks (no
/// reallocation peak, no doubling slack); scattered indices (only hostile files have them) go to
/// a hash map. Memory is O(entries) either way.
class Memo {
public:
    /// Stores `v` at `index`; returns the value it replaced, if any.
    std::optional<ValueId> put(std::uint64_t index, ValueId v) {
        if (index == m_denseSize && m_sparse.empty()) {
            appendDense(v);  // the next index, as writers number them
            ++m_count;
            return std::nullopt;
        }
        return putSlow(index, v);
    }
    /// The value at `index`, or nullopt when none was stored.
    [[nodiscard]] std::optional<ValueId> get(std::uint64_t index) const {
        if (index < m_denseSize) {
            const ValueId v = dense(index);
            return v == kNoValue ? std::nullopt : std::optional(v);
        }
        return getSparse(index);
    }
    /// Number of distinct indices stored (MEMOIZE uses it as its index, like len(memo)).
    [[nodiscard]] std::uint64_t size() const { return m_count; }

private:
    static constexpr unsigned kChunkBits = 16;
    static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;

    [[nodiscard]] ValueId& dense(std::uint64_t index) const {
        return m_chunks[index >> kChunkBits][index & (kChunkSize - 1)];
    }
    void appendDense(ValueId v) {
        if (m_denseSize % kChunkSize == 0) {
            m_chunks.push_back(reinterpret_cast<ValueId*>(m_pool.allocate()));
        }
        dense(m_denseSize++) = v;
    }
    std::optional<ValueId> putSlow(std::uint64_t index, ValueId v);
    [[nodiscard]] std::optional<ValueId> getSparse(std::uint64_t index) const;

    BlockPool m_pool{kChunkSize * sizeof(ValueId)};
    std::vector<ValueId*> m_chunks;  ///< kNoValue marks a hole
    std::uint64_t m_denseSize = 0;
    std::unordered_map<std::uint64_t, ValueId> m_sparse;
    std::uint64_t m_count = 0;
};

}  // namespace ckpt::core::pickle
