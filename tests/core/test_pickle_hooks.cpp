// The machine's hooks: an AfterBuildFn that steps over joblib's raw array bytes (a sketch of the
// joblib reader to come), persistent_load for torch storages, and nested pickles.
#include <QTest>

#include <cstring>
#include <memory>
#include <numeric>
#include <string>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_printer.h"
#include "core/util/error.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;

namespace {

std::shared_ptr<const ByteSource> memory(const std::string& s) {
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    std::vector<std::byte> bytes(first, first + s.size());
    return std::make_shared<MemorySource>(std::move(bytes), "hooks");
}

std::shared_ptr<const ByteSource> fixtureSource(const char* name) {
    return FileSource::open(
        ckpt::test::fixture(QStringLiteral("pickle/%1.pkl").arg(name)).toStdString());
}

/// What the joblib sketch found for one NumpyArrayWrapper.
struct JoblibArray {
    std::uint64_t dataOffset = 0;
    std::uint64_t nbytes = 0;
    std::string order;
};

/// After BUILD of a joblib NumpyArrayWrapper: the pad byte, the padding, then the raw array.
BuildAction joblibHook(const BuildEvent& e, std::vector<JoblibArray>& found) {
    const ValueGraph& g = e.machine.graph();
    const auto cls = calleeName(g, e.object);
    if (!cls || cls->module != "joblib.numpy_pickle" || cls->name != "NumpyArrayWrapper") {
        return {};
    }
    const auto* shape = sequenceItems(g, *dictGet(g, e.state, "shape"));
    const ValueId dtype = *dictGet(g, e.state, "dtype");
    const auto typestr = asStr(g, (*sequenceItems(g, g[dtype].args))[0]);
    const std::uint64_t itemsize = typestr->back() - '0';
    std::uint64_t n = itemsize;
    for (const ValueId d : *shape) {
        n *= static_cast<std::uint64_t>(*asInt(g, d));
    }
    std::uint64_t skip = 0;
    if (const auto align = dictGet(g, e.state, "numpy_array_alignment_bytes");
        align && g[*align].kind == ValueKind::Int) {
        skip = 1 + std::to_integer<std::uint64_t>(g.bytes()[e.nextOffset]);
    }
    found.push_back(
        {e.nextOffset + skip, n, std::string(*asStr(g, *dictGet(g, e.state, "order")))});
    BuildAction a;
    a.skipBytes = skip + n;
    a.replaceWith =
        e.machine.graph().addRangeText(ValueKind::Bytes, {e.nextOffset + skip, n}, e.buildOffset);
    return a;
}

}  // namespace

class TestPickleHooks : public QObject {
    Q_OBJECT

private slots:
    void joblibRawArraysAreSkipped() {
        std::vector<JoblibArray> found;
        MachineOptions o;
        o.afterBuild = [&found](const BuildEvent& e) { return joblibHook(e, found); };
        Machine m(fixtureSource("joblib_arrays"), o);
        const LoadResult r = m.loadAll();
        QCOMPARE(r.pickles.size(), std::size_t{1});
        QVERIFY(!r.trailing);
        QCOMPARE(r.pickles[0].end, m.graph().bytes().size());
        QCOMPARE(found.size(), std::size_t{2});
        QCOMPARE(r.pickles[0].skipped.size(), std::size_t{2});
        // FORMATS.md 5.3: f32 data at 240, 16-aligned; the F-ordered int64 array after it.
        QCOMPARE(found[0].dataOffset, std::uint64_t{240});
        QCOMPARE(found[0].nbytes, std::uint64_t{24});
        QCOMPARE(found[1].dataOffset % 16, std::uint64_t{0});
        QCOMPARE(found[1].order, std::string("F"));

        const ValueGraph& g = m.graph();
        const auto w = asBytes(g, *dictGet(g, r.pickles[0].root, "w"));
        float values[6];
        std::memcpy(values, w->data(), sizeof values);
        QCOMPARE(values[4], 4.0f);
        const auto f = asBytes(g, *dictGet(g, r.pickles[0].root, "f"));
        std::int64_t ints[4];
        std::memcpy(ints, f->data(), sizeof ints);
        QCOMPARE(ints[1], std::int64_t{2});  // Fortran order of [[0, 1], [2, 3]]
        QCOMPARE(asInt(g, *dictGet(g, r.pickles[0].root, "n")), std::optional<std::int64_t>(7));
    }

    void joblibWithoutTheHookFails() {
        Machine m(fixtureSource("joblib_arrays"));
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, m.load());
    }

    void skippingPastTheEndFails() {
        MachineOptions o;
        o.afterBuild = [](const BuildEvent&) { return BuildAction{1000, kNoValue}; };
        Machine m(memory("\x80\x02"
                         "cm\nC\n)\x81}b."),
                  o);
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, m.load());
    }

    void persistentLoadForTorch() {
        std::vector<std::string> keys;
        MachineOptions o;
        o.persistentLoad = [&keys](const PersistentLoadEvent& e) {
            const ValueGraph& g = e.machine.graph();
            const auto* pid = sequenceItems(g, e.pid);
            if (pid == nullptr || pid->size() < 5 || asStr(g, (*pid)[0]) != "storage") {
                return kNoValue;
            }
            keys.emplace_back(*asStr(g, (*pid)[2]));
            return e.machine.graph().addOwnedText(ValueKind::Str, "storage#" + keys.back(),
                                                  e.offset);
        };
        Machine m(fixtureSource("torch_state_dict"), o);
        const PickleInfo info = m.load();
        QCOMPARE(keys.size(), std::size_t{7});
        QCOMPARE(keys.front(), std::string("0"));
        const ValueGraph& g = m.graph();
        const ValueId w = *dictGet(g, info.root, "0.weight");
        QCOMPARE(asStr(g, (*sequenceItems(g, g[w].args))[0]),
                 std::optional<std::string_view>("storage#0"));
    }

    void nestedPickleFromAHook() {
        // A wrapper whose BUILD is followed by a complete pickle (joblib's object arrays).
        const std::string nested = "\x80\x02K\x07.";
        const std::string p =
            "\x80\x02"
            "cmod\nWrapper\n)\x81}b" +
            nested + ".";
        MachineOptions o;
        o.afterBuild = [](const BuildEvent& e) {
            const PickleInfo inner = e.machine.load(e.nextOffset);
            return BuildAction{inner.end - e.nextOffset, inner.root};
        };
        Machine m(memory(p), o);
        const PickleInfo info = m.load();
        QCOMPARE(info.end, p.size());
        QCOMPARE(asInt(m.graph(), info.root), std::optional<std::int64_t>(7));
    }

    void nestingIsBounded() {
        MachineOptions o;
        o.afterBuild = [](const BuildEvent& e) {
            (void)e.machine.load(0);
            return BuildAction{};
        };
        Machine m(memory("\x80\x02"
                         "cm\nC\n)\x81}b."),
                  o);
        try {
            (void)m.load();
            QFAIL("endless nesting was not stopped");
        } catch (const CorruptDataError& e) {
            QVERIFY(std::string(e.what()).find("nested") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestPickleHooks)
#include "test_pickle_hooks.moc"
