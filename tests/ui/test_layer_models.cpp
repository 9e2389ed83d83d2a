// The Overview's layer table and the Architecture's layer settings table.

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

#include "checkpoint_factory.h"
#include "ui/models/layer_settings_model.h"
#include "ui/models/layer_table_model.h"

using ckpt::ui::LayerSettingsModel;
using ckpt::ui::LayerTableModel;

class TestLayerModels : public QObject {
    Q_OBJECT

private slots:
    void layerTableMatchesTheCheckpoint() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        LayerTableModel model;
        QAbstractItemModelTester tester(&model);
        model.setCheckpoint(c);
        QCOMPARE(model.rowCount(), 5);
        const auto cell = [&](int row, int col) { return model.index(row, col).data().toString(); };
        QCOMPARE(cell(0, LayerTableModel::NameColumn), QString("conv2d"));
        QCOMPARE(cell(0, LayerTableModel::ClassColumn), QString("Conv2D"));
        QCOMPARE(cell(0, LayerTableModel::ParamsColumn), QLocale().toString(76));
        QCOMPARE(cell(2, LayerTableModel::TrainableColumn), QLocale().toString(144));
        QCOMPARE(cell(2, LayerTableModel::NonTrainableColumn), QLocale().toString(16));
        QCOMPARE(cell(0, LayerTableModel::WeightsColumn),
                 QString("kernel [3, 3, 2, 4]  ·  bias [4]"));
        QCOMPARE(cell(1, LayerTableModel::WeightsColumn), QString());
        QCOMPARE(model.index(2, 0).data(LayerTableModel::FirstWeightPathRole).toString(),
                 QString("model_weights/dense/dense/kernel:0"));
        QVERIFY(model.index(1, 0).data(LayerTableModel::FirstWeightPathRole).toString().isEmpty());
        const double share = model.index(2, LayerTableModel::ParamsColumn)
                                 .data(LayerTableModel::ShareRole)
                                 .toDouble();
        QVERIFY(qAbs(share - 160.0 / 287.0) < 1e-9);
        model.setCheckpoint(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void layerTableSortsByNumbers() {
        LayerTableModel model;
        model.setCheckpoint(ckpt::test::makeSmallModel());
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(LayerTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy);
        proxy.sort(LayerTableModel::ParamsColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, LayerTableModel::NameColumn).data().toString(), QString("dense"));
        QCOMPARE(proxy.index(1, LayerTableModel::NameColumn).data().toString(), QString("conv2d"));
        QCOMPARE(proxy.index(2, LayerTableModel::NameColumn).data().toString(), QString("dense_1"));
        proxy.sort(LayerTableModel::OrderColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, LayerTableModel::NameColumn).data().toString(), QString("conv2d"));
    }

    void settingsSummarizeKeyHyperparameters() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        LayerSettingsModel model;
        QAbstractItemModelTester tester(&model);
        model.setCheckpoint(c);
        QCOMPARE(model.rowCount(), 5);
        const auto settings = [&](int row) {
            return model.index(row, LayerSettingsModel::SettingsColumn).data().toString();
        };
        QCOMPARE(settings(0), QString("filters=4, kernel_size=(3, 3), strides=(1, 1), "
                                      "padding=valid, activation=relu, "
                                      "batch_input_shape=(None, 5, 5, 2)"));
        QCOMPARE(settings(1), QString());
        QCOMPARE(settings(2), QString("units=16, activation=relu"));
        QCOMPARE(settings(3), QString("rate=0.25"));
        QCOMPARE(model.index(4, 0).data(LayerSettingsModel::ConfigPointerRole).toString(),
                 QString("/config/layers/4"));
    }

    void settingsFallBackToTheConfigWhenNoLayerList() {
        std::shared_ptr<ckpt::core::Checkpoint> c = ckpt::test::makeSmallModel();
        c->layers().clear();
        LayerSettingsModel model;
        model.setCheckpoint(c);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(3, LayerSettingsModel::NameColumn).data().toString(),
                 QString("dropout"));
        QCOMPARE(model.index(3, LayerSettingsModel::ClassColumn).data().toString(),
                 QString("Dropout"));
        QCOMPARE(model.index(3, LayerSettingsModel::SettingsColumn).data().toString(),
                 QString("rate=0.25"));
    }

    void summarizeHandlesKeras1StyleAndObjects() {
        using ckpt::core::Json;
        const Json old = Json::parse(R"({"name": "d", "output_dim": 10, "activation": "tanh",
                                         "use_bias": false})");
        QCOMPARE(LayerSettingsModel::summarize(old),
                 QString("activation=tanh, use_bias=False, output_dim=10"));
        const Json k3 = Json::parse(R"({"class_name": "Dense", "config": {"units": 2,
            "activation": {"class_name": "ReLU", "config": {}}}})");
        QCOMPARE(LayerSettingsModel::summarize(k3), QString("units=2, activation=ReLU"));
        const Json lambda = Json::parse(R"({"class_name": "Lambda", "config": {"name": "l",
            "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARsAUwCpAk4=", null, null]}})");
        QCOMPARE(LayerSettingsModel::summarize(lambda),
                 QString("function=<Python code, runs when the model loads>"));
    }
};

QTEST_MAIN(TestLayerModels)
#include "test_layer_models.moc"
