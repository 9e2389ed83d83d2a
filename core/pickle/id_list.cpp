#include "core/pickle/id_list.h"

#include <cstring>
#include <new>

namespace ckpt::core::pickle {

namespace {
unsigned slotOf(std::size_t elementSize) {
    return elementSize <= 4 ? 0 : 1;
}

unsigned classOf(const ListBlock* block) {
    unsigned cls = 1;
    while ((std::uint64_t{1} << cls) < block->capacity) {
        ++cls;
    }
    return cls;
}
}  // namespace

ListBlock* ListArena::take(std::size_t elementSize, unsigned cls, std::size_t bytes) {
    ListBlock*& head = m_free[slotOf(elementSize)][cls];
    if (head != nullptr) {
        ListBlock* block = head;
        ListBlock* next = nullptr;
        std::memcpy(&next, static_cast<const void*>(block + 1), sizeof(ListBlock*));
        head = next;
        return block;
    }
    // Blocks stay 8-byte aligned: the header is 8 bytes and element sizes are 4 or 8.
    bytes = (bytes + 7) & ~std::size_t{7};
    if (bytes > kChunkBytes / 4) {
        // A long list gets a chunk of its own.
        m_chunks.push_back(std::make_unique<std::byte[]>(bytes));
        m_reserved += bytes;
        return new (m_chunks.back().get()) ListBlock{};
    }
    if (m_used + bytes > kChunkBytes) {
        m_chunks.push_back(std::make_unique<std::byte[]>(kChunkBytes));
        m_reserved += kChunkBytes;
        m_bump = m_chunks.back().get();
        m_used = 0;
    }
    std::byte* at = m_bump + m_used;
    m_used += bytes;
    return new (at) ListBlock{};
}

void ListArena::release(std::size_t elementSize, ListBlock* block) {
    ListBlock*& head = m_free[slotOf(elementSize)][classOf(block)];
    std::memcpy(static_cast<void*>(block + 1), &head, sizeof(ListBlock*));
    head = block;
}

}  // namespace ckpt::core::pickle
