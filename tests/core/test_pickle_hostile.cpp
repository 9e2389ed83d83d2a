// Hostile and corrupt pickles: every failure is a CorruptDataError (or UnsupportedError) with an
// offset; nothing crashes, hangs, recurses without bound or allocates what the file cannot back.
#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_graph.h"
#include "core/pickle/value_printer.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;
using namespace std::string_literals;

namespace {

std::shared_ptr<const ByteSource> memory(const std::string& s) {
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    std::vector<std::byte> bytes(first, first + s.size());
    return std::make_shared<MemorySource>(std::move(bytes), "hostile");
}

std::string fixtureBytes(const char* name) {
    const auto src = FileSource::open(
        ckpt::test::fixture(QStringLiteral("pickle/%1.pkl").arg(name)).toStdString());
    const auto v = src->view();
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}

/// Loads the first pickle of `bytes`; returns the CorruptDataError's message ("" when it loaded).
std::string corruptMessage(const std::string& bytes, MachineOptions options = {}) {
    try {
        Machine m(memory(bytes), std::move(options));
        (void)m.load();
    } catch (const CorruptDataError& e) {
        return e.what();
    }
    return {};
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

}  // namespace

class TestPickleHostile : public QObject {
    Q_OBJECT

private slots:
    void truncationAtEveryOffset_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"graph_p0", "graph_p2", "graph_p5", "torch_state_dict", "numpy_p5",
                              "hand_py2_p0", "hand_p1", "ints_floats_p0", "dill_locks"}) {
            QTest::newRow(n) << QString(n);
        }
    }

    void truncationAtEveryOffset() {
        QFETCH(QString, name);
        const std::string full = fixtureBytes(qPrintable(name));
        for (std::size_t k = 0; k < full.size(); k += ckpt::test::kEveryByteStep) {
            Machine m(memory(full.substr(0, k)));
            try {
                (void)m.loadAll();
                QFAIL(qPrintable(QStringLiteral("a prefix of %1 bytes loaded").arg(k)));
            } catch (const CorruptDataError& e) {
                QVERIFY(e.context().offset.has_value());
                QVERIFY(*e.context().offset <= k);
                QCOMPARE(e.context().format, std::string("pickle"));
            }
        }
        Machine whole(memory(full));
        QVERIFY(whole.load().end == full.size());
    }

    void hugeClaimedLengths() {
        const std::string huge("\0\0\0\0\0\0\0\x40", 8);  // 2^62
        for (const char op : {'\x8d', '\x8e', '\x96'}) {
            const std::string msg = corruptMessage(std::string("\x80\x05", 2) + op + huge + "xyz.");
            QVERIFY2(msg.find("offset 2") != std::string::npos, msg.c_str());
        }
        const std::string frame = std::string("\x80\x04\x95", 3) + huge + "N.";
        QVERIFY(corruptMessage(frame).find("FRAME") != std::string::npos);
    }

    void memoAbuse() {
        QVERIFY(!corruptMessage("\x80\x02j\xff\xff\xff\xff.").empty());  // LONG_BINGET 2^32-1
        QVERIFY(!corruptMessage(std::string("\x80\x02Nr\xff\xff\xff\x7fh\x00.", 11)).empty());
        QVERIFY(!corruptMessage("Np99999999999\n.").empty());
        QVERIFY(corruptMessage("Nh\x05.").find("never stored") != std::string::npos);
        // MEMOIZE numbers by count, so a sparse memo makes it overwrite an index: a warning.
        Machine m(
            memory("\x80\x04Nq\x01"
                   "0K\x05\x94."));
        QCOMPARE(m.load().warnings.size(), std::size_t{1});
    }

    void deepNestingIsIterative() {
        constexpr std::size_t depth = 100'000;
        // EMPTY_LIST x N, APPEND x N: each list holds the next.
        const std::string lists = repeat("]", depth + 1) + repeat("a", depth) + ".";
        // The default depth limit (10,000) refuses it with a message naming the limit...
        const std::string refused = corruptMessage(lists);
        QVERIFY2(refused.find("limit depth=") != std::string::npos, refused.c_str());
        // ...and with the limit raised, the walk stays iterative (no stack overflow).
        MachineOptions deep;
        deep.limits.maxDepth = 1'000'000;
        Machine m(memory(lists), deep);
        const PickleInfo info = m.load();
        QCOMPARE(m.graph().reachable(info.root).size(), depth + 1);
        const std::string text = ValuePrinter(m.graph()).print(info.root);
        QVERIFY(text.size() < 200);
        QVERIFY(text.find("...") != std::string::npos);

        // MARK x N, LIST x N: nested through the mark stack.
        Machine marks(memory(repeat("(", depth) + repeat("l", depth) + "."), deep);
        QCOMPARE(marks.graph().size(), std::size_t{0});
        const PickleInfo mi = marks.load();
        QCOMPARE(marks.graph().reachable(mi.root).size(), depth);

        Machine tuples(memory(repeat("(", depth) + "N" + repeat("t", depth) + "."), deep);
        QVERIFY(tuples.load().warnings.empty());
    }

    void tooManyMarks() {
        MachineOptions o;
        o.limits.maxMarks = 1000;
        QVERIFY(corruptMessage(repeat("(", 1001) + "N.", o).find("MARK") != std::string::npos);
        QVERIFY(corruptMessage(repeat("(", 1000) + "N.", o).empty());
    }

    void valueLimit() {
        MachineOptions o;
        o.limits.maxValues = 10;
        QVERIFY(corruptMessage(fixtureBytes("graph_p4"), o).find("more than 10 values") !=
                std::string::npos);
    }

    void stackAndMarkErrors() {
        QVERIFY(corruptMessage(".").find("STOP: the stack is empty (offset 0)") !=
                std::string::npos);
        QVERIFY(!corruptMessage("(.").empty());         // nothing above the MARK
        QVERIFY(!corruptMessage("\x80\x02.").empty());  // STOP with an empty stack
        QVERIFY(corruptMessage("Nt.").find("MARK") != std::string::npos);  // TUPLE, no MARK
        QVERIFY(!corruptMessage("]Ne.").empty());                          // APPENDS without MARK
        QVERIFY(!corruptMessage("](Na.").empty());                         // APPEND below the fence
        QVERIFY(!corruptMessage("b.").empty());                            // BUILD on nothing
        QVERIFY(!corruptMessage("}b.").empty());  // BUILD with a state but no object
        QVERIFY(corruptMessage("N}b.").find("state of a none") != std::string::npos);
        QVERIFY(!corruptMessage("]}b.").empty());             // a plain list has no __dict__
        QVERIFY(!corruptMessage("0.").empty());               // POP on nothing
        QVERIFY(!corruptMessage("1.").empty());               // POP_MARK without MARK
        QVERIFY(!corruptMessage("2.").empty());               // DUP on nothing
        QVERIFY(!corruptMessage("NR.").empty());              // REDUCE needs two values
        QVERIFY(!corruptMessage("\x80\x02N\x81.").empty());   // NEWOBJ needs two values
        QVERIFY(!corruptMessage("\x80\x04NN\x92.").empty());  // NEWOBJ_EX needs three
        QVERIFY(!corruptMessage("Q.").empty());               // BINPERSID on nothing
    }

    void typeErrors() {
        QVERIFY(corruptMessage("(NNNd.").find("odd") != std::string::npos);
        QVERIFY(corruptMessage("}(Nu.").find("odd") != std::string::npos);
        QVERIFY(corruptMessage(")Na.").find("tuple") != std::string::npos);
        QVERIFY(corruptMessage("\x80\x04}(N\x90.").find("dict") != std::string::npos);
        QVERIFY(!corruptMessage(std::string("\x80\x02\x82\x00.", 5)).empty());  // EXT1 0
        QVERIFY(!corruptMessage("\x80\x02\x84\xff\xff\xff\xff.").empty());      // EXT4 -1
        QVERIFY(corruptMessage("(o.").find("OBJ") != std::string::npos);
        QVERIFY(corruptMessage("\x80\x04K\x01K\x02\x93.").find("STACK_GLOBAL") !=
                std::string::npos);
        QVERIFY(!corruptMessage("I0x\n.").empty());
        QVERIFY(!corruptMessage("I017\n.").empty());  // int('017', 0) fails in Python 3
        QVERIFY(!corruptMessage("Ffoo\n.").empty());
        QVERIFY(!corruptMessage("Sabc\n.").empty());  // STRING must be quoted
        QVERIFY(!corruptMessage("S'\\x4'\n.").empty());
        QVERIFY(!corruptMessage("V\\u12\n.").empty());
        QVERIFY(!corruptMessage("I" + std::string(4301, '7') + "\n.").empty());  // CPython limit
        QVERIFY(corruptMessage("I" + std::string(4300, '7') + "\n.").empty());
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, Machine(memory("\x80\x06N.")).load());
    }

    void unknownOpcodesAndOnlyProto() {
        QVERIFY(corruptMessage("\x80\x02\xff.").find("unknown pickle opcode 0xff (offset 2)") !=
                std::string::npos);
        QVERIFY(corruptMessage("\x80\x02").find("without a STOP") != std::string::npos);
        QVERIFY(!corruptMessage("").empty());
    }

    void exponentialSharingStaysBounded() {
        // 60 levels of [x, x]: 2^60 leaves when expanded, 61 nodes in the graph.
        std::string p("\x80\x02Nq\x00", 5);
        for (int i = 0; i < 60; ++i) {
            p += std::string("(h\x00h\x00lq\x00", 8);
        }
        p += ".";
        Machine m(memory(p));
        QElapsedTimer timer;
        timer.start();
        const PickleInfo info = m.load();
        QCOMPARE(m.graph().reachable(info.root).size(), std::size_t{61});
        PrintOptions o;
        o.maxDepth = 1000;
        const std::string text = ValuePrinter(m.graph(), o).print(info.root);
        QVERIFY(text.size() < o.maxChars + 100);
        QVERIFY(timer.elapsed() < 5000);
        QVERIFY(info.warnings.size() <= m.options().limits.maxWarnings + 1);
    }

    void hugeIntegers() {
        // LONG4 of 100 KB: kept as a range, printed as a size.
        std::string p = "\x80\x02\x8b";
        const std::uint32_t n = 100'000;
        p.append(reinterpret_cast<const char*>(&n), 4);
        p += std::string(n, '\x7f') + ".";
        Machine m(memory(p));
        const PickleInfo info = m.load();
        QCOMPARE(m.graph()[info.root].kind, ValueKind::BigInt);
        QCOMPARE(m.graph()[info.root].range.length, std::uint64_t{n});
        QCOMPARE(ValuePrinter(m.graph()).print(info.root), std::string("<int of 100000 bytes>"));
    }

    void cancellation() {
        MachineOptions o;
        o.progress = [](std::uint64_t, std::uint64_t) { return false; };
        Machine m(memory(repeat("]", 100'001) + repeat("a", 100'000) + "."), o);
        QVERIFY_THROWS_EXCEPTION(CancelledError, m.load());
    }

    void nestedLoadsStopAtTheLimit() {
        // pickle.loads(pickle.loads(... (1) ...)): the registry opens files nested up to
        // kMaxNestedFiles deep and refuses the next one with a warning, never recursing on. One
        // pickle stream per file opened.
        const auto nested = [](int depth) {
            std::string p = "\x80\x03K\x01."s;
            for (int i = 0; i < depth; ++i) {
                std::string len(4, '\0');
                for (int b = 0; b < 4; ++b) {
                    len[b] = static_cast<char>((p.size() >> (8 * b)) & 0xff);
                }
                p = "\x80\x03"s + "cpickle\nloads\nB" + len + p + "\x85R.";
            }
            return openCheckpoint(memory(p), "nested.pkl");
        };
        QCOMPARE(nested(2)->pickleStreams().size(), std::size_t{3});
        QCOMPARE(nested(kMaxNestedFiles)->pickleStreams().size(), std::size_t(1 + kMaxNestedFiles));
        QCOMPARE(nested(6)->pickleStreams().size(), std::size_t(1 + kMaxNestedFiles));
        // The refusal reaches the top, through each level that was opened.
        const auto deep = nested(6);
        QCOMPARE(deep->warnings().size(), std::size_t{1});
        QVERIFY2(deep->warnings()[0].find("files nested more than 3 deep") != std::string::npos,
                 deep->warnings()[0].c_str());
        QVERIFY(nested(kMaxNestedFiles)->warnings().empty());
        // ... and the validator says that part was not checked (CKPT-S010), not "clean".
        QCOMPARE(deep->uncheckedParts().size(), std::size_t{1});
        const auto report = validateCheckpoint(*deep, {});
        QVERIFY(std::any_of(report.findings.begin(), report.findings.end(),
                            [](const Finding& f) { return f.rule == "CKPT-S010"; }));
        QVERIFY(nested(kMaxNestedFiles)->uncheckedParts().empty());
    }

    void randomMutations_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"graph_p0", "graph_p2", "graph_p4", "torch_state_dict", "numpy_p2",
                              "hand_py2_p0", "dill_locks", "concat", "joblib_arrays"}) {
            QTest::newRow(n) << QString(n);
        }
    }

    void randomMutations() {
        QFETCH(QString, name);
        const std::string original = fixtureBytes(qPrintable(name));
        std::mt19937 rng(12345);
        int loaded = 0;
        // 1,500 mutants per sample (fewer left joblib_arrays with no mutant that loads).
        const int rounds = 1500;
        for (int round = 0; round < rounds; ++round) {
            std::string p = original;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits && !p.empty(); ++e) {
                const std::size_t at = rng() % p.size();
                switch (rng() % 4) {
                    case 0:
                        p[at] = static_cast<char>(rng());
                        break;
                    case 1:
                        p.erase(at, 1 + rng() % 8);
                        break;
                    case 2:
                        p.insert(at, 1, static_cast<char>(rng()));
                        break;
                    default:
                        p[at] = static_cast<char>(p[at] ^ (1 << (rng() % 8)));
                        break;
                }
            }
            try {
                Machine m(memory(p));
                const LoadResult r = m.loadAll();
                for (const PickleInfo& info : r.pickles) {
                    (void)ValuePrinter(m.graph()).print(info.root);
                    (void)m.graph().reachable(info.root);
                }
                ++loaded;
            } catch (const CorruptDataError&) {
            } catch (const UnsupportedError&) {
            }
        }
        QVERIFY(loaded > 0);
    }
};

QTEST_GUILESS_MAIN(TestPickleHostile)
#include "test_pickle_hostile.moc"
