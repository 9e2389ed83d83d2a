// The JSON tree over the architecture config: lazy items, pointers, labels; model tester.

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

#include "checkpoint_factory.h"
#include "ui/models/json_tree_model.h"

using ckpt::ui::JsonTreeModel;

class TestJsonTreeModel : public QObject {
    Q_OBJECT

private slots:
    void testerPasses() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model);
        model.setRoots({{"model_config", &c->config()}, {"training_config", &c->trainingConfig()}},
                       c);
        QCOMPARE(model.rowCount(), 2);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void showsKeysValuesAndTypes() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        JsonTreeModel model;
        model.setRoots({{"model_config", &c->config()}}, c);
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(root.data().toString(), QString("model_config"));
        QCOMPARE(root.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
                 QString("Sequential  ·  sequential"));
        const QModelIndex layers = model.indexForPointer(0, "/config/layers");
        QVERIFY(layers.isValid());
        QCOMPARE(layers.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
                 QString("[5 items]"));
        QCOMPARE(layers.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(),
                 QString("array"));
        const QModelIndex conv = model.indexForPointer(0, "/config/layers/0");
        QCOMPARE(conv.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
                 QString("Conv2D  ·  conv2d"));
        const QModelIndex kernelSize =
            model.indexForPointer(0, "/config/layers/0/config/kernel_size");
        QCOMPARE(kernelSize.siblingAtColumn(JsonTreeModel::ValueColumn).data().toString(),
                 QString("[3,3]"));
        QCOMPARE(kernelSize.data(JsonTreeModel::JsonPointerRole).toString(),
                 QString("/config/layers/0/config/kernel_size"));
        const QModelIndex rate = model.indexForPointer(0, "/config/layers/3/config/rate");
        QCOMPARE(rate.siblingAtColumn(JsonTreeModel::TypeColumn).data().toString(),
                 QString("float"));
        QVERIFY(!model.indexForPointer(0, "/config/nope").isValid());
        QVERIFY(!model.indexForPointer(5, "/config").isValid());
    }

    void recursiveSearchFindsDeepValues() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        JsonTreeModel model;
        model.setRoots({{"model_config", &c->config()}}, c);
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setRecursiveFilteringEnabled(true);
        proxy.setFilterRole(JsonTreeModel::SearchTextRole);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        QAbstractItemModelTester tester(&proxy);
        proxy.setFilterFixedString("softmax");
        QCOMPARE(proxy.rowCount(), 1);
        // model_config > config > layers > 4 > config > activation
        QModelIndex i = proxy.index(0, 0);
        for (int depth = 0; depth < 5; ++depth) {
            QCOMPARE(proxy.rowCount(i), 1);
            i = proxy.index(0, 0, i);
        }
        QCOMPARE(i.data().toString(), QString("activation"));
    }
};

QTEST_MAIN(TestJsonTreeModel)
#include "test_json_tree_model.moc"
