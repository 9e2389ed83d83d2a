// The Compare window on the diff fixture pairs: aligned pairs and their colours, the metrics
// table's sorting and filters, the delta heatmap and histogram, config changes, cancel, and
// the main window's entry points.

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>
#include <cmath>

#include "common/test_support.h"
#include "core/diff/delta_reader.h"
#include "core/model/checkpoint.h"
#include "core/model/tensor.h"
#include "ui/compare/compare_pair_model.h"
#include "ui/compare/compare_style.h"
#include "ui/compare/compare_tables.h"
#include "ui/compare/compare_window.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/compare_job.h"
#include "ui/jobs/delta_job.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_actions.h"
#include "ui/main_window.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"

using namespace ckpt::ui;
using ckpt::core::ConfigChangeKind;
using ckpt::core::TensorDiffStatus;

namespace {

QString diffFixture(const QString& name) {
    return ckpt::test::fixture(QStringLiteral("diff/") + name);
}

/// Compares two files in `w` and waits for the job to end; true when it finished.
bool runCompare(CompareWindow& w, const QString& a, const QString& b) {
    QSignalSpy done(&w, &CompareWindow::compareDone);
    w.compare({{}, a, {}}, {{}, b, {}});
    if (done.isEmpty() && !done.wait(60000)) {
        return false;
    }
    return w.job()->state() == CompareJob::State::Finished;
}

/// Waits until the delta views show the selected pair.
bool waitForDelta(CompareWindow& w) {
    if (!w.deltaJob()->isRunning()) {
        return true;
    }
    QSignalSpy shown(&w, &CompareWindow::deltaShown);
    return shown.wait(30000);
}

/// The pair rows of the aligned model: key -> index of column A.
QMap<QString, QModelIndex> pairRows(const ComparePairModel& m, const CompareResult& r) {
    QMap<QString, QModelIndex> rows;
    for (std::size_t i = 0; i < r.report.tensors.size(); ++i) {
        rows.insert(QString::fromStdString(r.report.tensors[i].key),
                    m.indexForReportRow(static_cast<int>(i)));
    }
    return rows;
}

QColor background(const QModelIndex& i) {
    return i.data(Qt::BackgroundRole).value<QBrush>().color();
}

/// Writes a float32 .npy of `rows` x `cols` whose values depend on `seed`.
bool writeNpy(const QString& path, int rows, int cols, float seed) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        return false;
    }
    QByteArray header =
        QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }")
            .arg(rows)
            .arg(cols)
            .toLatin1();
    while ((10 + header.size() + 1) % 64 != 0) {
        header.append(' ');
    }
    header.append('\n');
    QByteArray prefix("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<quint16>(header.size());
    prefix.append(static_cast<char>(len & 0xff)).append(static_cast<char>(len >> 8));
    f.write(prefix + header);
    std::vector<float> row(static_cast<std::size_t>(cols));
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            row[static_cast<std::size_t>(c)] = std::sin(static_cast<float>(r * cols + c) * seed);
        }
        f.write(reinterpret_cast<const char*>(row.data()),
                static_cast<qint64>(row.size() * sizeof(float)));
    }
    return f.error() == QFile::NoError;
}

}  // namespace

class TestCompareView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        for (const char* name : {"base.h5", "retrained.h5", "layer_added.h5", "layer_removed.h5",
                                 "units_changed.h5"}) {
            QVERIFY2(QFile::exists(diffFixture(name)), name);
        }
    }

    void modelsKeepQtsContract() {
        // The three compare models under QAbstractItemModelTester (fatal on any violation of
        // the model contract) through two compares, each of which resets them.
        CompareWindow w;
        w.show();
        QAbstractItemModelTester pairs(w.pairModel(),
                                       QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester metrics(w.metricsModel(),
                                         QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester config(w.configModel(),
                                        QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy progress(w.job(), &CompareJob::progress);
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("retrained.h5")));
        QVERIFY(w.pairModel()->rowCount() > 0);
        // Per mille of the whole run (both files opened from disk, then the diff), never more.
        for (const auto& args : progress) {
            const int permille = args.at(0).toInt();
            QVERIFY2(permille >= -1 && permille <= 1000, qPrintable(QString::number(permille)));
        }
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("units_changed.h5")));
        QVERIFY(w.configModel()->rowCount() > 0);
    }

    void retrainedPairIsAmberAndSortedByRelL2() {
        CompareWindow w;
        w.show();
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("retrained.h5")));
        const auto result = w.job()->result();
        QVERIFY(result);
        const auto rows = pairRows(*w.pairModel(), *result);
        QCOMPARE(rows.size(), 6);
        for (const char* key : {"dense/0", "dense/1", "dense_1/0", "dense_1/1", "dense_2/0"}) {
            const QModelIndex i = rows.value(key);
            QVERIFY2(i.isValid(), key);
            QCOMPARE(i.data(compare_style::kStatusRole).toInt(),
                     static_cast<int>(TensorDiffStatus::Changed));
            QCOMPARE(background(i), compare_style::statusBackground(TensorDiffStatus::Changed));
            // Side by side: the same row names the tensor in A and in B.
            QVERIFY(!i.siblingAtColumn(ComparePairModel::AColumn).data().toString().isEmpty());
            QVERIFY(!i.siblingAtColumn(ComparePairModel::BColumn).data().toString().isEmpty());
        }
        const QModelIndex bias = rows.value("dense_2/1");
        QCOMPARE(bias.data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(TensorDiffStatus::Equal));
        QVERIFY(!bias.data(Qt::BackgroundRole).isValid());  // equal rows stay plain
        QVERIFY(w.summaryText().contains(QStringLiteral("5 changed")));
        QVERIFY(w.summaryText().contains(QStringLiteral("1 equal")));

        // Default order: rel_l2, largest first; the equal bias last.
        CompareFilterProxy* proxy = w.metricsProxy();
        QCOMPARE(proxy->sortColumn(), int(CompareMetricsModel::RelL2Column));
        QCOMPARE(proxy->sortOrder(), Qt::DescendingOrder);
        QCOMPARE(proxy->rowCount(), 6);
        double previous = std::numeric_limits<double>::infinity();
        for (int r = 0; r < proxy->rowCount(); ++r) {
            const double v = proxy->index(r, CompareMetricsModel::RelL2Column)
                                 .data(compare_style::kSortRole)
                                 .toDouble();
            QVERIFY2(v <= previous, qPrintable(QString::number(r)));
            previous = v;
        }
        // The table names tensors as the tree does: by path.
        QCOMPARE(proxy->index(5, CompareMetricsModel::KeyColumn).data().toString(),
                 QStringLiteral("model_weights/dense_2/dense_2/bias:0"));
        QVERIFY(proxy->index(0, CompareMetricsModel::RelL2Column).data().toDouble() > 0.0);
        // The table agrees with the report for the top row.
        const int top = proxy->index(0, 0).data(compare_style::kReportRowRole).toInt();
        QCOMPARE(QString::fromStdString(result->report.summary.maxRelL2Key),
                 QString::fromStdString(result->report.tensors[std::size_t(top)].key));
        w.metricsView()->sortByColumn(CompareMetricsModel::RelL2Column, Qt::AscendingOrder);
        QCOMPARE(proxy->index(0, CompareMetricsModel::KeyColumn).data().toString(),
                 QStringLiteral("model_weights/dense_2/dense_2/bias:0"));

        // "Only changed" hides the equal bias; the filter keeps keys containing the text.
        w.onlyChangedBox()->setChecked(true);
        QCOMPARE(proxy->rowCount(), 5);
        w.filterEdit()->setText(QStringLiteral("DENSE_1"));
        QCOMPARE(proxy->rowCount(), 2);
        for (int r = 0; r < proxy->rowCount(); ++r) {
            QVERIFY(proxy->index(r, 0).data().toString().contains(QStringLiteral("/dense_1/")));
        }
        w.filterEdit()->clear();
        w.onlyChangedBox()->setChecked(false);
        QCOMPARE(proxy->rowCount(), 6);

        // The learning rate change is listed, old -> new, in amber.
        ConfigChangeModel* config = w.configModel();
        QCOMPARE(config->rowCount(), 1);
        QCOMPARE(config->index(0, ConfigChangeModel::PathColumn).data().toString(),
                 QStringLiteral("training_config.optimizer_config.config.learning_rate"));
        QCOMPARE(config->index(0, 0).data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(ConfigChangeKind::FieldChanged));
        QVERIFY(
            config->index(0, ConfigChangeModel::NewColumn).data().toString().contains("0.0005"));
        QCOMPARE(background(config->index(0, ConfigChangeModel::NewColumn)),
                 compare_style::statusBackground(TensorDiffStatus::Changed));
    }

    void deltaHeatmapAndHistogramOfAChangedMatrix() {
        CompareWindow w;
        w.show();
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("retrained.h5")));
        QVERIFY(waitForDelta(w));
        // A changed 2-D tensor is selected by default and its delta is drawn.
        const int row = w.selectedReportRow();
        QVERIFY(row >= 0);
        const auto& t = w.job()->result()->report.tensors[std::size_t(row)];
        QCOMPARE(t.aShape.size(), std::size_t(2));
        QCOMPARE(t.status, TensorDiffStatus::Changed);
        const HeatmapData& grid = w.heatmap()->data();
        QVERIFY(!grid.isEmpty());
        QCOMPARE(grid.sourceRows, t.aShape[0]);
        QCOMPARE(grid.sourceCols, t.aShape[1]);
        QVERIFY(grid.maxAbs > 0.0);
        QVERIFY(grid.maxAbs <= t.metrics->maxAbsDiff * (1 + 1e-9));
        std::uint64_t total = 0;
        for (auto c : w.histogram()->counts()) {
            total += c;
        }
        QCOMPARE(total, t.metrics->numel);
        QVERIFY(w.histogram()->message().isEmpty());

        // The grid is B - A: check one cell against the two tensors.
        const auto* na = w.job()->result()->a->findTensor(t.aPath);
        const auto* nb = w.job()->result()->b->findTensor(t.bPath);
        QVERIFY(na && nb);
        ckpt::core::DeltaReader reader(na->tensor(), nb->tensor());
        double d = 0.0;
        reader.read(0, 1, &d);
        if (grid.blockRows == 1 && grid.blockCols == 1) {
            QCOMPARE(double(grid.at(0, 0)), double(static_cast<float>(d)));
        }

        // Selecting in the table selects the same pair in the aligned tree and recomputes.
        const QModelIndex other = w.metricsProxy()->index(1, 0);
        const int otherRow = other.data(compare_style::kReportRowRole).toInt();
        w.metricsView()->setCurrentIndex(other);
        QCOMPARE(w.selectedReportRow(), otherRow);
        QCOMPARE(w.pairView()->currentIndex().data(compare_style::kReportRowRole).toInt(),
                 otherRow);
        QVERIFY(waitForDelta(w));
        QVERIFY(w.histogram()->message().isEmpty());
    }

    void layerAddedAndRemovedAreGreenAndRed() {
        CompareWindow w;
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("layer_added.h5")));
        auto rows = pairRows(*w.pairModel(), *w.job()->result());
        QCOMPARE(rows.size(), 10);
        for (int k = 0; k < 4; ++k) {
            const QModelIndex i = rows.value(QStringLiteral("batch_normalization/%1").arg(k));
            QVERIFY(i.isValid());
            QCOMPARE(i.data(compare_style::kStatusRole).toInt(),
                     static_cast<int>(TensorDiffStatus::Added));
            QCOMPARE(background(i), compare_style::statusBackground(TensorDiffStatus::Added));
            QCOMPARE(i.siblingAtColumn(ComparePairModel::AColumn).data().toString(),
                     QStringLiteral("—"));
        }
        QVERIFY(!rows.value("dense/0").data(Qt::BackgroundRole).isValid());
        // The added layer's group row is green too.
        const QModelIndex group = rows.value("batch_normalization/0").parent();
        QCOMPARE(group.data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(TensorDiffStatus::Added));
        QCOMPARE(w.configModel()->index(0, 0).data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(ConfigChangeKind::LayerAdded));
        QVERIFY(w.summaryText().contains(QStringLiteral("4 added / 0 removed")));
        // An equal pair has nothing to draw, and says so.
        w.selectReportRow(rows.value("dense/0").data(compare_style::kReportRowRole).toInt());
        QVERIFY(waitForDelta(w));
        QVERIFY(w.heatmap()->message().startsWith(QStringLiteral("No difference")));

        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("layer_removed.h5")));
        rows = pairRows(*w.pairModel(), *w.job()->result());
        int removed = 0;
        for (const QModelIndex& i : rows) {
            if (i.data(compare_style::kStatusRole).toInt() ==
                static_cast<int>(TensorDiffStatus::Removed)) {
                ++removed;
                QCOMPARE(background(i), compare_style::statusBackground(TensorDiffStatus::Removed));
                QCOMPARE(i.siblingAtColumn(ComparePairModel::BColumn).data().toString(),
                         QStringLiteral("—"));
            }
        }
        QVERIFY(removed >= 2);
        QCOMPARE(w.configModel()->index(0, 0).data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(ConfigChangeKind::LayerRemoved));
    }

    void shapeChangesAreDistinctAndHaveNoDelta() {
        CompareWindow w;
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("units_changed.h5")));
        const auto result = w.job()->result();
        const auto rows = pairRows(*w.pairModel(), *result);
        const QModelIndex kernel = rows.value("dense_1/0");
        QCOMPARE(kernel.data(compare_style::kStatusRole).toInt(),
                 static_cast<int>(TensorDiffStatus::ShapeChanged));
        const QColor violet = compare_style::statusBackground(TensorDiffStatus::ShapeChanged);
        QCOMPARE(background(kernel), violet);
        QVERIFY(violet != compare_style::statusBackground(TensorDiffStatus::Changed));
        QCOMPARE(kernel.siblingAtColumn(ComparePairModel::StatusColumn).data().toString(),
                 QStringLiteral("[16, 16] → [16, 24]"));
        QCOMPARE(w.configModel()->index(0, ConfigChangeModel::PathColumn).data().toString(),
                 QStringLiteral("layers[3].config.units"));

        QVERIFY(waitForDelta(w));
        w.selectReportRow(rows.value("dense_1/0").data(compare_style::kReportRowRole).toInt());
        QVERIFY(waitForDelta(w));
        QVERIFY(w.heatmap()->data().isEmpty());
        QVERIFY(!w.heatmap()->message().isEmpty());
        QVERIFY(w.histogram()->counts().empty());
    }

    void missingFileFailsAndTheWindowStaysUsable() {
        CompareWindow w;
        QStringList errors;
        w.setErrorPresenter([&](const QString&, const QString& m) { errors << m; });
        QVERIFY(!runCompare(w, diffFixture("base.h5"), diffFixture("no_such_file.h5")));
        QCOMPARE(w.job()->state(), CompareJob::State::Failed);
        QCOMPARE(errors.size(), 1);
        QVERIFY(w.summaryText().contains(QStringLiteral("failed")));
        QVERIFY(runCompare(w, diffFixture("base.h5"), diffFixture("layer_renamed.h5")));
    }

    void cancelStopsALargeComparison() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath("a.npy");
        const QString b = dir.filePath("b.npy");
        QVERIFY(writeNpy(a, 2048, 2048, 0.001f));
        QVERIFY(writeNpy(b, 2048, 2048, 0.0011f));

        CompareWindow w;
        w.show();
        // Cancel as soon as the job reports its first progress, while it is still running.
        bool pressed = false;
        connect(w.job(), &CompareJob::progress, &w, [&](int, const QString&) {
            if (!pressed) {
                pressed = true;
                QVERIFY(w.job()->isRunning());
                w.findChild<QPushButton*>(QStringLiteral("cancelCompare"))->click();
            }
        });
        QSignalSpy cancelled(w.job(), &CompareJob::cancelled);
        QVERIFY(!runCompare(w, a, b));
        QVERIFY(pressed);
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(w.job()->state(), CompareJob::State::Cancelled);
        QVERIFY(w.summaryText().contains(QStringLiteral("cancelled")));
        QCOMPARE(w.pairModel()->rowCount(), 0);
        // Still usable: the same files compare to the end afterwards.
        QVERIFY(runCompare(w, a, b));
        QCOMPARE(w.job()->result()->report.summary.changed, std::size_t(1));
        QVERIFY(waitForDelta(w));
        QCOMPARE(w.heatmap()->data().sourceRows, std::uint64_t(2048));
        QVERIFY(w.heatmap()->data().rows <= DeltaJob::kMaxSide);
    }

    void mainWindowComparesTwoOpenDocuments() {
        MainWindow main;
        QStringList errors;
        main.setErrorPresenter([&](const QString&, const QString& m) { errors << m; });
        QCOMPARE(main.actions()->compareWith->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_D));
        QSignalSpy idle(main.session()->loader(), &LoadController::busyChanged);
        main.openFiles({diffFixture("base.h5"), diffFixture("retrained.h5")});
        while (main.session()->loader()->isBusy()) {
            QVERIFY(idle.wait(30000));
        }
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        main.actions()->compareOpen->trigger();
        const auto windows = main.findChildren<CompareWindow*>();
        QCOMPARE(windows.size(), 1);
        CompareWindow* w = windows.first();
        QVERIFY(w->isWindow());
        if (w->job()->isRunning()) {
            QSignalSpy done(w, &CompareWindow::compareDone);
            QVERIFY(done.wait(30000));
        }
        QCOMPARE(w->job()->state(), CompareJob::State::Finished);
        QCOMPARE(
            w->job()->result()->report.summary.changed + w->job()->result()->report.summary.equal,
            std::size_t(6));
        QVERIFY(w->job()->result()->report.summary.changed >= 5);
    }
};

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
