// `ckpt graph` and `ckpt diff --graph`: the help, the outline, every output format, --depth,
// --json, and the exit codes for bad paths and bad usage.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;

namespace {

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return ckpt::test::run(ckpt::test::cliPath(), args);
}

QString functional() {
    return ckpt::test::fixture("graph/k2_graph_functional.h5");
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestCliGraph : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void helpTeaches() {
        const auto h = runCkpt({"graph", "--help"});
        QCOMPARE(h.exitCode, 0);
        QVERIFY(h.out.startsWith("Usage: ckpt graph FILE"));
        for (const char* word : {"-o", "--depth", "--json", ".svg", ".png", ".dot", ".json",
                                 "hierarchy", "Exit codes", "Example", "graph-nodes"}) {
            QVERIFY2(h.out.contains(word), word);
        }
        QVERIFY(runCkpt({"--help"}).out.contains("graph"));
        QVERIFY(runCkpt({"diff", "--help"}).out.contains("--graph OUT"));
    }

    void outline() {
        const auto r = runCkpt({"graph", functional()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Graph: 12 nodes, 12 edges (Keras functional config)"));
        QVERIFY(r.out.contains("  inner_1 (Dense)"));    // indented inside 'nested'
        QVERIFY(r.out.contains("<- dense_a, input_b"));  // the shared layer's two calls
        const auto top = runCkpt({"graph", functional(), "--depth", "1"});
        QCOMPARE(top.exitCode, 0);
        QVERIFY(!top.out.contains("inner_1"));
        QVERIFY(top.out.contains("3 more inside"));
    }

    void outputFormats_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("svg") << "g.svg" << QByteArray("<?xml");
        QTest::newRow("png") << "g.png" << QByteArray("\x89PNG");
        QTest::newRow("dot") << "g.dot" << QByteArray("digraph");
        QTest::newRow("json") << "g.json" << QByteArray("{");
    }

    void outputFormats() {
        QFETCH(QString, name);
        QFETCH(QByteArray, magic);
        const QString real = ckpt::test::realDataDir();
        const QString input =
            real.isEmpty() ? functional()
                           : real + "/keras_h5_full/KonduitAI__dl4j-test-resources__cnn2d_52.h5";
        const QString out = m_tmp.filePath(name);
        const auto r = runCkpt({"graph", input, "-o", out});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("wrote"));
        const QByteArray bytes = readAll(out);
        QVERIFY2(bytes.startsWith(magic), bytes.left(16).constData());
        if (name.endsWith(".json")) {
            const Json j = Json::parse(bytes.toStdString());
            QCOMPARE(j["kind"], "data_flow");
            QCOMPARE(j["edges"].size(), real.isEmpty() ? 12u : 13u);
        }
    }

    void jsonToStdout() {
        const auto r = runCkpt({"graph", "--json", functional()});
        QCOMPARE(r.exitCode, 0);
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["nodes"].size(), 12u);
        QCOMPARE(j["edges"].size(), 12u);
        QVERIFY(j["nodes"][0].contains("output_shape"));
    }

    void torchHierarchy() {
        const auto r = runCkpt({"graph", ckpt::test::fixture("py/torch_sd_zip.pt")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("hierarchy only"));
    }

    void errors() {
        const auto missing = runCkpt({"graph", m_tmp.filePath("nope.h5")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("nope.h5"));
        const auto badExt = runCkpt({"graph", functional(), "-o", m_tmp.filePath("g.pdf")});
        QCOMPARE(badExt.exitCode, 64);
        QVERIFY(badExt.err.contains(".svg"));
        QVERIFY(!QFile::exists(m_tmp.filePath("g.pdf")));
        QCOMPARE(runCkpt({"graph"}).exitCode, 64);
        QCOMPARE(runCkpt({"graph", functional(), "--depth", "0"}).exitCode, 64);
        QCOMPARE(runCkpt({"graph", functional(), "--bogus"}).exitCode, 64);
        const auto unwritable =
            runCkpt({"graph", functional(), "-o", m_tmp.filePath("no/such/dir/g.svg")});
        QCOMPARE(unwritable.exitCode, 2);
        // Never over the input.
        const QString copy = m_tmp.filePath("same.json");
        QVERIFY(QFile::copy(ckpt::test::fixture("graph/k3_call_records.json"), copy));
        QCOMPARE(runCkpt({"graph", copy, "-o", copy}).exitCode, 2);
        const auto tooBig = runCkpt({"graph", functional(), "-o", m_tmp.filePath("big.svg"),
                                     "--limit", "graph-layout-nodes=3"});
        QCOMPARE(tooBig.exitCode, 2);
        QVERIFY(tooBig.err.contains("graph-layout-nodes"));
    }

    void diffGraph() {
        const QString out = m_tmp.filePath("diff.svg");
        const auto r = runCkpt({"diff", ckpt::test::fixture("diff/base.h5"),
                                ckpt::test::fixture("diff/units_changed.h5"), "--graph", out});
        QCOMPARE(r.exitCode, 1);  // different
        const QByteArray svg = readAll(out);
        QVERIFY(svg.startsWith("<?xml"));
        QVERIFY(svg.contains("#ffe8b0"));  // a changed layer's tint
        const QString json = m_tmp.filePath("diff.json");
        QCOMPARE(runCkpt({"diff", ckpt::test::fixture("diff/base.h5"),
                          ckpt::test::fixture("diff/layer_added.h5"), "--graph", json})
                     .exitCode,
                 1);
        const Json j = Json::parse(readAll(json).toStdString());
        bool added = false;
        for (const auto& n : j["nodes"]) {
            added = added || n["diff"]["state"] == "added";
        }
        QVERIFY(added);
        const auto bad = runCkpt({"diff", ckpt::test::fixture("diff/base.h5"),
                                  ckpt::test::fixture("diff/base.h5"), "--graph", "x.txt"});
        QCOMPARE(bad.exitCode, 64);
    }
};

QTEST_GUILESS_MAIN(TestCliGraph)
#include "test_cli_graph.moc"
