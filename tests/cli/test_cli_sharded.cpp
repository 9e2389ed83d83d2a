// `ckpt` on sharded models (issue 18): info, tensors, diff, validate and export through the
// index, a shard or the folder; --shard-only opens one shard alone.

#include <QDir>
#include <QFile>
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
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/sharded/") + QString::fromUtf8(name);
}

QJsonObject json(const QByteArray& out) {
    return QJsonDocument::fromJson(out).object();
}

}  // namespace

class TestCliSharded : public QObject {
    Q_OBJECT

private slots:
    void infoFromIndexShardAndFolder() {
        for (const char* input :
             {"st/model.safetensors.index.json", "st/model-00003-of-00003.safetensors", "st"}) {
            const auto r = run(cliPath(), {"info", "--json", fixture(input)});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QJsonObject j = json(r.out);
            QCOMPARE(j["format"].toString(), QStringLiteral("sharded"));
            QCOMPARE(j["tensor_count"].toInt(j["tensors"].toArray().size()), 11);
        }
        const auto text = run(cliPath(), {"info", fixture("st")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("sharded checkpoint"), text.out.constData());
    }

    void shardOnlyOpensTheFileAlone() {
        const auto r = run(cliPath(), {"tensors", "--json", "--shard-only",
                                       fixture("st/model-00003-of-00003.safetensors")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonDocument doc = QJsonDocument::fromJson(r.out);
        const QJsonArray rows = doc.isArray() ? doc.array() : doc.object()["tensors"].toArray();
        QVERIFY(!rows.isEmpty());
        QVERIFY(rows.size() < 11);
    }

    void diffAgainstUnsharded() {
        const auto r = run(cliPath(), {"diff", fixture("st"), fixture("single.safetensors")});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        const auto t = run(cliPath(), {"diff", "--json", fixture("pt/pytorch_model.bin.index.json"),
                                       fixture("single.bin")});
        QVERIFY2(t.exitCode == 0, (t.out + t.err).constData());
        QCOMPARE(json(t.out)["summary"].toObject()["equal"].toInt(), 11);
    }

    void exportJoinsTheShards() {
        QTemporaryDir dir;
        const QString out = dir.filePath("joined.safetensors");
        const auto e = run(cliPath(), {"export", fixture("st"), "-o", out});
        QVERIFY2(e.exitCode == 0, (e.out + e.err).constData());
        const auto d = run(cliPath(), {"diff", "--json", out, fixture("single.safetensors")});
        QVERIFY2(d.exitCode == 0, (d.out + d.err).constData());
        QCOMPARE(json(d.out)["summary"].toObject()["identical"].toInt(), 11);
    }

    void validateReportsAMissingShard() {
        QTemporaryDir dir;
        for (const QString& f : QDir(fixture("st")).entryList({"*.safetensors"}, QDir::Files)) {
            QFile::copy(fixture("st") + "/" + f, dir.filePath(f));
        }
        QFile::copy(fixture("bad/missing.index.json"),
                    dir.filePath("model.safetensors.index.json"));
        // A warning: the exit code says so with --fail-on warning.
        const auto r = run(cliPath(), {"validate", "--format", "json", dir.path()});
        QCOMPARE(r.exitCode, 0);
        const auto strict = run(cliPath(), {"validate", "--fail-on", "warning", dir.path()});
        QCOMPARE(strict.exitCode, 1);
        QVERIFY2(strict.out.contains("Fetch the shard again"), strict.out.constData());
        QVERIFY2(r.out.contains("model-00009-of-00009.safetensors"), r.out.constData());
        QVERIFY2(r.out.contains("CKPT-S010"), r.out.constData());
        // The clean model passes.
        const auto ok = run(cliPath(), {"validate", fixture("st")});
        QVERIFY2(ok.exitCode == 0, (ok.out + ok.err).constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSharded)
#include "test_cli_sharded.moc"
