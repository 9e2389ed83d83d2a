// The symbolic machine on real pickles: the graphs of every protocol, memo sharing, cycles,
// Python 2 names, bytes, big ints, numpy, torch, dill, concatenated pickles.
#include <QFile>
#include <QTest>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_printer.h"
#include "core/util/error.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;

namespace {

std::shared_ptr<const ByteSource> fixtureSource(const char* name) {
    return FileSource::open(
        ckpt::test::fixture(QStringLiteral("pickle/%1.pkl").arg(name)).toStdString());
}

std::shared_ptr<const ByteSource> memory(const std::string& s) {
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    std::vector<std::byte> bytes(first, first + s.size());
    return std::make_shared<MemorySource>(std::move(bytes), "test");
}

/// Loads the single pickle of a fixture; the machine stays alive for graph().
struct Loaded {
    std::unique_ptr<Machine> machine;
    PickleInfo info;
    [[nodiscard]] const ValueGraph& g() const { return machine->graph(); }
    [[nodiscard]] ValueId root() const { return info.root; }
    [[nodiscard]] ValueId get(std::string_view key) const {
        const auto v = dictGet(g(), info.root, key);
        return v ? *v : kNoValue;
    }
    [[nodiscard]] std::string print(ValueId id) const { return ValuePrinter(g()).print(id); }
};

Loaded loadFixture(const char* name, MachineOptions options = {}) {
    Loaded l;
    l.machine = std::make_unique<Machine>(fixtureSource(name), std::move(options));
    l.info = l.machine->load();
    return l;
}

/// Items of a set, whether pickled as EMPTY_SET/ADDITEMS, FROZENSET or `builtins.set([...])`.
std::vector<ValueId> setItems(const ValueGraph& g, ValueId id) {
    const Value& v = g[id];
    if (v.kind == ValueKind::Set || v.kind == ValueKind::FrozenSet) {
        return {v.items.begin(), v.items.end()};
    }
    const auto* args = sequenceItems(g, v.args);
    if (v.kind == ValueKind::Call && args != nullptr && args->size() == 1) {
        const auto& items = g[(*args)[0]].items;
        return {items.begin(), items.end()};
    }
    return {};
}

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
}

}  // namespace

class TestPickleMachine : public QObject {
    Q_OBJECT

private slots:
    void sameGraphAtEveryProtocol_data() {
        QTest::addColumn<int>("protocol");
        for (int p = 0; p <= 5; ++p) {
            QTest::newRow(qPrintable(QStringLiteral("protocol %1").arg(p))) << p;
        }
    }

    void sameGraphAtEveryProtocol() {
        QFETCH(int, protocol);
        const std::string name = "graph_p" + std::to_string(protocol);
        const Loaded l = loadFixture(name.c_str());
        const ValueGraph& g = l.g();
        QCOMPARE(l.info.protocol, protocol < 2 ? 0 : protocol);
        QCOMPARE(g[l.root()].kind, ValueKind::Dict);
        QCOMPARE(g[l.get("none")].kind, ValueKind::None);
        QCOMPARE(g[l.get("true")].kind, ValueKind::Bool);
        QCOMPARE(asInt(g, l.get("true")), std::optional<std::int64_t>(1));
        QCOMPARE(asInt(g, l.get("false")), std::optional<std::int64_t>(0));
        QCOMPARE(asInt(g, l.get("int")), std::optional<std::int64_t>(42));
        QCOMPARE(asInt(g, l.get("neg")), std::optional<std::int64_t>(-7));
        QCOMPARE(asInt(g, l.get("i16")), std::optional<std::int64_t>(1000));
        QCOMPARE(asInt(g, l.get("i32")), std::optional<std::int64_t>(-100000));
        QCOMPARE(asInt(g, l.get("i64")), std::optional<std::int64_t>(std::int64_t{1} << 40));
        QCOMPARE(g[l.get("big")].kind, ValueKind::BigInt);
        QCOMPARE(l.print(l.get("big")), std::string("1267650600228229401496703205376"));
        QCOMPARE(l.print(l.get("negbig")), std::string("-1180591620717411303424"));
        QCOMPARE(asDouble(g, l.get("float")), std::optional<double>(1.5));
        QCOMPARE(asDouble(g, l.get("negfloat")), std::optional<double>(-0.1));
        QCOMPARE(asStr(g, l.get("str")),
                 std::optional<std::string_view>("h\xc3\xa9llo \xe2\x9c\x93"));
        QCOMPARE(asBytes(g, l.get("bytes")),
                 std::optional<std::string>(std::string("\0\1ab\xff", 5)));
        QCOMPARE(l.print(l.get("list")), std::string("[1, 'a']"));
        QCOMPARE(l.print(l.get("tuple5")), std::string("(1, 2, 3, 4, 5)"));
        QCOMPARE(l.print(l.get("empty_tuple")), std::string("()"));
        const auto set = setItems(g, l.get("set"));
        QCOMPARE(set.size(), std::size_t{2});
        QCOMPARE(asInt(g, set[1]), std::optional<std::int64_t>(2));
        QCOMPARE(setItems(g, l.get("frozenset")).size(), std::size_t{1});

        // One list reached three ways is one node.
        const ValueId shared = l.get("shared1");
        QCOMPARE(l.get("shared2"), shared);
        const ValueId inner = *dictGet(g, *dictGet(g, l.get("nested"), "a"), "b");
        QCOMPARE(g[inner].items.at(0), shared);
        QCOMPARE(l.print(shared), std::string("[1, 2, 3]"));

        // OrderedDict: REDUCE with no arguments, then SETITEMS on the call's result.
        const ValueId od = l.get("od");
        QCOMPARE(calleeName(g, od)->qualified(), std::string("collections.OrderedDict"));
        QCOMPARE(asInt(g, *dictGet(g, od, "x")), std::optional<std::int64_t>(1));
        QCOMPARE(l.print(od), std::string("collections.OrderedDict()+{'x': 1}"));
    }

    void protocolsPrintAlike() {
        // Protocols 0-2 spell bytes and sets the same way; so do 4 and 5.
        auto printRoot = [](const char* n) {
            const Loaded l = loadFixture(n);
            return l.print(l.root());
        };
        QCOMPARE(printRoot("graph_p1"), printRoot("graph_p0"));
        QCOMPARE(printRoot("graph_p2"), printRoot("graph_p0"));
        QCOMPARE(printRoot("graph_p5"), printRoot("graph_p4"));
        QVERIFY(printRoot("graph_p2").find("_codecs.encode('\\x00\\x01ab\xc3\xbf', 'latin1')") !=
                std::string::npos);
        QVERIFY(printRoot("graph_p4").find("'set': {1, 2}, 'frozenset': frozenset({3})") !=
                std::string::npos);
    }

    void recursiveStructuresAreCycles_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"recursive_p0", "recursive_p2", "recursive_p4"}) {
            QTest::newRow(n) << QString(n);
        }
    }

    void recursiveStructuresAreCycles() {
        QFETCH(QString, name);
        const Loaded l = loadFixture(qPrintable(name));
        const ValueId list = l.get("list");
        QCOMPARE(l.g()[list].items.at(1), list);
        const ValueId dict = l.get("dict");
        QCOMPARE(*dictGet(l.g(), dict, "self"), dict);
        QCOMPARE(l.print(l.root()),
                 std::string("{'list': [1, <cycle>], 'dict': {'self': <cycle>}}"));
        QCOMPARE(l.g().reachable(l.root()).size(), std::size_t{7});
    }

    void python2NamesAreMapped_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("protocol 0") << "py2names_p0";
        QTest::newRow("protocol 2") << "py2names_p2";
    }

    void python2NamesAreMapped() {
        QFETCH(QString, name);
        const Loaded l = loadFixture(qPrintable(name));
        const ValueGraph& g = l.g();
        const char* expected[][4] = {
            {"builtins", "range", "__builtin__", "xrange"},
            {"functools", "reduce", "__builtin__", "reduce"},
            {"builtins", "ValueError", "exceptions", "ValueError"},
            {"collections", "UserDict", "UserDict", "IterableUserDict"},
            {"subprocess", "Popen", "commands", "Popen"},
            {"queue", "Queue", "Queue", "Queue"},
            {"builtins", "getattr", "__builtin__", "getattr"},
            {"copyreg", "_reconstructor", "copy_reg", "_reconstructor"},
            {"_thread", "allocate_lock", "thread", "allocate_lock"},
            {"builtins", "bytes", "__builtin__", "bytes"},
        };
        const auto& items = g[l.root()].items;
        QCOMPARE(items.size(), std::size(expected));
        for (std::size_t i = 0; i < items.size(); ++i) {
            const Value& v = g[items[i]];
            QCOMPARE(v.kind, ValueKind::Global);
            QVERIFY(v.has(Renamed));
            QVERIFY(v.has(RenameApplies));
            const GlobalName n = g.global(items[i]);
            QCOMPARE(n.module, std::string_view(expected[i][0]));
            QCOMPARE(n.name, std::string_view(expected[i][1]));
            QCOMPARE(n.originalModule, std::string_view(expected[i][2]));
            QCOMPARE(n.originalName, std::string_view(expected[i][3]));
        }
        PrintOptions o;
        o.showOriginalNames = true;
        QVERIFY(ValuePrinter(g, o).print(items[0]) == "builtins.range (was __builtin__.xrange)");
    }

    void renamingAtProtocol4IsMarkedAsNotApplied() {
        // STACK_GLOBAL '__builtin__' 'eval' at protocol 4: CPython would not rename (and fail), a
        // scanner still sees builtins.eval.
        static const char raw[] =
            "\x80\x04\x8c\x0b__builtin__\x8c\x04"
            "eval\x93.";
        Machine m(memory(std::string(raw, sizeof raw - 1)));
        const PickleInfo info = m.load();
        const Value& v = m.graph()[info.root];
        QVERIFY(v.has(Renamed) && v.has(ViaStackGlobal) && !v.has(RenameApplies));
        QCOMPARE(m.graph().global(info.root).qualified(), std::string("builtins.eval"));
        QCOMPARE(v.offset, std::uint64_t{21});
    }

    void bytesAtProtocol2() {
        const Loaded l = loadFixture("bytes_p2");
        const auto& items = l.g()[l.root()].items;
        QCOMPARE(items.size(), std::size_t{3});
        QCOMPARE(asBytes(l.g(), items[0]),
                 std::optional<std::string>(std::string("\0\1ab\x80\xff", 6) +
                                            std::string("\0\1ab\x80\xff", 6) +
                                            std::string("\0\1ab\x80\xff", 6)));
        QCOMPARE(asBytes(l.g(), items[1]), std::optional<std::string>(std::string()));
        QCOMPARE(asBytes(l.g(), items[2]), std::optional<std::string>(std::string("\xfe\0z", 3)));
    }

    void intsAndFloatsPrintAsPython_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"ints_floats_p0", "ints_floats_p2", "ints_floats_p4"}) {
            QTest::newRow(n) << QString(n);
        }
    }

    void intsAndFloatsPrintAsPython() {
        QFETCH(QString, name);
        const Loaded l = loadFixture(qPrintable(name));
        const QString expected = readText(ckpt::test::fixture("pickle/" + name + ".repr"));
        QVERIFY(!expected.isEmpty());
        PrintOptions o;
        o.maxItems = 1000;
        QCOMPARE(QString::fromStdString(ValuePrinter(l.g(), o).print(l.root())), expected);
    }

    void handWrittenProtocol0() {
        const Loaded l = loadFixture("hand_py2_p0");
        const ValueGraph& g = l.g();
        const auto& it = g[l.root()].items;
        QCOMPARE(it.size(), std::size_t{13});
        QCOMPARE(g[it[1]].kind, ValueKind::Bool);
        QCOMPARE(l.print(it[2]), std::string("123456789012345678901234567890"));
        QCOMPARE(asDouble(g, it[3]), std::optional<double>(-2.5));
        QCOMPARE(asStr(g, it[4]), std::optional<std::string_view>("it's A\n"));
        QVERIFY(g[it[4]].has(Py2String));
        QCOMPARE(asStr(g, it[5]), std::optional<std::string_view>("caf\xc3\xa9 \xe2\x9c\x93"));
        QCOMPARE(it[6], it[4]);  // GET 1
        QCOMPARE(l.print(it[7]), std::string("{'k': 1}"));
        QCOMPARE(l.print(it[8]), std::string("(1, 2)"));
        QCOMPARE(g[it[9]].origin, ObjectOrigin::Inst);
        QCOMPARE(l.print(it[9]), std::string("argparse.Namespace().__setstate__({'alpha': 3})"));
        QCOMPARE(l.print(it[10]), std::string("<persid 'storage_key'>"));
        QCOMPARE(asInt(g, it[11]), std::optional<std::int64_t>(9));
        QCOMPARE(l.print(it[12]), std::string("builtins.set([5, 6])"));
    }

    void handWrittenProtocol1() {
        const Loaded l = loadFixture("hand_p1");
        const ValueGraph& g = l.g();
        const auto& it = g[l.root()].items;
        QCOMPARE(it.size(), std::size_t{8});
        QCOMPARE(g[it[1]].kind, ValueKind::Str);
        QCOMPARE(g[it[2]].kind, ValueKind::Bytes);  // a non-ASCII Python 2 str
        QVERIFY(g[it[2]].has(Py2String));
        QCOMPARE(g[it[3]].origin, ObjectOrigin::Obj);
        QCOMPARE(l.print(it[3]), std::string("fractions.Fraction(1, 2)"));
        QCOMPARE(l.print(it[4]), std::string("<persid 'id'>"));
        QCOMPARE(asDouble(g, it[5]), std::optional<double>(3.141592653589793));
        QCOMPARE(asInt(g, it[6]), std::optional<std::int64_t>(-1));
        QCOMPARE(asInt(g, it[7]), std::optional<std::int64_t>(1000));
    }

    void extensionCodes() {
        const Loaded l = loadFixture("extensions_p2");
        QCOMPARE(l.print(l.root()),
                 std::string("[<extension 240>, <extension 700>, <extension 70000>]"));
    }

    void numpyArrays_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"numpy_p2", "numpy_p4", "numpy_p5"}) {
            QTest::newRow(n) << QString(n);
        }
    }

    void numpyArrays() {
        QFETCH(QString, name);
        const Loaded l = loadFixture(qPrintable(name));
        const ValueGraph& g = l.g();
        const ValueId f32 = l.get("f32");
        const auto callee = calleeName(g, f32);
        QVERIFY(callee);
        std::string data;
        if (name == "numpy_p5") {
            QCOMPARE(callee->qualified(), std::string("numpy.core.numeric._frombuffer"));
            const auto& args = *sequenceItems(g, g[f32].args);
            QCOMPARE(g[args[0]].kind, ValueKind::ByteArray);
            data = *asBytes(g, args[0]);
            QCOMPARE(l.print(args[2]), std::string("(2, 3)"));
            QCOMPARE(asStr(g, (*sequenceItems(g, g[l.get("i64f")].args))[3]),
                     std::optional<std::string_view>("F"));
        } else {
            QCOMPARE(callee->qualified(), std::string("numpy.core.multiarray._reconstruct"));
            QCOMPARE(g[f32].states.size(), std::size_t{1});
            const auto& state = *sequenceItems(g, g[f32].states[0]);
            QCOMPARE(l.print(state[1]), std::string("(2, 3)"));
            QCOMPARE(calleeName(g, state[2])->qualified(), std::string("numpy.dtype"));
            data = *asBytes(g, state[4]);
            const auto& fstate = *sequenceItems(g, g[l.get("i64f")].states[0]);
            QCOMPARE(asInt(g, fstate[3]), std::optional<std::int64_t>(1));  // is_fortran
        }
        QCOMPARE(data.size(), std::size_t{24});
        float values[6];
        std::memcpy(values, data.data(), sizeof values);
        QCOMPARE(values[5], 5.0f);
        QCOMPARE(calleeName(g, l.get("scalar"))->qualified(),
                 std::string("numpy.core.multiarray.scalar"));
    }

    void numpyOutOfBandBuffer() {
        const Loaded l = loadFixture("numpy_p5_oob");
        const auto& args = *sequenceItems(l.g(), l.g()[l.root()].args);
        QCOMPARE(l.g()[args[0]].kind, ValueKind::Buffer);
        QCOMPARE(l.print(args[0]), std::string("<buffer #0>"));
        Machine m(memory("\x80\x05\x97\x98\x97\x86."));
        QCOMPARE(ValuePrinter(m.graph()).print(m.load().root),
                 std::string("(<readonly buffer #0>, <buffer #1>)"));
    }

    void torchStateDict() {
        const Loaded l = loadFixture("torch_state_dict");
        const ValueGraph& g = l.g();
        QCOMPARE(l.info.protocol, 2);
        QCOMPARE(calleeName(g, l.root())->qualified(), std::string("collections.OrderedDict"));
        const auto& entries = g[l.root()].entries;
        QCOMPARE(entries.size(), std::size_t{7});
        QCOMPARE(asStr(g, entries[0].first), std::optional<std::string_view>("0.weight"));
        QCOMPARE(asStr(g, entries[6].first),
                 std::optional<std::string_view>("1.num_batches_tracked"));
        const ValueId w = entries[0].second;
        QCOMPARE(calleeName(g, w)->qualified(), std::string("torch._utils._rebuild_tensor_v2"));
        QCOMPARE(l.print(w), std::string("torch._utils._rebuild_tensor_v2(<persid ('storage', "
                                         "torch.FloatStorage, '0', 'cpu', 6)>, 0, (2, 3), (3, 1), "
                                         "False, collections.OrderedDict())"));
        const auto& args = *sequenceItems(g, g[w].args);
        QCOMPARE(g[args[0]].kind, ValueKind::PersistentRef);
        // BUILD gives the OrderedDict its _metadata attribute.
        QCOMPARE(g[l.root()].states.size(), std::size_t{1});
        QVERIFY(dictGet(g, g[l.root()].states[0], "_metadata"));
        // Globals and calls carry their opcode offsets.
        QVERIFY(g[g[w].func].offset > 0 && g[w].offset > g[g[w].func].offset);
    }

    void concatenatedPickles() {
        Machine m(fixtureSource("concat"));
        const LoadResult r = m.loadAll();
        QCOMPARE(r.pickles.size(), std::size_t{3});
        QVERIFY(!r.trailing);
        QCOMPARE(r.pickles[0].begin, std::uint64_t{0});
        QCOMPARE(r.pickles[1].begin, r.pickles[0].end);
        QCOMPARE(r.pickles[2].begin, r.pickles[1].end);
        QCOMPARE(r.pickles[2].end, m.graph().bytes().size());
        QCOMPARE(r.pickles[1].protocol, 4);
        const ValuePrinter p(m.graph());
        QCOMPARE(p.print(r.pickles[0].root), std::string("{'first': 1}"));
        QCOMPARE(p.print(r.pickles[1].root), std::string("['second']"));
        QCOMPARE(p.print(r.pickles[2].root), std::string("('third',)"));
    }

    void trailingBytesAreReported() {
        const std::string p = std::string("\x80\x02K\x01.", 5) + "garbage";
        Machine m(memory(p));
        const LoadResult r = m.loadAll();
        QCOMPARE(r.pickles.size(), std::size_t{1});
        QVERIFY(r.trailing);
        QCOMPARE(r.trailing->offset, std::uint64_t{5});
        QCOMPARE(r.trailing->size, std::uint64_t{7});
        QVERIFY(!r.trailing->reason.empty());
    }

    void dillLocks() {
        const QString path = ckpt::test::fixture("pickle/dill_locks.pkl");
        if (!QFile::exists(path)) {
            QSKIP("dill was not available when the fixtures were made");
        }
        const Loaded l = loadFixture("dill_locks");
        const ValueGraph& g = l.g();
        QCOMPARE(calleeName(g, l.root())->qualified(), std::string("types.SimpleNamespace"));
        const ValueId state = g[l.root()].states.at(0);
        const ValueId lock = *dictGet(g, state, "lock");
        const ValueId rlock = *dictGet(g, state, "rlock");
        QCOMPARE(l.print(lock), std::string("dill._dill._create_lock(False)"));
        QCOMPARE(l.print(rlock), std::string("dill._dill._create_rlock(0, 0)"));
        // The module name of the second STACK_GLOBAL comes from the memo (BINGET).
        QVERIFY(g[g[rlock].func].has(ViaStackGlobal));
    }

    void warningsForLeftovers() {
        // MARK, 1, 2, STOP: CPython returns 2 and ignores the rest; we say so.
        Machine m(memory("(I1\nI2\n."));
        const PickleInfo info = m.load();
        QCOMPARE(asInt(m.graph(), info.root), std::optional<std::int64_t>(2));
        QCOMPARE(info.warnings.size(), std::size_t{2});
    }

    void compactScalarsReadBack() {
        // Ints, floats, strs and bytes spelled in full by their opcode keep only a compact entry
        // and are decoded from the source when read: every reader must see the same values,
        // offsets and texts as for a slot (issue 15). A protocol-0 STRING stays a slot.
        using namespace std::string_literals;
        const std::string nan = "\x7f\xf8\0\0\0\0\0\0"s;
        const std::string long300 = std::string(300, 'x');
        std::string p = "\x80\x04("s;
        p += "J\x60\x79\xfe\xff"s;           // BININT -100000
        p += "K\xc8"s;                       // BININT1 200
        p += "M\x60\xea"s;                   // BININT2 60000
        p += "\x8a\x08\0\0\0\0\0\0\0\x40"s;  // LONG1 2^62
        p += "G?\xf8\0\0\0\0\0\0"s;          // BINFLOAT 1.5
        p += "G" + nan;                      // BINFLOAT nan
        p += "\x8c\x06h\xc3\xa9llo"s;        // SHORT_BINUNICODE 'héllo'
        p += "X\x2c\x01\0\0"s + long300;     // BINUNICODE, 300 chars
        p += "\x8d\x02\0\0\0\0\0\0\0ab"s;    // BINUNICODE8 'ab'
        p += "C\x03\0\x01\x02"s;             // SHORT_BINBYTES
        p += "B\x01\0\0\0z"s;                // BINBYTES
        p += "\x8e\0\0\0\0\0\0\0\0"s;        // BINBYTES8 b''
        p += "U\x02py"s;                     // SHORT_BINSTRING (Python 2 str)
        p += "t.";
        Machine m(memory(p));
        const ValueId root = m.load().root;
        const ValueGraph& g = m.graph();
        const auto& items = g.items(root);
        QCOMPARE(items.size(), std::size_t{13});
        QCOMPARE(g[items[0]].integer, std::int64_t{-100000});
        QCOMPARE(g[items[1]].integer, std::int64_t{200});
        QCOMPARE(g[items[2]].integer, std::int64_t{60000});
        QCOMPARE(g[items[3]].integer, std::int64_t{1} << 62);
        QCOMPARE(g[items[4]].real, 1.5);
        QVERIFY(std::isnan(g[items[5]].real));
        QCOMPARE(g.kind(items[6]), ValueKind::Str);
        QCOMPARE(g.text(items[6]), std::string_view("h\xc3\xa9llo"));
        QCOMPARE(g.text(items[7]), std::string_view(long300));
        QCOMPARE(g.text(items[8]), std::string_view("ab"));
        QCOMPARE(g.kind(items[9]), ValueKind::Bytes);
        QCOMPARE(g.text(items[9]), std::string_view("\0\x01\x02", 3));
        QCOMPARE(g.text(items[10]), std::string_view("z"));
        QCOMPARE(g.text(items[11]), std::string_view());
        QCOMPARE(g.kind(items[12]), ValueKind::Str);
        QVERIFY(g[items[12]].has(Py2String));
        QCOMPARE(g.text(items[12]), std::string_view("py"));
        // Offsets are the opcodes', ranges the arguments', and no scalar holds anything.
        QCOMPARE(g[items[0]].offset, std::uint64_t{3});
        QCOMPARE(g[items[7]].range.offset, g[items[7]].offset + 5);
        QCOMPARE(g[items[7]].range.length, std::uint64_t{300});
        for (const ValueId id : items) {
            QVERIFY(g.items(id).empty());
            QVERIFY(g.entries(id).empty());
            QCOMPARE(g.depth(id), std::uint32_t{0});
        }
        QCOMPARE(g.depth(root), std::uint32_t{1});
        QCOMPARE(ValuePrinter(g).print(items[4]), std::string("1.5"));
        // Scanners start from the bytes, globals, calls and objects only.
        const auto marked = g.nonPlainIds();
        QCOMPARE(std::vector<ValueId>(marked.begin(), marked.end()),
                 (std::vector<ValueId>{items[9], items[10], items[11]}));
    }

    void valuesOfFailedPicklesStay() {
        // GLOBAL os.system, a call, then garbage: the call is in the graph for scanners.
        Machine m(memory("cos\nsystem\n(S'ls'\ntR\xff"));
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, m.load());
        bool sawCall = false;
        for (ValueId id = 0; id < m.graph().size(); ++id) {
            sawCall = sawCall || (calleeName(m.graph(), id) &&
                                  calleeName(m.graph(), id)->qualified() == "os.system");
        }
        QVERIFY(sawCall);
    }
};

QTEST_GUILESS_MAIN(TestPickleMachine)
#include "test_pickle_machine.moc"
