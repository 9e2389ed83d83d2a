// The Compare window tells how far to trust a pairing: roots of different classes are named
// first in the summary, and pairs found by position or shape are marked (icon, tooltip, a
// "paired by" column) and counted.

#include <QCheckBox>
#include <QFile>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include "common/test_support.h"
#include "ui/compare/compare_pair_model.h"
#include "ui/compare/compare_style.h"
#include "ui/compare/compare_tables.h"
#include "ui/compare/compare_window.h"
#include "ui/jobs/compare_job.h"

using namespace ckpt::ui;

namespace {

bool runCompare(CompareWindow& w, const QString& a, const QString& b) {
    QSignalSpy done(&w, &CompareWindow::compareDone);
    w.compare({{}, a, {}}, {{}, b, {}});
    if (done.isEmpty() && !done.wait(60000)) {
        return false;
    }
    return w.job()->state() == CompareJob::State::Finished;
}

QString sk(const char* name) {
    return ckpt::test::fixture(QStringLiteral("sklearn/") + name);
}

QString layout(const char* name) {
    return ckpt::test::fixture(QStringLiteral("diff/layouts/") + name);
}

/// A float32 .npy of `values`.
bool writeNpy(const QString& path, const std::vector<float>& values) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        return false;
    }
    QByteArray header = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1,), }")
                            .arg(values.size())
                            .toLatin1();
    while ((10 + header.size() + 1) % 64 != 0) {
        header.append(' ');
    }
    header.append('\n');
    QByteArray prefix("\x93NUMPY\x01\x00", 8);
    prefix.append(static_cast<char>(header.size() & 0xff))
        .append(static_cast<char>(header.size() >> 8));
    f.write(prefix + header);
    f.write(reinterpret_cast<const char*>(values.data()),
            static_cast<qint64>(values.size() * sizeof(float)));
    return f.error() == QFile::NoError;
}

}  // namespace

class TestComparePairing : public QObject {
    Q_OBJECT

private slots:
    void differentClassesAreSaidFirst() {
        CompareWindow w;
        QVERIFY(runCompare(w, sk("linreg.pkl"), sk("pipeline.pkl")));
        const QString text = w.summaryText();
        QVERIFY2(text.startsWith(QStringLiteral("<span style='color:#b00020'><b>Different "
                                                "classes:</b> A is "
                                                "sklearn.linear_model._base.LinearRegression, "
                                                "B is sklearn.pipeline.Pipeline.")),
                 qPrintable(text));
        // Said once: the class note is not repeated among the other notes.
        QCOMPARE(text.count(QStringLiteral("LinearRegression")), 1);

        QVERIFY(runCompare(w, sk("linreg.pkl"), sk("linreg_b.pkl")));
        QVERIFY(!w.summaryText().contains(QStringLiteral("Different classes")));
    }

    void guessedPairsAreMarkedAndCounted() {
        CompareWindow w;
        QVERIFY(runCompare(w, sk("linreg.pkl"), sk("pipeline.pkl")));
        const auto& report = w.job()->result()->report;
        int guessed = 0;
        for (std::size_t i = 0; i < report.tensors.size(); ++i) {
            const auto& t = report.tensors[i];
            const int row = static_cast<int>(i);
            const QModelIndex cell =
                w.metricsModel()->index(row, CompareMetricsModel::PairedByColumn);
            const QModelIndex status =
                w.pairModel()->indexForReportRow(row, ComparePairModel::StatusColumn);
            QCOMPARE(cell.data().toString(), compare_style::pairedByText(t.pairedBy));
            QCOMPARE(cell.data(Qt::DecorationRole).isValid(),
                     ckpt::core::pairedByGuess(t.pairedBy));
            QCOMPARE(status.data(Qt::DecorationRole).isValid(),
                     ckpt::core::pairedByGuess(t.pairedBy));
            if (ckpt::core::pairedByGuess(t.pairedBy)) {
                ++guessed;
                QVERIFY(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("a guess")));
                QVERIFY(
                    status.data(Qt::ToolTipRole).toString().contains(QStringLiteral("Paired by")));
            }
        }
        // coef_ (3,) of the regression against the scaler's mean_ (3,): a pair by shape only.
        QVERIFY(guessed >= 1);
        QCOMPARE(std::size_t(guessed),
                 report.summary.pairedByShape + report.summary.pairedByPosition);
        QVERIFY2(w.summaryText().contains(
                     QStringLiteral("≈ %1 paired by position or shape").arg(guessed)),
                 qPrintable(w.summaryText()));
        QCOMPARE(
            w.metricsModel()
                ->headerData(CompareMetricsModel::PairedByColumn, Qt::Horizontal, Qt::DisplayRole)
                .toString(),
            QStringLiteral("paired by"));

        // Pairs by name carry no mark, and the summary says nothing about guesses.
        QVERIFY(runCompare(w, sk("linreg.pkl"), sk("linreg_b.pkl")));
        for (int r = 0; r < w.metricsModel()->rowCount(); ++r) {
            const QModelIndex cell =
                w.metricsModel()->index(r, CompareMetricsModel::PairedByColumn);
            QCOMPARE(cell.data().toString(), QStringLiteral("name"));
            QVERIFY(!cell.data(Qt::DecorationRole).isValid());
        }
        QVERIFY(!w.summaryText().contains(QStringLiteral("paired by position")));
    }

    void weightsOnlyHidesTrainingState() {
        CompareWindow w;
        QVERIFY(runCompare(w, layout("dense_bn.weights.h5"), layout("dense_bn.h5")));
        const int all = w.metricsModel()->rowCount();
        QCOMPARE(all, 8 + 14);  // the model's weights and Adam's variables (only in A)
        QVERIFY(w.summaryText().contains(QStringLiteral("14 removed")));
        w.weightsOnlyBox()->setChecked(true);
        QCOMPARE(w.metricsModel()->rowCount(), 8);
        QCOMPARE(w.shownResult()->report.summary.removed, std::size_t{0});
        QVERIFY(w.summaryText().startsWith(QStringLiteral("Identical within tolerance")));
        QVERIFY(w.summaryText().contains(QStringLiteral("model weights only: 14 optimizer")));
        for (int r = 0; r < w.metricsModel()->rowCount(); ++r) {
            QVERIFY(!w.metricsModel()->index(r, 0).data().toString().contains("optimizer"));
        }
        // The job's own result is untouched; switching back shows everything again.
        QCOMPARE(w.job()->result()->report.tensors.size(), std::size_t(all));
        w.weightsOnlyBox()->setChecked(false);
        QCOMPARE(w.metricsModel()->rowCount(), all);
    }

    void configPaneCollapsesWhenNothingToCompare() {
        CompareWindow w;
        w.show();
        // A .weights.h5 has no config: nothing to compare, no pane.
        QVERIFY(runCompare(w, layout("dense_bn.weights.h5"), layout("dense_bn.h5")));
        QVERIFY(!w.configPane()->isVisible());
        QVERIFY(runCompare(w, ckpt::test::fixture("diff/base.h5"),
                           ckpt::test::fixture("diff/retrained.h5")));
        QVERIFY(w.configPane()->isVisible());
    }

    void treeAndTableNameATensorAlike() {
        CompareWindow w;
        QVERIFY(runCompare(w, layout("nested.weights.h5"), layout("nested.h5")));
        const auto& report = w.shownResult()->report;
        for (std::size_t i = 0; i < report.tensors.size(); ++i) {
            const int row = static_cast<int>(i);
            const QString inTable = w.metricsModel()->index(row, 0).data().toString();
            const QModelIndex tree = w.pairModel()->indexForReportRow(
                row, report.tensors[i].aPath.empty() ? ComparePairModel::BColumn
                                                     : ComparePairModel::AColumn);
            QCOMPARE(inTable, tree.data().toString());
        }
    }

    void columnsFitAndPercentagesAgreeWithTheCli() {
        QTemporaryDir dir;
        std::vector<float> a(2000, 1.0f), b(2000, 2.0f);
        b[0] = 1.0f;  // 1999 of 2000 differ: 99.95 %, which must not read 100 %
        QVERIFY(writeNpy(dir.filePath("a.npy"), a));
        QVERIFY(writeNpy(dir.filePath("b.npy"), b));
        CompareWindow w;
        w.show();
        QVERIFY(runCompare(w, dir.filePath("a.npy"), dir.filePath("b.npy")));
        const QString cell =
            w.metricsModel()->index(0, CompareMetricsModel::MismatchedColumn).data().toString();
        QVERIFY2(cell.endsWith(QStringLiteral("(99.95 %)")), qPrintable(cell));
        const auto cli = ckpt::test::run(ckpt::test::cliPath(),
                                         {"diff", dir.filePath("a.npy"), dir.filePath("b.npy")});
        QVERIFY2(cli.out.contains("(99.95 %)"), cli.out);
        QVERIFY(!cli.out.contains("100%") && !cli.out.contains("100 %"));

        // Every metric column is at least as wide as its header and its widest cell.
        QTableView* table = w.metricsView();
        const QFontMetrics fm(table->font());
        for (int c = CompareMetricsModel::StatusColumn; c < CompareMetricsModel::ColumnCount; ++c) {
            const QString head =
                w.metricsModel()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
            const int need =
                std::max(fm.horizontalAdvance(head),
                         fm.horizontalAdvance(w.metricsModel()->index(0, c).data().toString()));
            QVERIFY2(table->columnWidth(c) >= need, qPrintable(head));
        }
        QVERIFY(runCompare(w, ckpt::test::fixture("diff/base.h5"),
                           ckpt::test::fixture("diff/retrained.h5")));
        auto* config = w.findChild<QTableView*>(QStringLiteral("compareConfig"));
        QVERIFY(config);
        QCoreApplication::processEvents();  // the pane was hidden for the .npy pair
        const QFontMetrics cfm(config->horizontalHeader()->font());
        for (int c = ConfigChangeModel::KindColumn; c < ConfigChangeModel::ColumnCount; ++c) {
            if (c == ConfigChangeModel::PathColumn) {
                continue;  // the path gives way, elided, whole in its tooltip
            }
            const QString head =
                w.configModel()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
            QVERIFY2(config->columnWidth(c) >= cfm.horizontalAdvance(head), qPrintable(head));
            const int right = config->columnViewportPosition(c) + config->columnWidth(c);
            QVERIFY2(right <= config->viewport()->width(), qPrintable(head));
        }
    }
};

QTEST_MAIN(TestComparePairing)
#include "test_compare_pairing.moc"
