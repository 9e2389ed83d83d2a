// The machine on the real checkpoints of ../shared/data/real (skipped when absent): plain and
// joblib pickles of sklearn/Keras objects, legacy (multi-pickle) torch.save files. Array and
// tensor counts are checked against truth.json, which a restricted Python unpickler wrote.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <set>
#include <string>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/util/error.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;

namespace {

QJsonObject truth() {
    QFile f(ckpt::test::realDataDir() + "/truth.json");
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                       : QJsonObject();
}

/// Steps over the raw bytes joblib writes after each NumpyArrayWrapper (FORMATS.md 5.3).
BuildAction skipJoblibArrays(const BuildEvent& e) {
    const ValueGraph& g = e.machine.graph();
    const auto cls = calleeName(g, e.object);
    if (!cls || cls->name != "NumpyArrayWrapper") {
        return {};
    }
    const auto dtype = dictGet(g, e.state, "dtype");
    const auto shape = dictGet(g, e.state, "shape");
    if (!dtype || !shape || !sequenceItems(g, *shape) || !sequenceItems(g, g[*dtype].args)) {
        return {};
    }
    const auto typestr = asStr(g, sequenceItems(g, g[*dtype].args)->at(0));
    if (!typestr || typestr->size() < 2 || typestr->front() == 'O') {
        return {};  // object arrays are nested pickles; none in these files
    }
    std::uint64_t n = std::stoull(std::string(typestr->substr(1)));
    for (const ValueId d : *sequenceItems(g, *shape)) {
        n *= static_cast<std::uint64_t>(asInt(g, d).value_or(0));
    }
    std::uint64_t pad = 0;
    if (const auto a = dictGet(g, e.state, "numpy_array_alignment_bytes");
        a && g[*a].kind == ValueKind::Int) {
        pad = 1 + std::to_integer<std::uint64_t>(g.bytes()[e.nextOffset]);
    }
    return {pad + n, kNoValue};
}

/// Numeric ndarrays made anywhere in the graph: numpy's _reconstruct/_frombuffer and joblib
/// wrappers, object arrays excluded.
int countArrays(const ValueGraph& g) {
    int n = 0;
    for (ValueId id = 0; id < g.size(); ++id) {
        const auto callee = calleeName(g, id);
        if (!callee) {
            continue;
        }
        const bool numpy = (callee->name == "_reconstruct" || callee->name == "_frombuffer") &&
                           callee->module.starts_with("numpy");
        if (!numpy && callee->name != "NumpyArrayWrapper") {
            continue;
        }
        std::optional<ValueId> dtype;
        if (callee->name == "_reconstruct" && !g[id].states.empty()) {
            const auto* state = sequenceItems(g, g[id].states[0]);
            dtype = state && state->size() > 2 ? std::optional(state->at(2)) : std::nullopt;
        } else if (callee->name == "_frombuffer") {
            dtype = sequenceItems(g, g[id].args)->at(1);
        } else if (!g[id].states.empty()) {
            dtype = dictGet(g, g[id].states[0], "dtype");
        }
        const auto* dargs = dtype ? sequenceItems(g, g[*dtype].args) : nullptr;
        const auto typestr = dargs && !dargs->empty() ? asStr(g, dargs->at(0)) : std::nullopt;
        if (typestr && !typestr->starts_with("O")) {
            ++n;
        }
    }
    return n;
}

}  // namespace

class TestPickleReal : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (ckpt::test::realDataDir().isEmpty()) {
            QSKIP("../shared/data/real is not available");
        }
    }

    void pickles_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(ckpt::test::realDataDir() + "/pickle");
        for (const QString& f : dir.entryList(QDir::Files, QDir::Name)) {
            QTest::newRow(f.toUtf8().constData()) << "pickle/" + f;
        }
    }

    void pickles() {
        QFETCH(QString, file);
        MachineOptions o;
        o.afterBuild = skipJoblibArrays;
        Machine m(FileSource::open((ckpt::test::realDataDir() + "/" + file).toStdString()), o);
        const LoadResult r = m.loadAll();
        QCOMPARE(r.pickles.size(), std::size_t{1});
        QVERIFY(!r.trailing);
        QVERIFY(r.pickles[0].warnings.empty());
        int expected = 0;
        for (const auto& t : truth()[file].toObject()["tensors"].toArray()) {
            const QString path = t.toObject()["path"].toString();
            // Tensors inside nested archives (a .keras zip in the pickle) are not arrays here.
            expected += path.contains(".h5") || path.contains(".keras") ? 0 : 1;
        }
        QCOMPARE(countArrays(m.graph()), expected);
    }

    void legacyTorch_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(ckpt::test::realDataDir() + "/torch");
        const QJsonObject t = truth();
        for (const QString& f : dir.entryList(QDir::Files, QDir::Name)) {
            if (t["torch/" + f].toObject()["kind"].toString() == "torch-legacy") {
                QTest::newRow(f.toUtf8().constData()) << "torch/" + f;
            }
        }
    }

    void legacyTorch() {
        QFETCH(QString, file);
        Machine m(FileSource::open((ckpt::test::realDataDir() + "/" + file).toStdString()));
        const LoadResult r = m.loadAll();
        const ValueGraph& g = m.graph();
        // magic number, protocol version, sys_info, the object, the sorted storage keys.
        QCOMPARE(r.pickles.size(), std::size_t{5});
        QVERIFY(r.trailing);
        QCOMPARE(r.trailing->offset, r.pickles[4].end);
        QCOMPARE(g[r.pickles[0].root].kind, ValueKind::BigInt);
        QCOMPARE(asInt(g, r.pickles[1].root), std::optional<std::int64_t>(1001));

        std::set<std::string> keys;
        for (const ValueId k : *sequenceItems(g, r.pickles[4].root)) {
            keys.emplace(*asStr(g, k));
        }
        std::set<std::string> referenced;
        int tensors = 0;
        for (const ValueId id : g.reachable(r.pickles[3].root)) {
            const Value& v = g[id];
            const auto* pid =
                v.kind == ValueKind::PersistentRef ? sequenceItems(g, v.pid) : nullptr;
            if (pid && pid->size() >= 5 && asStr(g, pid->at(0)) == "storage") {
                referenced.emplace(*asStr(g, pid->at(2)));
            }
            const auto callee = calleeName(g, id);
            tensors += callee && callee->module == "torch._utils" &&
                       callee->name.starts_with("_rebuild_tensor");
        }
        QCOMPARE(referenced, keys);
        QCOMPARE(tensors, static_cast<int>(truth()[file].toObject()["tensors"].toArray().size()));
    }
};

QTEST_GUILESS_MAIN(TestPickleReal)
#include "test_pickle_real.moc"
