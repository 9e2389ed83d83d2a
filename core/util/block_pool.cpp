#include "core/util/block_pool.h"

#include <algorithm>
#include <cstdint>
#include <new>
#include <stdexcept>

#if defined(__linux__)
#include <sys/mman.h>
#endif

// Under AddressSanitizer the parts of a mapping not handed out are poisoned, so that a read or
// write past the last block is still reported (a mapping has no redzones of its own).
#if defined(__SANITIZE_ADDRESS__)
#define CKPT_BLOCK_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CKPT_BLOCK_POOL_ASAN 1
#endif
#endif
#if defined(CKPT_BLOCK_POOL_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace ckpt::core {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
/// Regions double from 2 MiB up to this size, so a graph of gigabytes takes few mappings.
constexpr std::size_t kMaxRegion = std::size_t{64} << 20;

void poison([[maybe_unused]] void* p, [[maybe_unused]] std::size_t n) {
#if defined(CKPT_BLOCK_POOL_ASAN)
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
}

void unpoison([[maybe_unused]] void* p, [[maybe_unused]] std::size_t n) {
#if defined(CKPT_BLOCK_POOL_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
}

/// `bytes` (a multiple of kHugePage) of fresh memory at a 2 MiB boundary, marked for huge pages;
/// nullptr where that is not available. Throws std::bad_alloc when the map fails.
void* mapHuge(std::size_t bytes) {
#if defined(__linux__)
    // Map one huge page more than needed, then give back the ends so that the region starts
    // on a 2 MiB boundary (a huge page can only back an aligned 2 MiB range).
    const std::size_t mapped = bytes + kHugePage;
    void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        throw std::bad_alloc();
    }
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start) {
        munmap(raw, aligned - start);
    }
    if (const std::uintptr_t end = aligned + bytes; end < start + mapped) {
        munmap(reinterpret_cast<void*>(end), start + mapped - end);
    }
    void* base = reinterpret_cast<void*>(aligned);
    madvise(base, bytes, MADV_HUGEPAGE);  // a hint: without it the memory still works
    return base;
#else
    (void)bytes;
    return nullptr;
#endif
}

void unmapHuge(void* base, std::size_t bytes) {
#if defined(__linux__)
    unpoison(base, bytes);  // the next mapping at this address starts clean
    munmap(base, bytes);
#else
    (void)base;
    (void)bytes;
#endif
}

std::size_t wholeHugePages(std::size_t bytes) {
    return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}
}  // namespace

LargeBlock::LargeBlock(std::size_t bytes) : m_bytes(bytes) {
    if (bytes >= kHugePage) {
        m_bytes = wholeHugePages(bytes);
        m_data = static_cast<std::byte*>(mapHuge(m_bytes));
        m_mapped = m_data != nullptr;
        if (m_mapped) {
            poison(m_data + bytes, m_bytes - bytes);
        }
    }
    if (m_data == nullptr) {
        m_bytes = bytes;
        m_data = new std::byte[bytes == 0 ? 1 : bytes];
    }
}

LargeBlock::~LargeBlock() {
    release();
}

LargeBlock::LargeBlock(LargeBlock&& other) noexcept
    : m_data(other.m_data), m_bytes(other.m_bytes), m_mapped(other.m_mapped) {
    other.m_data = nullptr;
    other.m_bytes = 0;
}

LargeBlock& LargeBlock::operator=(LargeBlock&& other) noexcept {
    if (this != &other) {
        release();
        m_data = other.m_data;
        m_bytes = other.m_bytes;
        m_mapped = other.m_mapped;
        other.m_data = nullptr;
        other.m_bytes = 0;
    }
    return *this;
}

void LargeBlock::release() {
    if (m_data == nullptr) {
        return;
    }
    if (m_mapped) {
        unmapHuge(m_data, m_bytes);
    } else {
        delete[] m_data;
    }
    m_data = nullptr;
}

BlockPool::BlockPool(std::size_t blockBytes) : m_blockBytes((blockBytes + 15) & ~std::size_t{15}) {
    if (blockBytes == 0) {
        throw std::invalid_argument("BlockPool: blocks of 0 bytes");
    }
}

BlockPool::~BlockPool() {
    for (const Region& r : m_regions) {
        unmapHuge(r.base, r.bytes);
    }
}

std::byte* BlockPool::allocate() {
    if (m_left == 0 && (m_used < kSmallBytes || !newRegion())) {
        m_single.push_back(std::make_unique_for_overwrite<std::byte[]>(m_blockBytes));
        m_used += m_blockBytes;
        m_reserved += m_blockBytes;
        return m_single.back().get();
    }
    std::byte* block = m_next;
    unpoison(block, m_blockBytes);
    m_next += m_blockBytes;
    --m_left;
    m_used += m_blockBytes;
    return block;
}

bool BlockPool::newRegion() {
    // Twice the last region, at least one block, a whole number of huge pages.
    std::size_t bytes =
        m_regions.empty() ? kHugePage : std::min(2 * m_regions.back().bytes, kMaxRegion);
    bytes = std::max(bytes, wholeHugePages(m_blockBytes));
    m_regions.reserve(m_regions.size() + 1);  // no throw between the map and its record
    void* base = mapHuge(bytes);
    if (base == nullptr) {
        return false;
    }
    m_regions.push_back({base, bytes});
    m_reserved += bytes;
    poison(base, bytes);  // unpoisoned block by block as allocate() hands them out
    m_next = static_cast<std::byte*>(base);
    m_left = bytes / m_blockBytes;
    return true;
}

}  // namespace ckpt::core
