// `ckpt` on ONNX models (issue 18): info, tensors, diff and graph, in text and --json, on the
// fixtures of tests/fixtures/onnx (make_onnx.py); bad files end with exit 2 and a clear error.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"

using ckpt::test::cliPath;
using ckpt::test::run;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/onnx/") + QString::fromUtf8(name);
}

QJsonObject json(const QByteArray& out) {
    return QJsonDocument::fromJson(out).object();
}

QJsonArray rows(const QByteArray& out) {
    const QJsonDocument doc = QJsonDocument::fromJson(out);
    return doc.isArray() ? doc.array() : doc.object()["tensors"].toArray();
}

}  // namespace

class TestCliOnnx : public QObject {
    Q_OBJECT

private slots:
    void infoShowsTheModel() {
        const auto r = run(cliPath(), {"info", "--json", fixture("mlp.onnx")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = json(r.out);
        QCOMPARE(j["format"].toString(), QStringLiteral("onnx"));
        const QJsonObject meta = j["metadata"].toObject();
        QCOMPARE(meta["ir_version"].toInt(), 8);
        QCOMPARE(meta["producer"].toString(), QStringLiteral("make_onnx.py 1.0"));
        QCOMPARE(meta["opset"].toString(), QStringLiteral("ai.onnx 13"));
        QCOMPARE(meta["author"].toString(), QStringLiteral("ckpt tests"));
        QCOMPARE(j["tensors"].toArray().size(), 4);
        const auto text = run(cliPath(), {"info", fixture("mlp.onnx")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("ONNX model"), text.out.constData());
        QVERIFY2(text.out.contains("fc1.weight"), text.out.constData());
    }

    void tensorsListsInitializers() {
        const auto r = run(cliPath(), {"tensors", "--json", fixture("typed.onnx")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QMap<QString, QJsonObject> byPath;
        for (const auto& v : rows(r.out)) {
            byPath[v.toObject()["path"].toString()] = v.toObject();
        }
        QCOMPARE(byPath.size(), 15);
        QCOMPARE(byPath["f16"]["dtype"].toString(), QStringLiteral("float16"));
        QCOMPARE(byPath["bf16"]["dtype"].toString(), QStringLiteral("bfloat16"));
        QCOMPARE(byPath["i64"]["shape"].toArray(), (QJsonArray{2, 2}));
        QCOMPARE(byPath["s"]["dtype"].toString(), QStringLiteral("str"));
        const auto ext = run(cliPath(), {"tensors", fixture("external/model.onnx")});
        QVERIFY2(ext.exitCode == 0, ext.err.constData());
        QVERIFY2(ext.out.contains("fc2.bias"), ext.out.constData());
    }

    void diffFindsTheOneChangedInitializer() {
        const auto same =
            run(cliPath(), {"diff", "--json", fixture("mlp.onnx"), fixture("external/model.onnx")});
        QVERIFY2(same.exitCode == 0, (same.out + same.err).constData());
        QCOMPARE(json(same.out)["summary"].toObject()["identical"].toInt(), 4);

        const auto r =
            run(cliPath(), {"diff", "--json", fixture("mlp.onnx"), fixture("mlp_b2_changed.onnx")});
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, (r.out + r.err).constData());
        QStringList changed;
        for (const auto& t : json(r.out)["tensors"].toArray()) {
            if (t.toObject()["status"].toString() != QStringLiteral("equal")) {
                changed << t.toObject()["key"].toString();
            }
        }
        QCOMPARE(changed, QStringList{"fc2.bias"});
        const auto text =
            run(cliPath(), {"diff", fixture("mlp.onnx"), fixture("mlp_b2_changed.onnx")});
        QVERIFY2(text.out.contains("fc2.bias"), text.out.constData());
    }

    void graphShowsOps() {
        const auto r = run(cliPath(), {"graph", "--json", fixture("shapes.onnx")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject g = json(r.out);
        QCOMPARE(g["kind"].toString(), QStringLiteral("data_flow"));
        QCOMPARE(g["nodes"].toArray().size(), 6);
        QCOMPARE(g["edges"].toArray().size(), 5);
        QStringList classes;
        for (const auto& n : g["nodes"].toArray()) {
            classes << n.toObject()["class_name"].toString();
        }
        QCOMPARE(classes, (QStringList{"Input", "MatMul", "Add", "Relu", "MatMul", "Add"}));
        const auto text = run(cliPath(), {"graph", fixture("mlp.onnx")});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains("fc1/MatMul") && text.out.contains("Relu"),
                 text.out.constData());
        QTemporaryDir dir;
        const auto dot =
            run(cliPath(), {"graph", fixture("mlp.onnx"), "-o", dir.filePath("g.dot")});
        QVERIFY2(dot.exitCode == 0, dot.err.constData());
        QVERIFY(QFileInfo(dir.filePath("g.dot")).size() > 0);
    }

    void badFilesExitTwo() {
        for (const char* f : {"bad/truncated.onnx", "bad/huge_dims.onnx"}) {
            const auto r = run(cliPath(), {"info", fixture(f)});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("[onnx]"), r.err.constData());
        }
        // Escaping external data opens, is reported by validate, and is never read.
        const auto v =
            run(cliPath(), {"validate", "--format", "json", fixture("bad/escape/model.onnx")});
        QVERIFY2(v.out.contains("CKPT-S010"), (v.out + v.err).constData());
        QVERIFY2(v.out.contains("outside the model's folder"), v.out.constData());
        const auto limit =
            run(cliPath(), {"info", "--limit", "onnx-bytes=64", fixture("mlp.onnx")});
        QCOMPARE(limit.exitCode, 2);
        QVERIFY2(limit.err.contains("onnx-bytes"), limit.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliOnnx)
#include "test_cli_onnx.moc"
