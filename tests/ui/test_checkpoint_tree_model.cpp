// The checkpoint tree model: structure, lazy batches, filter, documents; QAbstractItemModelTester.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include <QTemporaryDir>

#include <fstream>

#include "checkpoint_factory.h"
#include "common/counting_source.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "ui/models/checkpoint_tree_model.h"

using ckpt::ui::CheckpointTreeModel;

class TestCheckpointTreeModel : public QObject {
    Q_OBJECT

private:
    static QModelIndex childNamed(const CheckpointTreeModel& m, const QModelIndex& parent,
                                  const QString& name) {
        for (int r = 0; r < m.rowCount(parent); ++r) {
            const QModelIndex i = m.index(r, 0, parent);
            if (i.data().toString() == name) {
                return i;
            }
        }
        return {};
    }

    static void fetchAll(CheckpointTreeModel& m, const QModelIndex& parent) {
        while (m.canFetchMore(parent)) {
            m.fetchMore(parent);
        }
        for (int r = 0; r < m.rowCount(parent); ++r) {
            fetchAll(m, m.index(r, 0, parent));
        }
    }

private slots:
    void testerPassesWithFetchMore() {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addDocument(ckpt::test::makeSmallModel(), "/tmp/small.h5", "small.h5");
        model.addDocument(ckpt::test::makeFlatModel(700), "/tmp/flat.safetensors",
                          "flat.safetensors");
        fetchAll(model, {});
        model.setFilterText("kernel");
        fetchAll(model, {});
        model.setFilterText("model_weights/dense");
        fetchAll(model, {});
        model.setFilterText({});
        fetchAll(model, {});
        model.removeDocument(0);
        fetchAll(model, {});
        model.replaceDocument(0, ckpt::test::makeFlatModel(10));
        fetchAll(model, {});
    }

    void documentRowShowsFileFacts() {
        CheckpointTreeModel model;
        model.addDocument(ckpt::test::makeSmallModel(), "/tmp/small.h5", "small.h5");
        const QModelIndex doc = model.documentIndex(0);
        QCOMPARE(doc.data().toString(), QString("small.h5"));
        QCOMPARE(doc.siblingAtColumn(CheckpointTreeModel::TypeColumn).data().toString(),
                 QString("keras-h5"));
        QCOMPARE(doc.data(CheckpointTreeModel::KindRole).toInt(), -1);
        QVERIFY(model.hasChildren(doc));
        QCOMPARE(model.rowCount(doc), 0);  // lazily: nothing until fetched
        QVERIFY(model.canFetchMore(doc));
        model.fetchMore(doc);
        QCOMPARE(model.rowCount(doc), 2);  // model_weights, keras_version
    }

    void tensorColumns() {
        CheckpointTreeModel model;
        model.addDocument(ckpt::test::makeSmallModel(), "/tmp/small.h5", "small.h5");
        const QModelIndex kernel = model.indexForPath(0, "model_weights/dense/dense/kernel:0");
        QVERIFY(kernel.isValid());
        QCOMPARE(kernel.data().toString(), QString("kernel:0"));
        QCOMPARE(kernel.siblingAtColumn(CheckpointTreeModel::TypeColumn).data().toString(),
                 QString("float32"));
        QCOMPARE(kernel.siblingAtColumn(CheckpointTreeModel::ShapeColumn).data().toString(),
                 QString("[8, 16]"));
        QCOMPARE(kernel.siblingAtColumn(CheckpointTreeModel::SizeColumn).data().toString(),
                 QString("512 B"));
        QCOMPARE(kernel.data(CheckpointTreeModel::PathRole).toString(),
                 QString("model_weights/dense/dense/kernel:0"));
        QCOMPARE(model.documentRowOf(kernel), 0);
        // A group's size is the sum of its tensors: 512 + 64 + 64 bytes.
        const QModelIndex dense = kernel.parent().parent();
        QCOMPARE(dense.data().toString(), QString("dense"));
        QCOMPARE(dense.siblingAtColumn(CheckpointTreeModel::SizeColumn)
                     .data(CheckpointTreeModel::SortRole)
                     .toULongLong(),
                 640ull);
        const QModelIndex value = model.indexForPath(0, "keras_version");
        QCOMPARE(value.siblingAtColumn(CheckpointTreeModel::ShapeColumn).data().toString(),
                 QString("2.4.0"));
        QVERIFY(!value.data(Qt::DecorationRole).isNull());
    }

    void tenThousandChildrenAreFetchedInBatches() {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.addDocument(ckpt::test::makeFlatModel(10000), "/tmp/flat", "flat");
        const QModelIndex doc = model.documentIndex(0);
        model.fetchMore(doc);
        const QModelIndex group = model.index(0, 0, doc);
        QCOMPARE(model.rowCount(group), 0);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.fetchMore(group);
        QCOMPARE(model.rowCount(group), CheckpointTreeModel::kBatchSize);
        QCOMPARE(inserted.count(), 1);
        int batches = 1;
        while (model.canFetchMore(group)) {
            model.fetchMore(group);
            ++batches;
        }
        QCOMPARE(model.rowCount(group), 10000);
        QCOMPARE(batches,
                 (10000 + CheckpointTreeModel::kBatchSize - 1) / CheckpointTreeModel::kBatchSize);
        QCOMPARE(model.index(9999, 0, group).data().toString(), QString("t9999"));
    }

    void lazyPickleRowsCanAllBeExpanded() {
        // A pickle of 3,000 dicts: its rows are made when the model asks for them (issue 15),
        // and every one of them expands.
        QTemporaryDir dir;
        const std::string path = dir.filePath("rows.pkl").toStdString();
        {
            std::string p = "\x80\x04](";
            for (int i = 0; i < 3000; ++i) {
                p += std::string("}(\x8c\x02idJ", 7);
                for (int b = 0; b < 4; ++b) {
                    p += static_cast<char>((i >> (8 * b)) & 0xff);
                }
                p += "u";
            }
            p += "e.";
            std::ofstream(path, std::ios::binary) << p;
        }
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::core::openCheckpoint(path);
        QVERIFY(c->root().lazy());
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.addDocument(c, QString::fromStdString(path), "rows.pkl");
        const QModelIndex doc = model.documentIndex(0);
        fetchAll(model, doc);
        QCOMPARE(model.rowCount(doc), 3000);
        const QModelIndex last = model.index(2999, 0, doc);
        QCOMPARE(last.data().toString(), QString("2999"));
        QCOMPARE(model.rowCount(last), 1);
        QCOMPARE(model.index(0, 0, last).data().toString(), QString("id"));
        QCOMPARE(model.indexForPath(0, "1234/id").parent().data().toString(), QString("1234"));
    }

    void indexForPathFetchesOnlyWhatItNeeds() {
        CheckpointTreeModel model;
        model.addDocument(ckpt::test::makeFlatModel(10000), "/tmp/flat", "flat");
        const QModelIndex t = model.indexForPath(0, "state_dict/t300");
        QVERIFY(t.isValid());
        QCOMPARE(t.row(), 300);
        QCOMPARE(model.rowCount(t.parent()), 2 * CheckpointTreeModel::kBatchSize);
        QVERIFY(!model.indexForPath(0, "state_dict/nope").isValid());
        QVERIFY(!model.indexForPath(3, "state_dict/t1").isValid());
    }

    void filterFindsUnfetchedNodes() {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.addDocument(ckpt::test::makeFlatModel(5000), "/tmp/flat", "flat");
        model.setFilterText("t4999");
        QCOMPARE(model.filterMatchCount(), std::size_t(1));
        const QModelIndex doc = model.documentIndex(0);
        fetchAll(model, doc);
        const QModelIndex group = model.index(0, 0, doc);
        QCOMPARE(model.rowCount(group), 1);
        QCOMPARE(model.index(0, 0, group).data().toString(), QString("t4999"));
        QCOMPARE(model.index(0, 0, group).row(), 0);
        QCOMPARE(model.indexForPath(0, "state_dict/t4999").row(), 0);
        QVERIFY(!model.indexForPath(0, "state_dict/t1").isValid());  // hidden by the filter
    }

    void filterOverALazyTreeMakesOnlyTheMatches() {
        // 10^6 rows of plain data (issue 15): the filter reads their names from the source and
        // makes only the matches and the nodes above them.
        auto c = std::make_shared<ckpt::core::Checkpoint>("pickle", "Python pickle");
        auto source = std::make_shared<ckpt::test::CountingSource>(1'000'000);
        source->m_self = source;
        c->root().setLazy(source, 0);
        CheckpointTreeModel model;
        model.addDocument(c, "/tmp/rows.pkl", "rows.pkl");
        model.setFilterText("654321");
        QCOMPARE(model.filterMatchCount(), std::size_t(1));
        QCOMPARE(source->made, std::size_t(1));
        const QModelIndex doc = model.documentIndex(0);
        fetchAll(model, doc);
        QCOMPARE(model.rowCount(doc), 1);
        QCOMPARE(model.index(0, 0, doc).data().toString(), QString("654321"));
        // By path, into the rows: each row's "tags" list matches below the row.
        source->made = 0;
        model.setFilterText("99999/tags/1");
        QCOMPARE(model.filterMatchCount(), std::size_t(10));  // 99999, 199999, ... 999999
        QVERIFY2(source->made <= 30, qPrintable(QString::number(source->made)));
    }

    void filterKeepsDescendantsOfMatchesAndIsCaseInsensitive() {
        CheckpointTreeModel model;
        model.addDocument(ckpt::test::makeSmallModel(), "/tmp/small.h5", "small.h5");
        model.setFilterText("DENSE_1");
        const QModelIndex kernel = model.indexForPath(0, "model_weights/dense_1/dense_1/kernel:0");
        QVERIFY(kernel.isValid());
        QVERIFY(!model.indexForPath(0, "model_weights/dense/dense/kernel:0").isValid());
        // A filter with '/' matches paths.
        model.setFilterText("dense/kernel");
        QVERIFY(model.indexForPath(0, "model_weights/dense/dense/kernel:0").isValid());
        QVERIFY(!model.indexForPath(0, "model_weights/dense_1/dense_1/kernel:0").isValid());
        QCOMPARE(model.filterMatchCount(), std::size_t(1));
        model.setFilterText("zzz");
        QCOMPARE(model.filterMatchCount(), std::size_t(0));
        QVERIFY(!model.hasChildren(model.documentIndex(0)));
        model.setFilterText("");
        QVERIFY(model.hasChildren(model.documentIndex(0)));
    }

    void removingADocumentForgetsItsState() {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.addDocument(ckpt::test::makeSmallModel(), "/a", "a");
        model.addDocument(ckpt::test::makeSmallModel(), "/b", "b");
        fetchAll(model, {});
        QCOMPARE(model.findDocument("/b"), 1);
        model.removeDocument(0);
        QCOMPARE(model.documentCount(), 1);
        QCOMPARE(model.findDocument("/b"), 0);
        QCOMPARE(model.documentRowOf(model.indexForPath(0, "model_weights")), 0);
        model.addDocument(ckpt::test::makeSmallModel(), "/c", "c");
        QCOMPARE(model.rowCount(model.documentIndex(1)), 0);  // nothing fetched yet
    }

    void tenThousandTensorTreeWithTester() {
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.addDocument(ckpt::test::makeWideModel(5000), "/w", "w");
        const QModelIndex weights = model.indexForPath(0, "model_weights");
        model.fetchMore(weights);
        QCOMPARE(model.rowCount(weights), CheckpointTreeModel::kBatchSize);
        QVERIFY(childNamed(model, weights, "dense_17").isValid());
    }
};

QTEST_MAIN(TestCheckpointTreeModel)
#include "test_checkpoint_tree_model.moc"
