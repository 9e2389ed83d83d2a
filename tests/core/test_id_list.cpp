// The compact lists of the value graph (core/pickle/id_list.h): contents survive growth, blocks
// are reused, long lists work, and a graph of many small objects stays small per value.
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/io/byte_source.h"
#include "core/pickle/id_list.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_graph.h"
#include "core/util/block_pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define CKPT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CKPT_TEST_ASAN 1
#endif
#endif
#if defined(CKPT_TEST_ASAN)
#include <sanitizer/asan_interface.h>
#endif

using namespace ckpt::core;
using namespace ckpt::core::pickle;
using namespace std::string_literals;

namespace {
std::vector<ValueId> toVector(const IdList<ValueId>& l) {
    return {l.begin(), l.end()};
}

/// A protocol-2 pickle of a list of `n` dicts {'id': i, 'v': float(i)} (keys memoized), in
/// one APPENDS, or (`batch` > 0) in APPENDS of `batch` items as pickle.dumps writes them.
std::string manyDicts(std::uint32_t n, std::uint32_t batch = 0) {
    std::string p = "\x80\x02]q\x00("s;
    for (std::uint32_t i = 0; i < n; ++i) {
        if (batch > 0 && i > 0 && i % batch == 0) {
            p += "e(";
        }
        p += "}(";
        if (i == 0) {
            p += "X\x02\x00\x00\x00idq\x01"s;
        } else {
            p += "h\x01";
        }
        p += 'J';
        for (int b = 0; b < 4; ++b) {
            p += static_cast<char>((i >> (8 * b)) & 0xff);
        }
        if (i == 0) {
            p += "X\x01\x00\x00\x00vq\x02"s;
        } else {
            p += "h\x02";
        }
        p += "G";
        p += std::string(8, '\0');  // 0.0, big-endian
        p += "u";
    }
    p += "e.";
    return p;
}
}  // namespace

class TestIdList : public QObject {
    Q_OBJECT
private slots:
    void growthKeepsContents() {
        ListArena arena;
        IdList<ValueId> a;
        IdList<ValueId> b;
        std::vector<ValueId> wantA;
        std::vector<ValueId> wantB;
        // Two lists growing in turn: each growth frees a block the other may take next.
        for (ValueId i = 0; i < 5000; ++i) {
            arena.append(a, std::span<const ValueId>(&i, 1));
            wantA.push_back(i);
            const std::vector<ValueId> two{i * 2, i * 2 + 1};
            arena.append(b, std::span<const ValueId>(two));
            wantB.insert(wantB.end(), two.begin(), two.end());
        }
        QCOMPARE(toVector(a), wantA);
        QCOMPARE(toVector(b), wantB);
        QCOMPARE(a.front(), ValueId{0});
        QCOMPARE(b.back(), ValueId{9999});
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, (void)a.at(5000));
    }

    void emptyListHasNoBlock() {
        ListArena arena;
        IdList<ValueId> a;
        arena.append(a, std::span<const ValueId>());
        QVERIFY(a.empty());
        QCOMPARE(a.begin(), a.end());
        QCOMPARE(arena.reservedBytes(), std::size_t{0});
    }

    void pairsAndLongLists() {
        ListArena arena;
        IdList<ValueEntry> e;
        std::vector<ValueEntry> want;
        for (ValueId i = 0; i < 100'000; ++i) {  // 800 KB: past a chunk, in a block of its own
            const ValueEntry p{i, ~i};
            arena.append(e, std::span<const ValueEntry>(&p, 1));
            want.push_back(p);
        }
        QCOMPARE(std::vector<ValueEntry>(e.begin(), e.end()), want);
        // Reversed iteration (used when printing the innermost members first).
        QCOMPARE(e.rbegin()->first, ValueId{99'999});
    }

    void largeBlocksAreReturned() {
        // A list growing one item at a time to 2^20 items moves through blocks of 2, 4, ...,
        // 2^20 elements; those too large for the shared chunks go back to the system when
        // left (the last one, 4 MiB, stays), not onto a free list.
        ListArena arena;
        IdList<ValueId> l;
        for (ValueId i = 0; i < (1U << 20); ++i) {
            arena.append(l, std::span<const ValueId>(&i, 1));
        }
        QCOMPARE(l.size(), std::size_t{1} << 20);
        QCOMPARE(l.back(), ValueId{(1U << 20) - 1});
        QVERIFY2(arena.reservedBytes() < (std::size_t{4} << 20) + (std::size_t{2} << 20),
                 qPrintable(QString::number(arena.reservedBytes())));
        arena.clear(l);
        QVERIFY(l.empty());
        QVERIFY2(arena.reservedBytes() <= std::size_t{1} << 20,
                 qPrintable(QString::number(arena.reservedBytes())));
    }

    void smallListsReuseFreedBlocks() {
        ListArena arena;
        std::vector<IdList<ValueId>> lists(100'000);
        const ValueId three[] = {1, 2, 3};
        for (auto& l : lists) {
            // 1, then 2 more: the 2-element block is freed and taken by the next list.
            arena.append(l, std::span<const ValueId>(three, 1));
            arena.append(l, std::span<const ValueId>(three + 1, 2));
        }
        for (const auto& l : lists) {
            QCOMPARE(toVector(l), (std::vector<ValueId>{1, 2, 3}));
        }
        // 100,000 blocks of 8 + 4 * 4 bytes (2.4 MB), plus at most one freed block each class.
        QVERIFY2(arena.reservedBytes() <= 3u * 1024 * 1024,
                 qPrintable(QString::number(arena.reservedBytes())));
    }

    void manySmallObjectsStaySmall() {
        // Issue 15: every small object used to cost three heap vectors; the graph's own memory
        // per value is now its node plus arena space for its lists.
        constexpr std::uint32_t kRows = 100'000;
        const std::string bytes = manyDicts(kRows);
        auto source = std::make_shared<MemorySource>(
            std::vector<std::byte>(reinterpret_cast<const std::byte*>(bytes.data()),
                                   reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size()),
            "many_dicts.pkl");
        Machine machine(source);
        const LoadResult result = machine.loadAll();
        const ValueGraph& g = machine.graph();
        const auto& rows = g[result.pickles.front().root].items;
        QCOMPARE(rows.size(), std::size_t{kRows});
        const Value& last = g[rows.back()];
        QCOMPARE(last.kind, ValueKind::Dict);
        QCOMPARE(last.entries.size(), std::size_t{2});
        QCOMPARE(g[last.entries[0].second].integer, std::int64_t{kRows - 1});
        // Per row: the dict's 8-byte entry and 24-byte slot, the int and the float as 8-byte
        // compact entries (decoded from their opcodes), and one exact 2-pair entry block
        // (8 + 2 * 8 bytes): 72 bytes; plus the root list's 4 bytes per row and the list
        // chunks' slack (under 1 MB).
        const double perRow = static_cast<double>(g.memoryBytes()) / kRows;
        QVERIFY2(perRow < 8 + 24 + 2 * 8 + 24 + 16, qPrintable(QString::number(perRow)));
    }

    void prunedDictsGiveTheirSlotsBack() {
        // Validation drops the entries of dicts of scalars appended to a list (pruneScalarDicts);
        // the dict's slot goes too (its entry alone says "pruned dict"), and the next dicts take
        // the freed slots: per row only the three 8-byte entries and the list's 4 bytes remain
        // (plus the arena's 1 MiB list chunk, 3.5 bytes a row here; a slot each would add 24).
        constexpr std::uint32_t kRows = 300'000;
        const std::string bytes = manyDicts(kRows, 1000);
        auto source = std::make_shared<MemorySource>(
            std::vector<std::byte>(reinterpret_cast<const std::byte*>(bytes.data()),
                                   reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size()),
            "many_dicts.pkl");
        MachineOptions options;
        options.pruneScalarDicts = true;
        Machine machine(source, options);
        const LoadResult result = machine.loadAll();
        const ValueGraph& g = machine.graph();
        const ValueId root = result.pickles.front().root;
        const auto& rows = g.items(root);
        QCOMPARE(rows.size(), std::size_t{kRows});
        for (const ValueId row : {rows.front(), rows[kRows / 2], rows.back()}) {
            const Value v = g[row];
            QCOMPARE(v.kind, ValueKind::Dict);
            QVERIFY(v.has(ValueFlag::Pruned));
            QVERIFY(v.entries.empty());
            QCOMPARE(bytes[v.offset], '}');  // its EMPTY_DICT opcode
            QCOMPARE(g.depth(row), std::uint32_t{1});
        }
        QCOMPARE(g.depth(root), std::uint32_t{2});
        const double perRow = static_cast<double>(g.memoryBytes()) / kRows;
        QVERIFY2(perRow < 3 * 8 + 4 + 8, qPrintable(QString::number(perRow)));
    }

    void zeroedArraysStartAtZero() {
        // Small ones are zeroed by hand, large ones (2 MiB and up) are fresh mappings.
        for (const std::size_t n : {std::size_t{0}, std::size_t{1000}, std::size_t{3} << 20}) {
            ZeroedArray<std::uint32_t> a(n);
            QCOMPARE(a.size(), n);
            std::size_t nonZero = 0;
            for (const std::uint32_t v : a) {
                nonZero += v != 0 ? 1 : 0;
            }
            QCOMPARE(nonZero, std::size_t{0});
            if (n > 0) {
                a[n - 1] = 7;
                QCOMPARE(a[n - 1], std::uint32_t{7});
            }
        }
        QVERIFY_THROWS_EXCEPTION(std::bad_alloc, (void)ZeroedArray<std::uint64_t>(SIZE_MAX / 4));
    }

    void blockPoolBlocksAreDistinctAndAligned() {
        // Past BlockPool::kSmallBytes the blocks come from huge-page regions: every block is
        // still its own, writable to its last byte, 16-byte aligned.
        constexpr std::size_t kBlock = 24 * 1024;
        BlockPool pool(kBlock);
        const std::size_t count = 3 * BlockPool::kSmallBytes / kBlock + 7;
        std::vector<std::byte*> blocks;
        for (std::size_t i = 0; i < count; ++i) {
            std::byte* b = pool.allocate();
            QVERIFY(reinterpret_cast<std::uintptr_t>(b) % 16 == 0);
            std::memset(b, static_cast<int>(i & 0xff), kBlock);
            blocks.push_back(b);
        }
        for (std::size_t i = 0; i < count; ++i) {
            const auto want = static_cast<std::byte>(i & 0xff);
            QCOMPARE(blocks[i][0], want);
            QCOMPARE(blocks[i][kBlock - 1], want);
        }
#if defined(CKPT_TEST_ASAN)
        // A region has no redzones: what is not handed out yet stays poisoned, so that
        // AddressSanitizer still reports a write past the last block.
        QVERIFY(__asan_address_is_poisoned(blocks.back() + kBlock));
        QVERIFY(!__asan_address_is_poisoned(blocks.back() + kBlock - 1));
#endif
        QCOMPARE(pool.usedBytes(), count * kBlock);
        QVERIFY(pool.reservedBytes() >= pool.usedBytes());
        QVERIFY(pool.reservedBytes() < pool.usedBytes() + (std::size_t{8} << 20));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, (void)BlockPool(0));
    }
};

QTEST_APPLESS_MAIN(TestIdList)
#include "test_id_list.moc"
