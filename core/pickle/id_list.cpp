#include "core/pickle/id_list.h"

#include <cstring>
#include <new>

namespace ckpt::core::pickle {

namespace {
unsigned slotOf(std::size_t elementSize) {
    return elementSize <= 4 ? 0 : 1;
}

unsigned floorLog2(std::size_t v) {
    unsigned k = 0;
    while ((std::size_t{1} << (k + 1)) <= v) {
        ++k;
    }
    return k;
}
}  // namespace

ListBlock* ListArena::take(std::size_t elementSize, std::size_t capacity) {
    // The free list to take from: the exact size, or (past kExact) the class of a power of
    // two, whose blocks all hold at least that many.
    ListBlock** head = nullptr;
    if (capacity <= kExact) {
        head = &m_free[slotOf(elementSize)][capacity];
    } else if ((capacity & (capacity - 1)) == 0) {
        head = &m_free[slotOf(elementSize)][kExact + 1 + floorLog2(capacity)];
    }
    if (head != nullptr && *head != nullptr) {
        ListBlock* block = *head;
        ListBlock* next = nullptr;
        std::memcpy(&next, static_cast<const void*>(block + 1), sizeof(ListBlock*));
        *head = next;
        return block;  // its capacity field is still what it holds
    }
    // Blocks stay 8-byte aligned: the header is 8 bytes and element sizes are 4 or 8.
    const std::size_t bytes = (sizeof(ListBlock) + capacity * elementSize + 7) & ~std::size_t{7};
    ListBlock* block = nullptr;
    if (bytes > kChunkBytes / 4) {
        // A long list gets an allocation of its own.
        LargeBlock owned(bytes);
        block = new (owned.get()) ListBlock{};
        m_big.emplace(block, std::move(owned));
        m_reserved += bytes;
    } else {
        if (m_used + bytes > kChunkBytes) {
            m_bump = m_chunks.allocate();
            m_reserved += kChunkBytes;
            m_used = 0;
        }
        block = new (m_bump + m_used) ListBlock{};
        m_used += bytes;
    }
    block->capacity = static_cast<std::uint32_t>(capacity);
    return block;
}

void ListArena::release(std::size_t elementSize, ListBlock* block) {
    if (const auto it = m_big.find(block); it != m_big.end()) {
        m_reserved -= (sizeof(ListBlock) + block->capacity * elementSize + 7) & ~std::size_t{7};
        m_big.erase(it);
        return;
    }
    const std::size_t c = block->capacity;
    ListBlock*& head = m_free[slotOf(elementSize)][c <= kExact ? c : kExact + 1 + floorLog2(c)];
    std::memcpy(static_cast<void*>(block + 1), &head, sizeof(ListBlock*));
    head = block;
}

}  // namespace ckpt::core::pickle
