// Sharded checkpoints (issue 18): an index JSON and its shards open as one model, from the index,
// from any shard or from the folder; the same model unsharded diffs as equal; a missing,
// misplaced, escaping or hostile shard entry is a finding or a clear error, never a crash.
// Fixtures: tests/fixtures/sharded (make_sharded.py).

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <set>
#include <string>

#include "common/test_support.h"
#include "core/diff/checkpoint_diff.h"
#include "core/formats/registry.h"
#include "core/formats/sharded_reader.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/util/limits.h"
#include "core/validate/validator.h"

using namespace ckpt::core;
namespace fs = std::filesystem;

namespace {

fs::path sharded(const QString& rel) {
    return (ckpt::test::fixture("sharded/" + rel)).toStdString();
}

std::set<std::string> tensorNames(const Checkpoint& c) {
    std::set<std::string> out;
    for (const Node* n : c.tensorNodes()) {
        out.insert(n->path());
    }
    return out;
}

/// A copy of st/'s shards with `index` (a file of bad/ or given text) beside them.
QString shardsWith(QTemporaryDir& dir, const QByteArray& indexText) {
    const QString st = ckpt::test::fixture("sharded/st");
    for (const QString& f : QDir(st).entryList({"*.safetensors"}, QDir::Files)) {
        QFile::copy(st + "/" + f, dir.filePath(f));
    }
    QFile out(dir.filePath("model.safetensors.index.json"));
    out.open(QIODevice::WriteOnly);
    out.write(indexText);
    out.close();
    return dir.filePath("model.safetensors.index.json");
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

/// st/'s shards with bad/NAME.index.json as their index, opened; every shard is there, so all
/// 11 tensors are.
std::unique_ptr<Checkpoint> openBadIndex(QTemporaryDir& dir, const char* name) {
    const QString index = shardsWith(
        dir, readFile(ckpt::test::fixture(QString("sharded/bad/%1.index.json").arg(name))));
    auto c = openCheckpoint(fs::path(index.toStdString()));
    if (c->tensorNodes().size() != 11) {
        throw std::runtime_error("expected 11 tensors through " + index.toStdString());
    }
    return c;
}

bool anyContains(const std::vector<std::string>& list, const std::string& needle) {
    for (const auto& s : list) {
        if (s.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

class TestSharded : public QObject {
    Q_OBJECT

private slots:
    void safetensorsIndexOpensAsOneModel() {
        const auto single = openCheckpoint(sharded("single.safetensors"));
        const auto c = openCheckpoint(sharded("st/model.safetensors.index.json"));
        QCOMPARE(c->format(), std::string("sharded"));
        QCOMPARE(tensorNames(*c), tensorNames(*single));
        QCOMPARE(c->tensorNodes().size(), std::size_t(11));
        QVERIFY(c->uncheckedParts().empty());
        QVERIFY2(c->layoutProblems().empty(),
                 c->layoutProblems().empty() ? "" : c->layoutProblems().front().what.c_str());
        QCOMPARE(c->metadata().value("shards", 0), 3);
        QCOMPARE(c->metadata().value("total_size", 0), 2272);
        // The model's size is what its files hold: three shards and the index.
        std::uintmax_t files = 0;
        for (const auto& e : fs::directory_iterator(sharded("st"))) {
            files += e.file_size();
        }
        QCOMPARE(std::uintmax_t(c->fileSize()), files);
        // Each tensor says which shard holds it.
        const Node* lm = c->findTensor("lm_head.weight");
        QVERIFY(lm != nullptr);
        QCOMPARE(lm->attributes().value("shard", std::string()),
                 std::string("model-00001-of-00003.safetensors"));
    }

    void anyShardOrTheFolderOpensTheModel() {
        const auto fromShard = openCheckpoint(sharded("st/model-00002-of-00003.safetensors"));
        QCOMPARE(fromShard->format(), std::string("sharded"));
        QCOMPARE(fromShard->tensorNodes().size(), std::size_t(11));
        QVERIFY(anyContains(fromShard->warnings(), "as one shard of the model"));

        const auto fromFolder = openCheckpoint(sharded("st"));
        QCOMPARE(fromFolder->format(), std::string("sharded"));
        QCOMPARE(fromFolder->tensorNodes().size(), std::size_t(11));
        QVERIFY(isOpenablePath(sharded("st")));

        OpenOptions alone;
        alone.joinShards = false;
        const auto shard = openCheckpoint(sharded("st/model-00002-of-00003.safetensors"), alone);
        QCOMPARE(shard->format(), std::string("safetensors"));
        QVERIFY(shard->tensorNodes().size() < 11);
        QVERIFY(!shard->tensorNodes().empty());
    }

    void torchShardsOpenAsOneModel() {
        const auto single = openCheckpoint(sharded("single.bin"));
        const auto c = openCheckpoint(sharded("pt/pytorch_model.bin.index.json"));
        QCOMPARE(c->format(), std::string("sharded"));
        QCOMPARE(tensorNames(*c), tensorNames(*single));
        QVERIFY(c->uncheckedParts().empty());
        QVERIFY2(c->layoutProblems().empty(),
                 c->layoutProblems().empty() ? "" : c->layoutProblems().front().what.c_str());
        // Both shards' pickles stay with the checkpoint for the validator, named by shard.
        QCOMPARE(c->pickleStreams().size(), std::size_t(2));
        QVERIFY(c->pickleStreams()[0].member.rfind("pytorch_model-00001-of-00002.bin/", 0) == 0);
        const auto report = validateCheckpoint(*c);
        QCOMPARE(report.count(Severity::Error), std::size_t(0));
    }

    void shardedDiffsEqualToUnsharded_data() {
        QTest::addColumn<QString>("index");
        QTest::addColumn<QString>("single");
        QTest::newRow("safetensors") << "st/model.safetensors.index.json"
                                     << "single.safetensors";
        QTest::newRow("torch") << "pt/pytorch_model.bin.index.json"
                               << "single.bin";
        QTest::newRow("torch vs safetensors") << "pt/pytorch_model.bin.index.json"
                                              << "st/model.safetensors.index.json";
    }
    void shardedDiffsEqualToUnsharded() {
        QFETCH(QString, index);
        QFETCH(QString, single);
        const auto a = openCheckpoint(sharded(index));
        const auto b = openCheckpoint(sharded(single));
        const auto report = diffCheckpoints(*a, *b);
        QCOMPARE(report.summary.tensors, std::size_t(11));
        QCOMPARE(report.summary.equal, std::size_t(11));
        QCOMPARE(report.summary.identical, std::size_t(11));
        QCOMPARE(report.summary.added + report.summary.removed, std::size_t(0));
        QVERIFY(report.summary.numelCompared > 0);
    }

    void missingShardIsAFinding() {
        QTemporaryDir dir;
        const auto c = openBadIndex(dir, "missing");
        QCOMPARE(c->uncheckedParts().size(), std::size_t(1));
        QVERIFY(c->uncheckedParts()[0].where.find("model-00009-of-00009") != std::string::npos);
        QVERIFY(c->uncheckedParts()[0].why.find("missing") != std::string::npos);
        QVERIFY(c->uncheckedParts()[0].why.find("extra.weight") != std::string::npos);
        const auto report = validateCheckpoint(*c);
        bool found = false;
        for (const auto& f : report.findings) {
            found = found || f.message.find("model-00009-of-00009") != std::string::npos ||
                    f.path.find("model-00009-of-00009") != std::string::npos;
        }
        QVERIFY2(found, "no finding names the missing shard");
    }

    void misplacedTensorIsAFinding() {
        QTemporaryDir dir;
        const auto c = openBadIndex(dir, "misplaced");
        // One problem naming both shards: where it is, and where the index places it.
        QCOMPARE(c->layoutProblems().size(), std::size_t(1));
        QCOMPARE(c->layoutProblems()[0].path, std::string("lm_head.weight"));
        QVERIFY(c->layoutProblems()[0].what.find("model-00001-of-00003") != std::string::npos);
        QVERIFY(c->layoutProblems()[0].what.find("model-00003-of-00003") != std::string::npos);
        const auto report = validateCheckpoint(*c);
        bool found = false;
        for (const auto& f : report.findings) {
            found = found || f.rule == "CKPT-I003";
        }
        QVERIFY(found);
    }

    void escapingShardNameIsNeverOpened() {
        QTemporaryDir dir;
        const auto c = openBadIndex(dir, "escape");
        QCOMPARE(c->uncheckedParts().size(), std::size_t(1));
        QVERIFY(c->uncheckedParts()[0].why.find("outside the index's folder") != std::string::npos);
        // Absolute names too.
        QTemporaryDir dir2;
        const QString abs = shardsWith(
            dir2, R"({"weight_map": {"a": "/etc/passwd", "b": "sub/../../x.safetensors"}})");
        const auto c2 = openCheckpoint(fs::path(abs.toStdString()));
        QCOMPARE(c2->uncheckedParts().size(), std::size_t(2));
        QVERIFY(c2->tensorNodes().empty());
    }

    void hostileIndexes_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{\"weight_map\": {\"a\": ") << "not valid JSON";
        QTest::newRow("weight_map not an object")
            << QByteArray(R"({"weight_map": [1, 2]})") << "without a weight_map";
        QTest::newRow("file name not a string")
            << QByteArray(R"({"weight_map": {"a": 7}})") << "not a file name";
        QTest::newRow("metadata not an object")
            << QByteArray(R"({"metadata": 3, "weight_map": {}})") << "metadata is not";
        QTest::newRow("huge number")
            << QByteArray(R"({"weight_map": {}, "x": 1e999})") << "not valid JSON";
    }
    void hostileIndexes() {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString index = shardsWith(dir, text);
        try {
            (void)openCheckpoint(fs::path(index.toStdString()));
            QFAIL("opened");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY2(QString(e.what()).contains(index), e.what());
            QCOMPARE(e.context().format, std::string("sharded"));
        }
    }

    void tooManyShardsHitTheLimit() {
        QByteArray text = R"({"weight_map": {)";
        for (int i = 0; i < 10'001; ++i) {
            text += (i ? "," : "") + QByteArray("\"t") + QByteArray::number(i) + "\": \"s" +
                    QByteArray::number(i) + ".safetensors\"";
        }
        text += "}}";
        QTemporaryDir dir;
        const QString index = shardsWith(dir, text);
        try {
            (void)openCheckpoint(fs::path(index.toStdString()));
            QFAIL("opened");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("shard-files"), e.what());
        }
        const auto saved = limits().shardIndexBytes;
        limits().shardIndexBytes = 100;
        try {
            (void)openCheckpoint(sharded("st/model.safetensors.index.json"));
            limits().shardIndexBytes = saved;
            QFAIL("opened");
        } catch (const Error& e) {
            limits().shardIndexBytes = saved;
            QVERIFY2(QString(e.what()).contains("shard-index-bytes"), e.what());
        }
    }

    void anIndexIsNeverAShard() {
        // An index naming itself (or another index) as a shard: that entry is unreadable, the
        // open ends.
        QTemporaryDir dir;
        const QString index =
            shardsWith(dir, R"({"weight_map": {"a": "model.safetensors.index.json",
                 "lm_head.weight": "model-00001-of-00003.safetensors"}})");
        const auto c = openCheckpoint(fs::path(index.toStdString()));
        QCOMPARE(c->uncheckedParts().size(), std::size_t(1));
        QVERIFY(c->uncheckedParts()[0].why.find("unreadable") != std::string::npos);
    }

    void indexInsideAnotherFileIsRefused() {
        const QByteArray text =
            readFile(ckpt::test::fixture("sharded/st/model.safetensors.index.json"));
        OpenOptions nested;
        nested.nesting = 1;
        try {
            const auto* b = reinterpret_cast<const std::byte*>(text.data());
            auto source = std::make_shared<MemorySource>(std::vector<std::byte>(b, b + text.size()),
                                                         "member");
            (void)openCheckpoint(source, "outer.zip:model.safetensors.index.json", nested);
            QFAIL("opened");
        } catch (const UnsupportedError& e) {
            QVERIFY2(QString(e.what()).contains("inside another file"), e.what());
        }
    }

    void shardNamesAreRecognised() {
        QVERIFY(ShardedIndexReader::indexOfShard(sharded("st/model-00001-of-00003.safetensors")));
        QVERIFY(ShardedIndexReader::indexOfShard(sharded("pt/pytorch_model-00002-of-00002.bin")));
        // Not a shard name, or not listed: opened alone.
        QVERIFY(!ShardedIndexReader::indexOfShard(sharded("single.safetensors")));
        QVERIFY(!ShardedIndexReader::indexOfShard(sharded("st/model.safetensors.index.json")));
    }
};

QTEST_GUILESS_MAIN(TestSharded)
#include "test_sharded.moc"
