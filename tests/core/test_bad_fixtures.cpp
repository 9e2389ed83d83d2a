// The committed hostile and corrupt fixtures (tests/fixtures/bad): each gives the error a user
// can act on, or opens safely when the file is valid but unusual.

#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

class TestBadFixtures : public QObject {
    Q_OBJECT

private slots:
    void rejected_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expect");
        QTest::newRow("empty") << "empty.bin"
                               << "not a checkpoint format I know (first bytes: (empty file))";
        QTest::newRow("random") << "random.bin"
                                << "not a checkpoint format I know (first bytes: ba bb";
        QTest::newRow("text") << "text.txt"
                              << "not a checkpoint format I know (first bytes: 54 68";
        QTest::newRow("superblock") << "corrupt_superblock.h5"
                                    << "cannot open HDF5 file: truncated file";
        QTest::newRow("checksum") << "bad_superblock_checksum.h5"
                                  << "incorrect metadata checksum";
        QTest::newRow("not json") << "not_json_config.h5"
                                  << "model_config attribute is not valid JSON";
        QTest::newRow("absurd attribute") << "absurd_attr.h5"
                                          << "(at model_weights)";
        QTest::newRow("data past eof") << "dataset_past_eof.h5"
                                       << "past the end of the file";
        QTest::newRow("data overlaps eof") << "dataset_overlaps_eof.h5"
                                           << "past the end of the file";
        QTest::newRow("json depth bomb") << "json_depth_bomb.h5"
                                         << "nests deeper than 256 levels";
        QTest::newRow("crc") << "broken_member.keras"
                             << "'model.weights.h5' fails its CRC check";
        QTest::newRow("local header") << "broken_local_header.keras"
                                      << "damaged local header of zip member 'model.weights.h5'";
        QTest::newRow("no eocd") << "truncated_central_dir.keras"
                                 << "end-of-directory record not found";
        QTest::newRow("short directory") << "short_central_dir.keras"
                                         << "damaged zip central directory";
    }

    void rejected() {
        QFETCH(QString, file);
        QFETCH(QString, expect);
        const QString path = ckpt::test::fixture("bad/" + file);
        try {
            (void)openCheckpoint(path.toStdString());
            QFAIL("opened without an error");
        } catch (const Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find(expect.toStdString()) != std::string::npos, what.c_str());
            QVERIFY2(what.find(file.toStdString()) != std::string::npos, what.c_str());
        }
    }

    void cyclicGroupTerminates() {
        const auto c = openCheckpoint(ckpt::test::fixture("bad/cyclic_group.h5").toStdString());
        const Node* link = c->root().find("a/b/back_to_a");
        QVERIFY(link != nullptr);
        QCOMPARE(link->kind(), NodeKind::Value);
        QCOMPARE(link->value(), std::string("link to /a"));
    }

    void danglingLinksAreNotFollowed() {
        const auto c = openCheckpoint(ckpt::test::fixture("bad/dangling_links.h5").toStdString());
        QVERIFY(c->root().subtreeSize() < 20);
    }

    void sparseHugeDatasetOpensWithoutReading() {
        const auto c =
            openCheckpoint(ckpt::test::fixture("bad/sparse_huge_dataset.h5").toStdString());
        const Node* huge = c->findTensor("huge");
        QVERIFY(huge != nullptr);
        QCOMPARE(huge->tensor()->numel(), std::uint64_t{1} << 38);
        QCOMPARE(huge->tensor()->nbytes(), std::uint64_t{1} << 40);
        // No chunk is allocated: the dataset keeps its dtype and shape but is not read (validate,
        // stats, diff and export would otherwise go through 1 TiB of fill values).
        QVERIFY(!huge->tensor()->readable());
        QVERIFY2(huge->tensor()->dtypeDetail().find("sparse: 274877906944 elements in 0 "
                                                    "allocated bytes") != std::string::npos,
                 huge->tensor()->dtypeDetail().c_str());
        QVERIFY(c->findTensor("small")->tensor()->readable());
    }

    void deflatedMemberIsInflated() {
        const auto c =
            openCheckpoint(ckpt::test::fixture("bad/deflated_member.keras").toStdString());
        QCOMPARE(c->format(), std::string("keras-archive"));
        QVERIFY(!c->tensorNodes().empty());
        QVERIFY(c->totalParams() > 0);
    }

    void missingWeightsMemberWarns() {
        const auto c =
            openCheckpoint(ckpt::test::fixture("bad/missing_weights_member.keras").toStdString());
        QVERIFY(c->tensorNodes().empty());
        QCOMPARE(c->warnings().size(), std::size_t{1});
        QVERIFY(c->warnings()[0].find("no weights member") != std::string::npos);
        QVERIFY(!c->layers().empty());  // the config still describes the layers
    }
};

QTEST_GUILESS_MAIN(TestBadFixtures)
#include "test_bad_fixtures.moc"
