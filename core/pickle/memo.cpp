#include "core/pickle/memo.h"

namespace ckpt::core::pickle {

std::optional<ValueId> Memo::put(std::uint64_t index, ValueId v) {
    // Grow the vector only while it stays within twice the number of entries.
    if (index >= m_dense.size() && index < 2 * (m_count + 1) + 16 && !m_sparse.contains(index)) {
        m_dense.resize(static_cast<std::size_t>(index) + 1, kNoValue);
    }
    ValueId* slot = nullptr;
    if (index < m_dense.size()) {
        slot = &m_dense[static_cast<std::size_t>(index)];
    } else {
        const auto [it, inserted] = m_sparse.try_emplace(index, kNoValue);
        slot = &it->second;
    }
    const ValueId old = *slot;
    *slot = v;
    if (old == kNoValue) {
        ++m_count;
        return std::nullopt;
    }
    return old;
}

std::optional<ValueId> Memo::get(std::uint64_t index) const {
    if (index < m_dense.size()) {
        const ValueId v = m_dense[static_cast<std::size_t>(index)];
        return v == kNoValue ? std::nullopt : std::optional(v);
    }
    const auto it = m_sparse.find(index);
    return it == m_sparse.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace ckpt::core::pickle
