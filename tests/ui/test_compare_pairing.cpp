// The Compare window tells how far to trust a pairing: roots of different classes are named
// first in the summary, and pairs found by position or shape are marked (icon, tooltip, a
// "paired by" column) and counted.

#include <QSignalSpy>
#include <QtTest>

#include "common/test_support.h"
#include "ui/compare/compare_job.h"
#include "ui/compare/compare_pair_model.h"
#include "ui/compare/compare_style.h"
#include "ui/compare/compare_tables.h"
#include "ui/compare/compare_window.h"

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
};

QTEST_MAIN(TestComparePairing)
#include "test_compare_pairing.moc"
