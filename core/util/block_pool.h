#pragma once
/// Fixed-size blocks of memory for arenas that grow to millions of small records (the pickle
/// value graph, its lists and its memo), handed out uninitialised and freed with the pool.
///
/// Why not one `new[]` per block: on a pickle of 10^6 small objects about a third of the time
/// went to first-touch page faults (4 KiB each) and to zeroing blocks that are written anyway.
/// Once a pool has handed out kSmallBytes, its blocks come from regions aligned to 2 MiB and
/// marked for transparent huge pages (Linux `madvise(MADV_HUGEPAGE)`, honoured when
/// /sys/kernel/mm/transparent_hugepage/enabled is `always` or `madvise`): one fault per 2 MiB.
/// Small pools (small files, the common case in `ckpt scan`) never take a region. LargeBlock is
/// the same for one big allocation (a list of millions of items), ZeroedArray a table of zeros
/// on top of it (one entry per value of a graph).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace ckpt::core {

/// One large allocation (a long list's block), uninitialised. From 2 MiB up it is its own
/// mapping, 2 MiB-aligned and marked for transparent huge pages like BlockPool's regions; below,
/// plain new[].
class LargeBlock {
public:
    LargeBlock() = default;
    /// Throws std::bad_alloc.
    explicit LargeBlock(std::size_t bytes);
    ~LargeBlock();
    LargeBlock(LargeBlock&& other) noexcept;
    LargeBlock& operator=(LargeBlock&& other) noexcept;
    LargeBlock(const LargeBlock&) = delete;
    LargeBlock& operator=(const LargeBlock&) = delete;

    [[nodiscard]] std::byte* get() const { return m_data; }
    [[nodiscard]] std::size_t size() const { return m_bytes; }
    /// True when the block is a mapping of its own (fresh from the kernel: all zeros).
    [[nodiscard]] bool mapped() const { return m_mapped; }

private:
    void release();
    std::byte* m_data = nullptr;
    std::size_t m_bytes = 0;
    bool m_mapped = false;
};

/// A fixed-size array of zeros for tables with one entry per value of a big graph (tens of
/// millions): a LargeBlock, so a large one is a fresh huge-page mapping that is zero already,
/// where std::vector(n, 0) writes every byte once more and faults in 4 KiB pages.
template <typename T>
class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "zero bytes must make a T");

public:
    ZeroedArray() = default;
    /// `n` zero elements; throws std::bad_alloc.
    explicit ZeroedArray(std::size_t n) : m_size(n) {
        if (n > SIZE_MAX / sizeof(T)) {
            throw std::bad_alloc();
        }
        m_block = LargeBlock(n * sizeof(T));
        if (!m_block.mapped()) {
            std::memset(m_block.get(), 0, n * sizeof(T));
        }
    }

    [[nodiscard]] std::size_t size() const { return m_size; }
    T& operator[](std::size_t i) { return data()[i]; }
    const T& operator[](std::size_t i) const { return data()[i]; }
    T* begin() { return data(); }
    T* end() { return data() + m_size; }

private:
    [[nodiscard]] T* data() const { return reinterpret_cast<T*>(m_block.get()); }
    LargeBlock m_block;
    std::size_t m_size = 0;
};

class BlockPool {
public:
    /// A pool of blocks of `blockBytes` bytes each (> 0), aligned to 16 bytes.
    explicit BlockPool(std::size_t blockBytes);
    ~BlockPool();
    BlockPool(const BlockPool&) = delete;
    BlockPool& operator=(const BlockPool&) = delete;

    /// A new block, uninitialised, valid until the pool is destroyed. Throws std::bad_alloc.
    [[nodiscard]] std::byte* allocate();
    [[nodiscard]] std::size_t blockBytes() const { return m_blockBytes; }
    /// Bytes handed out so far (blocks × blockBytes()).
    [[nodiscard]] std::size_t usedBytes() const { return m_used; }
    /// Bytes taken from the system (the blocks, and the rest of the current region).
    [[nodiscard]] std::size_t reservedBytes() const { return m_reserved; }

    /// Blocks come from single allocations until a pool has handed out this many bytes.
    static constexpr std::size_t kSmallBytes = std::size_t{2} << 20;

private:
    struct Region {
        void* base = nullptr;
        std::size_t bytes = 0;
    };
    /// Maps a new region of at least one block; false when regions are not available here.
    bool newRegion();

    std::size_t m_blockBytes;
    std::size_t m_used = 0;
    std::size_t m_reserved = 0;
    std::vector<std::unique_ptr<std::byte[]>> m_single;
    std::vector<Region> m_regions;
    std::byte* m_next = nullptr;  ///< the next block of the current region
    std::size_t m_left = 0;       ///< blocks left in the current region
};

}  // namespace ckpt::core
