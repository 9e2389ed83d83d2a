#pragma once
/// Compact lists of a value graph: the items, dict entries and BUILD states of a Value. A list
/// is one pointer (8 bytes, null when empty) to a block in its graph's arena that holds the
/// size, the capacity and the elements; no per-list heap allocation. Read like a const
/// std::vector; written only through ValueGraph (appendItems, appendEntries, appendState).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "core/util/block_pool.h"

namespace ckpt::core::pickle {

/// Header of a list block; the elements follow it.
struct ListBlock {
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
};

/// A read-only view of one list; copying it copies the handle, not the elements. Valid while
/// its graph lives.
template <typename T>
class IdList {
public:
    using value_type = T;
    using const_iterator = const T*;
    using iterator = const T*;

    IdList() = default;

    [[nodiscard]] std::size_t size() const { return m_block != nullptr ? m_block->size : 0; }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] const T* data() const {
        return m_block != nullptr ? reinterpret_cast<const T*>(m_block + 1) : nullptr;
    }
    [[nodiscard]] const T* begin() const { return data(); }
    [[nodiscard]] const T* end() const { return data() + size(); }
    [[nodiscard]] const T& operator[](std::size_t i) const { return data()[i]; }
    [[nodiscard]] const T& at(std::size_t i) const {
        if (i >= size()) {
            throw std::out_of_range("IdList::at");
        }
        return data()[i];
    }
    [[nodiscard]] std::reverse_iterator<const T*> rbegin() const {
        return std::reverse_iterator<const T*>(end());
    }
    [[nodiscard]] std::reverse_iterator<const T*> rend() const {
        return std::reverse_iterator<const T*>(begin());
    }
    [[nodiscard]] const T& front() const { return data()[0]; }
    [[nodiscard]] const T& back() const { return data()[size() - 1]; }
    [[nodiscard]] operator std::span<const T>() const { return {data(), size()}; }

private:
    friend class ListArena;
    ListBlock* m_block = nullptr;
};

/// Bump allocator for list blocks. A list that outgrows its block moves to one twice as large
/// and its old block goes to a free list of its size, for the next list of that size; a block
/// too large for the shared chunks is its own allocation and is freed instead.
class ListArena {
public:
    ListArena() = default;
    ListArena(const ListArena&) = delete;
    ListArena& operator=(const ListArena&) = delete;

    /// Appends `values` to `list`.
    template <typename T>
    void append(IdList<T>& list, std::span<const T> values) {
        if (values.empty()) {
            return;
        }
        const std::size_t have = list.size();
        const std::size_t need = have + values.size();
        if (need > UINT32_MAX) {
            throw std::length_error("list longer than 2^32 elements");
        }
        if (list.m_block == nullptr || need > list.m_block->capacity) {
            grow(list, need);
        }
        T* out = reinterpret_cast<T*>(list.m_block + 1) + have;
        for (const T& v : values) {
            new (out++) T(v);
        }
        list.m_block->size = static_cast<std::uint32_t>(need);
    }

    /// Empties `list` and frees its block (for the next list of its size).
    template <typename T>
    void clear(IdList<T>& list) {
        if (list.m_block != nullptr) {
            release(sizeof(T), list.m_block);
            list.m_block = nullptr;
        }
    }

    /// Bytes held from the system (shared chunks, and the large blocks not yet freed).
    [[nodiscard]] std::size_t reservedBytes() const { return m_reserved; }

private:
    template <typename T>
    void grow(IdList<T>& list, std::size_t need) {
        // A list's first block holds exactly what it is given (a dict's SETITEMS comes once,
        // with all its pairs); a list that grows again moves to capacities 2, 4, 8, ...
        std::size_t capacity = 2;
        while (capacity < need) {
            capacity *= 2;
        }
        if (list.m_block == nullptr && need > 2) {
            capacity = need;
        }
        ListBlock* block = take(sizeof(T), capacity);
        block->size = 0;
        if (list.m_block != nullptr) {
            const auto* from = reinterpret_cast<const T*>(list.m_block + 1);
            T* to = reinterpret_cast<T*>(block + 1);
            for (std::uint32_t i = 0; i < list.m_block->size; ++i) {
                new (to + i) T(from[i]);
            }
            block->size = list.m_block->size;
            release(sizeof(T), list.m_block);
        }
        list.m_block = block;
    }

    /// A block for at least `capacity` elements of `elementSize` bytes (its capacity field
    /// says how many it holds): a freed one of that size, or new bytes.
    ListBlock* take(std::size_t elementSize, std::size_t capacity);
    void release(std::size_t elementSize, ListBlock* block);

    static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
    /// Free lists: blocks of up to kExact elements by their exact capacity, larger ones by
    /// power-of-two class (a block of capacity c is in class floor(log2 c)).
    static constexpr unsigned kExact = 32;
    static constexpr unsigned kLists = kExact + 1 + 33;

    BlockPool m_chunks{kChunkBytes};
    /// Blocks too large for a shared chunk, each its own allocation, freed when released.
    std::unordered_map<const ListBlock*, LargeBlock> m_big;
    std::byte* m_bump = nullptr;       ///< the chunk that small blocks are cut from
    std::size_t m_used = kChunkBytes;  ///< bytes used in it
    std::size_t m_reserved = 0;
    /// Free blocks by (element size 4 or 8) and free list, linked through their first bytes.
    ListBlock* m_free[2][kLists] = {};
};

}  // namespace ckpt::core::pickle
