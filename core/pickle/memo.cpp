#include "core/pickle/memo.h"

namespace ckpt::core::pickle {

std::optional<ValueId> Memo::putSlow(std::uint64_t index, ValueId v) {
    // Grow the dense part only while it stays within twice the number of entries.
    if (index >= m_denseSize && index < 2 * (m_count + 1) + 16 && !m_sparse.contains(index)) {
        while (m_denseSize <= index) {
            appendDense(kNoValue);
        }
    }
    ValueId* slot = nullptr;
    if (index < m_denseSize) {
        slot = &dense(index);
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

std::optional<ValueId> Memo::getSparse(std::uint64_t index) const {
    const auto it = m_sparse.find(index);
    return it == m_sparse.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace ckpt::core::pickle
