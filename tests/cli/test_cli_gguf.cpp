// `ckpt` on GGUF files: info, tensors, stats, diff and validate, text and JSON.

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
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/gguf/") + QString::fromUtf8(name);
}

}  // namespace

class TestCliGguf : public QObject {
    Q_OBJECT

private slots:
    void info() {
        const auto r = run(cliPath(), {QStringLiteral("info"), fixture("v3_types.gguf")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("GGUF (llama.cpp) [gguf]"));
        QVERIFY(r.out.contains("general.architecture=llama"));
        // Block types show their ggml name and stored size (2 Q4_K blocks of 144 bytes).
        QVERIFY(r.out.contains("Q4_K      [2, 256]                288 B"));
        QVERIFY(r.out.contains("not decoded"));
        const auto j = run(cliPath(), {QStringLiteral("info"), QStringLiteral("--json"),
                                       fixture("v3_types.gguf")});
        QCOMPARE(j.exitCode, 0);
        QVERIFY(!QJsonDocument::fromJson(j.out).isNull());
    }

    void tensorsJson() {
        const auto r = run(cliPath(), {QStringLiteral("tensors"), QStringLiteral("--json"),
                                       fixture("v3_types.gguf")});
        QCOMPARE(r.exitCode, 0);
        const QJsonDocument doc = QJsonDocument::fromJson(r.out);
        QVERIFY2(!doc.isNull(), r.out.left(300).constData());
        bool sawQ6 = false;
        const QJsonArray rows = doc.isArray() ? doc.array() : doc.object()["tensors"].toArray();
        for (const auto& v : rows) {
            const QJsonObject t = v.toObject();
            if (t["path"].toString() == QLatin1String("blk.0.q6_k")) {
                sawQ6 = true;
                QCOMPARE(t["encoding"].toString(), QStringLiteral("Q6_K"));
                QCOMPARE(t["stored_bytes"].toInt(), 420);
                QCOMPARE(t["decoded"].toBool(), true);
                QCOMPARE(t["dtype"].toString(), QStringLiteral("float32"));
            }
        }
        QVERIFY(sawQ6);
    }

    void stats() {
        const auto r = run(cliPath(), {QStringLiteral("stats"), fixture("v3_types.gguf"),
                                       QStringLiteral("blk.0.q5_k")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Q5_K (float32) [2, 256]"));
        QVERIFY(r.out.contains("count 512"));
        const auto bad = run(cliPath(), {QStringLiteral("stats"), fixture("v3_types.gguf"),
                                         QStringLiteral("blk.0.q2_k")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("not decoded"));
    }

    void diff() {
        const auto same = run(cliPath(), {QStringLiteral("diff"), fixture("v3_types.gguf"),
                                          fixture("v3_types.gguf")});
        QCOMPARE(same.exitCode, 0);
        const auto r = run(cliPath(), {QStringLiteral("diff"), fixture("v3_types.gguf"),
                                       fixture("v3_types_edit.gguf")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("2 changed"));
        QVERIFY(r.out.contains("blk.0.q4_k  [Q4_K: compared dequantised]"));
    }

    void exportSaysWhatIsDecoded() {
        // safetensors has no Q4_K: quantised tensors are written as the float32 they decode to,
        // and the preview and the report say so instead of changing the type silently.
        QTemporaryDir dir;
        const QString out = dir.filePath("out.safetensors");
        const auto plan = run(cliPath(), {QStringLiteral("export"), fixture("v3_types.gguf"),
                                          QStringLiteral("-o"), out, QStringLiteral("--dry-run")});
        QCOMPARE(plan.exitCode, 0);
        QVERIFY2(plan.out.contains("written decoded, as float32"), plan.out.constData());
        QVERIFY2(plan.out.contains("Q4_K"), plan.out.constData());
        const auto r = run(cliPath(), {QStringLiteral("export"), fixture("v3_types.gguf"),
                                       QStringLiteral("-o"), out});
        QCOMPARE(r.exitCode, 1);  // written; the three types that are not decoded are dropped
        QVERIFY2((r.out + r.err).contains("written decoded, as float32"),
                 (r.out + r.err).constData());
        // The values written are the decoded ones: a diff of each quantised tensor against the
        // export finds them identical.
        const auto d = run(cliPath(), {QStringLiteral("diff"), QStringLiteral("--json"),
                                       fixture("v3_types.gguf"), out});
        const QJsonDocument doc = QJsonDocument::fromJson(d.out);
        QVERIFY2(!doc.isNull(), d.out.left(300).constData());
        int equalQuantised = 0;
        for (const auto& v : doc.object()["tensors"].toArray()) {
            const QJsonObject row = v.toObject();
            const QString name = row["key"].toString();
            if (name == "blk.0.q4_k" || name == "blk.0.q8_0" || name == "blk.0.q6_k") {
                // The encoding changed (Q4_K -> float32); the values did not.
                QCOMPARE(row["status"].toString(), QStringLiteral("dtype_changed"));
                QVERIFY2(row["identical"].toBool(), qPrintable(name));
                QCOMPARE(row["max_abs_diff"].toDouble(), 0.0);
                ++equalQuantised;
            }
        }
        QCOMPARE(equalQuantised, 3);
    }

    void validate() {
        for (const char* f : {"v3_types.gguf", "v2.gguf", "tokenizer.gguf", "align64.gguf"}) {
            const auto r = run(cliPath(), {QStringLiteral("validate"), fixture(f)});
            QVERIFY2(r.exitCode == 0, r.out.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliGguf)
#include "test_cli_gguf.moc"
