// The lazy value table and the matrix layout behind it (and behind the heatmap).

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>
#include <cstring>

#include "checkpoint_factory.h"
#include "core/analysis/tensor_stats.h"
#include "core/util/error.h"
#include "ui/jobs/focus_histogram.h"
#include "ui/jobs/heatmap_data.h"
#include "ui/jobs/tensor_analysis.h"
#include "ui/models/tensor_matrix_view.h"
#include "ui/models/tensor_value_model.h"

using ckpt::ui::TensorMatrixView;
using ckpt::ui::TensorValueModel;

namespace {

// A float32 tensor with values 0, 1, 2, ... in storage order.
std::shared_ptr<ckpt::core::Tensor> iota(std::vector<std::uint64_t> shape, bool fortran = false) {
    std::uint64_t n = 1;
    for (auto d : shape) {
        n *= d;
    }
    std::vector<std::byte> bytes(n * 4);
    for (std::uint64_t i = 0; i < n; ++i) {
        const float f = static_cast<float>(i);
        std::memcpy(bytes.data() + i * 4, &f, 4);
    }
    auto source = std::make_shared<ckpt::core::MemorySource>(std::move(bytes), "iota");
    auto t = std::make_shared<ckpt::core::Tensor>(
        ckpt::core::DType::Float32, std::move(shape),
        std::make_shared<ckpt::core::ContiguousTensorSource>(source, 0, 4, n, false));
    t->setFortranOrder(fortran);
    return t;
}

}  // namespace

class TestTensorValueModel : public QObject {
    Q_OBJECT

private slots:
    void matrixLayouts() {
        const TensorMatrixView m2(iota({3, 5}));
        QCOMPARE(m2.rows(), 3u);
        QCOMPARE(m2.cols(), 5u);
        QCOMPARE(m2.rowLabel(2), QString("2"));

        const TensorMatrixView conv(iota({3, 3, 2, 4}));  // (kh, kw, in, out)
        QCOMPARE(conv.rows(), 18u);
        QCOMPARE(conv.cols(), 4u);
        QCOMPARE(conv.rowLabel(7), QString("[1,0,1]"));
        QVERIFY(conv.layoutDescription().contains("3 × 3 × 2 = 18"));

        const TensorMatrixView vec(iota({20}));
        QVERIFY(vec.wrapped());
        QCOMPARE(vec.cols(), 8u);
        QCOMPARE(vec.rows(), 3u);
        QCOMPARE(vec.rowLabel(2), QString("16"));
        QVERIFY(vec.contains(2, 3));
        QVERIFY(!vec.contains(2, 4));

        const TensorMatrixView scalar(iota({}));
        QCOMPARE(scalar.rows(), 1u);
        QCOMPARE(scalar.cols(), 1u);
    }

    void readTileInCAndFortranOrder() {
        std::vector<double> out(6);
        TensorMatrixView(iota({3, 4})).readTile(1, 2, 1, 3, out.data());
        QCOMPARE(out, (std::vector<double>{5, 6, 7, 9, 10, 11}));
        // Fortran (3, 4): element (r, c) is stored at c * 3 + r.
        TensorMatrixView(iota({3, 4}, true)).readTile(1, 2, 1, 3, out.data());
        QCOMPARE(out, (std::vector<double>{4, 7, 10, 5, 8, 11}));
        // Cells after the end of a wrapped vector are NaN.
        std::vector<double> tail(8);
        TensorMatrixView(iota({10})).readTile(1, 1, 0, 8, tail.data());
        QCOMPARE(tail[0], 8.0);
        QCOMPARE(tail[1], 9.0);
        QVERIFY(std::isnan(tail[2]));
    }

    void valuesArriveLazilyWithPlaceholders() {
        TensorValueModel model;
        QAbstractItemModelTester tester(&model);
        model.setTensor(iota({300, 100}));
        QCOMPARE(model.rowCount(), 300);
        QCOMPARE(model.columnCount(), 100);
        QSignalSpy loaded(&model, &TensorValueModel::tileLoaded);
        const QModelIndex cell = model.index(250, 70);
        QCOMPARE(cell.data().toString(), QString("…"));
        QCOMPARE(cell.data(TensorValueModel::LoadedRole).toBool(), false);
        QVERIFY(loaded.wait(5000) || loaded.count() > 0);
        QTRY_COMPARE(model.pendingTiles(), 0);
        QCOMPARE(cell.data().toString(), QString("25070"));
        QCOMPARE(cell.data(TensorValueModel::ValueRole).toDouble(), 25070.0);
        QCOMPARE(model.headerData(250, Qt::Vertical, Qt::DisplayRole).toString(), QString("250"));
    }

    void onlyTheAskedTileIsRead() {
        TensorValueModel model;
        model.setTensor(iota({1000, 1000}));
        QCOMPARE(model.pendingTiles(), 0);  // setting a tensor reads nothing
        (void)model.index(500, 500).data();
        (void)model.index(501, 510).data();  // same 64x64 tile
        QCOMPARE(model.pendingTiles(), 1);
        QTRY_COMPARE(model.pendingTiles(), 0);
        QCOMPARE(model.index(501, 510).data().toString(), QString("501510"));
        QCOMPARE(model.index(0, 0).data(TensorValueModel::LoadedRole).toBool(), false);
    }

    void switchingTensorsDropsStaleTiles() {
        TensorValueModel model;
        model.setTensor(iota({64, 64}));
        (void)model.index(0, 0).data();  // request a tile
        model.setTensor(iota({2, 2}));   // ...and switch before it arrives
        QTRY_COMPARE(model.index(1, 1).data().toString(), QString("3"));
        QCOMPARE(model.rowCount(), 2);
        model.setTensor(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void colourTintFollowsTheRange() {
        TensorValueModel model;
        model.setTensor(iota({2, 2}));
        (void)model.index(0, 0).data();
        QTRY_COMPARE(model.pendingTiles(), 0);
        QVERIFY(!model.index(1, 1).data(Qt::BackgroundRole).isValid());
        model.setColorRange(3.0);
        QVERIFY(model.index(1, 1).data(Qt::BackgroundRole).value<QColor>().isValid());
    }

    void heatmapAveragesBlocks() {
        const TensorMatrixView view(iota({4, 6}));
        const auto d = ckpt::ui::HeatmapData::build(view, 2, {}, 5);
        QCOMPARE(d.rows, 2);
        QCOMPARE(d.cols, 2);
        QCOMPARE(d.blockRows, 2u);
        QCOMPARE(d.blockCols, 3u);
        // Block (0,0) holds 0,1,2,6,7,8 -> mean 4.
        QCOMPARE(d.at(0, 0), 4.0f);
        QCOMPARE(d.at(1, 1), 19.0f);
        QCOMPARE(d.maxAbs, 19.0);
    }

    void analysisRefinesAHistogramSqueezedByOutliers() {
        // 20,000 values in [-0.05, 0.05] and two outliers at +-10.
        std::vector<std::byte> bytes(20002 * 4);
        for (int i = 0; i < 20002; ++i) {
            const float f = i == 0 ? -10.0f : i == 1 ? 10.0f : 0.05f * std::sin(i * 0.7f);
            std::memcpy(bytes.data() + i * 4, &f, 4);
        }
        auto source = std::make_shared<ckpt::core::MemorySource>(std::move(bytes), "outliers");
        auto t = std::make_shared<ckpt::core::Tensor>(
            ckpt::core::DType::Float32, std::vector<std::uint64_t>{20002},
            std::make_shared<ckpt::core::ContiguousTensorSource>(source, 0, 4, 20002, false));
        ckpt::ui::TensorAnalysis analysis;
        QSignalSpy focus(&analysis, &ckpt::ui::TensorAnalysis::focusHistogramReady);
        QSignalSpy heatmap(&analysis, &ckpt::ui::TensorAnalysis::heatmapReady);
        QSignalSpy done(&analysis, &ckpt::ui::TensorAnalysis::finished);
        analysis.analyse(t, nullptr);
        QVERIFY(analysis.isRunning());
        QVERIFY(done.wait(10000));
        QCOMPARE(focus.count(), 1);
        QCOMPARE(heatmap.count(), 0);  // a vector gets no heatmap
        const auto h = focus.at(0).at(0).value<ckpt::ui::FocusHistogram>();
        QVERIFY(h.lo > -1.0 && h.hi < 1.0);
        QCOMPARE(h.below + h.above, 2u);
        std::uint64_t inside = 0;
        for (auto c : h.counts) {
            inside += c;
        }
        QCOMPARE(inside, 20000u);
        QVERIFY(!analysis.isRunning());
    }

    void aPlainDistributionNeedsNoFocus() {
        ckpt::core::TensorStats s;
        s.finite = s.count = 10000;
        s.min = -1;
        s.max = 1;
        s.mean = 0;
        s.std = 0.5;
        s.histogram.counts.assign(40, 250);
        QVERIFY(ckpt::ui::FocusHistogram::planFor(s).isEmpty());
        s.histogram.counts.assign(40, 0);
        s.histogram.counts[20] = 10000;
        s.std = 0.01;
        const auto plan = ckpt::ui::FocusHistogram::planFor(s);
        QVERIFY(!plan.isEmpty());
        QCOMPARE(plan.lo, -0.04);
        QCOMPARE(plan.hi, 0.04);
    }

    void heatmapBuildIsCancellable() {
        const TensorMatrixView view(iota({100, 10}));
        QVERIFY_THROWS_EXCEPTION(
            ckpt::core::CancelledError,
            (void)ckpt::ui::HeatmapData::build(
                view, 8, [](std::uint64_t, std::uint64_t) { return false; }, 50));
    }
};

QTEST_MAIN(TestTensorValueModel)
#include "test_tensor_value_model.moc"
