// Diffs whose roots are different kinds of object: two scikit-learn pickles of different classes
// (tests/fixtures/sklearn) must be reported as such before any tensor row, and the rule that
// decides when two root classes differ.

#include <QtTest>

#include "common/test_support.h"
#include "core/diff/checkpoint_diff.h"
#include "core/diff/diff_json.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

std::unique_ptr<Checkpoint> openFixture(const QString& name) {
    return openCheckpoint(ckpt::test::fixture("sklearn/" + name).toStdString());
}

}  // namespace

class TestDiffRoots : public QObject {
    Q_OBJECT

private slots:
    void classRule_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("differ");
        QTest::newRow("same") << "sklearn.pipeline.Pipeline"
                              << "sklearn.pipeline.Pipeline" << false;
        QTest::newRow("sklearn") << "sklearn.linear_model._base.LinearRegression"
                                 << "sklearn.pipeline.Pipeline" << true;
        QTest::newRow("unknown side") << ""
                                      << "sklearn.pipeline.Pipeline" << false;
        QTest::newRow("keras pickle vs config") << "keras.src.models.sequential.Sequential"
                                                << "Sequential" << false;
        QTest::newRow("keras classes") << "Sequential"
                                       << "Functional" << true;
        QTest::newRow("Model is Functional") << "Model"
                                             << "keras.src.models.functional.Functional" << false;
        QTest::newRow("same name, other module") << "a.Net"
                                                 << "b.Net" << true;
    }
    void classRule() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, differ);
        QCOMPARE(rootClassesDiffer(a.toStdString(), b.toStdString()), differ);
        QCOMPARE(rootClassesDiffer(b.toStdString(), a.toStdString()), differ);
    }

    void rootClassOfFiles() {
        const auto lin = openFixture("linreg.pkl");
        QCOMPARE(QString::fromStdString(checkpointRootClass(*lin)),
                 QStringLiteral("sklearn.linear_model._base.LinearRegression"));
        // A plain dict at the root is a container, not a class worth comparing.
        const auto dict = openFixture("object_array.pkl");
        QCOMPARE(QString::fromStdString(checkpointRootClass(*dict)), QString());
        const auto keras = openCheckpoint(ckpt::test::fixture("diff/base.h5").toStdString());
        QCOMPARE(QString::fromStdString(checkpointRootClass(*keras)), QStringLiteral("Sequential"));
    }

    void differentClassesAreSaidFirst() {
        const auto a = openFixture("linreg.pkl");
        const auto b = openFixture("pipeline.pkl");
        const DiffReport r = diffCheckpoints(*a, *b);
        QVERIFY(r.summary.classMismatch);
        QVERIFY(r.summary.different);
        QCOMPARE(QString::fromStdString(r.aClass),
                 QStringLiteral("sklearn.linear_model._base.LinearRegression"));
        QCOMPARE(QString::fromStdString(r.bClass), QStringLiteral("sklearn.pipeline.Pipeline"));
        QVERIFY(!r.notes.empty());
        QVERIFY2(QString::fromStdString(r.notes.front()).startsWith("the roots are different"),
                 r.notes.front().c_str());
        const Json j = diffReportJson(r);
        QVERIFY(j["class_mismatch"] == Json(true));
        QVERIFY(j["summary"]["class_mismatch"] == Json(true));
        QVERIFY(j["a"]["class"] == Json("sklearn.linear_model._base.LinearRegression"));
        QVERIFY(j["b"]["class"] == Json("sklearn.pipeline.Pipeline"));
    }

    void sameClassIsNoMismatch() {
        const auto a = openFixture("linreg.pkl");
        const auto b = openFixture("linreg_b.pkl");
        const DiffReport r = diffCheckpoints(*a, *b);
        QVERIFY(!r.summary.classMismatch);
        QVERIFY(diffReportJson(r)["class_mismatch"] == Json(false));
        for (const auto& n : r.notes) {
            QVERIFY2(n.find("different classes") == std::string::npos, n.c_str());
        }
        // Same class, refitted: coef_ and intercept_ pair by name and changed.
        QVERIFY(r.summary.changed >= 1);
        for (const auto& t : r.tensors) {
            QVERIFY2(t.aPath == t.bPath, t.aPath.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestDiffRoots)
#include "test_diff_roots.moc"
