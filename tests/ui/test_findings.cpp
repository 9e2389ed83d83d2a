// The Findings tab: the validator runs in the background for the current file, and a finding
// leads to where it sits (a tensor in the tree, or a layer of the config).

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QtTest>
#include <cmath>

#include "checkpoint_factory.h"
#include "core/validate/validator.h"
#include "ui/controllers/session_controller.h"
#include "ui/controllers/validation_reports.h"
#include "ui/jobs/load_controller.h"
#include "ui/jobs/validation_job.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/findings_model.h"
#include "ui/panels/architecture_panel.h"
#include "ui/panels/findings_panel.h"
#include "ui/panels/tree_panel.h"

using namespace ckpt::ui;

namespace {

double nanAtThree(std::uint64_t i) {
    return i == 3 ? std::nan("") : 0.25;
}

// The small model with a Lambda in place of its Dropout and a NaN in dense_1's bias.
std::unique_ptr<ckpt::core::Checkpoint> suspiciousModel() {
    auto c = ckpt::test::makeSmallModel();
    auto& layers = c->config()["config"]["layers"];
    layers[3] = ckpt::core::Json::parse(R"({"class_name": "Lambda", "config": {"name": "dropout",
        "function": ["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARsAUwCpAk4=", null, null],
        "function_type": "lambda", "output_shape": null}})");
    ckpt::test::TensorBuilder b;
    b.add("extra/bad_bias:0", {8}, nanAtThree);
    b.build(c->root());
    return c;
}

int findRule(const FindingsModel* model, const QString& rule) {
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, FindingsModel::RuleColumn).data().toString() == rule) {
            return r;
        }
    }
    return -1;
}

}  // namespace

class TestFindings : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_findings");
    }

    void modelShowsAReport() {
        auto report = std::make_shared<ckpt::core::ValidationReport>();
        ckpt::core::Finding f;
        f.rule = "CKPT-I001";
        f.category = ckpt::core::FindingCategory::Integrity;
        f.severity = ckpt::core::Severity::Error;
        f.path = "a/b";
        f.message = "a/b holds 1 NaN";
        f.advice = "retrain";
        report->findings.push_back(f);
        FindingsModel model;
        QAbstractItemModelTester tester(&model);
        model.setReport(report);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, FindingsModel::SeverityColumn).data().toString(), QString("error"));
        QCOMPARE(model.index(0, FindingsModel::PathColumn).data().toString(), QString("a/b"));
        QVERIFY(model.index(0, 0).data(FindingsModel::DetailRole).toString().contains("retrain"));
        QVERIFY(!model.index(0, 0).data(Qt::DecorationRole).isNull());
    }

    void partsFilterAndGroups() {
        auto report = std::make_shared<ckpt::core::ValidationReport>();
        const auto add = [&](std::string rule, ckpt::core::Severity sev, std::string path,
                             std::string symbol) {
            ckpt::core::Finding f;
            f.rule = std::move(rule);
            f.category = ckpt::core::FindingCategory::Unserializable;
            f.severity = sev;
            f.path = std::move(path);
            f.symbol = std::move(symbol);
            f.message = "m";
            f.advice =
                "Drop it in __getstate__ and recreate it in __setstate__, a long advice "
                "that the column cannot show in full.";
            report->findings.push_back(std::move(f));
        };
        add("CKPT-U001", ckpt::core::Severity::Error, "<root>.queue", "queue.Queue");
        report->findings.back().parts = {
            {"<root>.queue.mutex", "dill._dill._create_lock", 841, "a lock"},
            {"<root>.queue.not_empty", "threading.Condition", 858, "c"}};
        add("CKPT-U001", ckpt::core::Severity::Error, "<root>.lock", "dill._dill._create_lock");
        add("CKPT-P003", ckpt::core::Severity::Info, "<root>", "mymodels.Holder");
        FindingsModel model;
        QAbstractItemModelTester tester(&model);
        model.setReport(report);
        QCOMPARE(model.rowCount(), 3);
        const QModelIndex queue = model.index(0, 0);
        QCOMPARE(model.rowCount(queue), 2);  // the parts, below their finding
        QCOMPARE(model.index(0, FindingsModel::PathColumn, queue).data().toString(),
                 QString("<root>.queue.mutex"));
        QCOMPARE(model.index(0, 0, queue).data(FindingsModel::KindRole).toInt(),
                 int(FindingsModel::PartRow));
        QVERIFY(model.index(0, FindingsModel::PathColumn).data().toString().contains("+2 parts"));
        // The advice is readable in full in its tooltip.
        QVERIFY(model.index(0, FindingsModel::AdviceColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("cannot show in full"));

        model.setMinimumSeverity(ckpt::core::Severity::Warning);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.shownFindings(), 2);
        model.setMinimumSeverity(ckpt::core::Severity::Info);

        model.setGrouping(FindingsModel::Grouping::Rule);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.index(0, 0).data().toString().startsWith("CKPT-U001"));
        QCOMPARE(model.rowCount(model.index(0, 0)), 2);
        QCOMPARE(model.index(0, 0).data(FindingsModel::FindingRole).toInt(), -1);
        QCOMPARE(model.rowCount(model.index(0, 0, model.index(0, 0))), 2);  // parts still there
        model.setGrouping(FindingsModel::Grouping::Module);
        QStringList modules;
        for (int r = 0; r < model.rowCount(); ++r) {
            modules << model.index(r, 0).data().toString();
        }
        QCOMPARE(modules, (QStringList{"queue (1)", "dill._dill (1)", "mymodels (1)"}));
        model.setGrouping(FindingsModel::Grouping::Member);
        QCOMPARE(model.rowCount(), 3);  // <root>.queue, <root>.lock, <root>
    }

    void findingsArriveAndLeadToTheirPlace() {
        MainWindow w;
        w.session()->loader()->setOpenFunction(
            [](const LoadRequest&, const ckpt::core::ProgressFn&) { return suspiciousModel(); });
        w.show();
        FindingsPanel* panel = w.findingsPanel();
        QSignalSpy validated(w.session()->reports()->job(), &ValidationJob::finished);
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({"/models/suspicious.h5"});
        QVERIFY(opened.wait(10000));
        QVERIFY(validated.count() == 1 || validated.wait(10000));

        const FindingsModel* model = panel->model();
        const int lambda = findRule(model, "CKPT-P004");
        const int nan = findRule(model, "CKPT-I001");
        QVERIFY2(lambda >= 0, qPrintable(panel->summaryText()));
        QVERIFY2(nan >= 0, qPrintable(panel->summaryText()));
        QCOMPARE(model->index(nan, FindingsModel::PathColumn).data().toString(),
                 QString("extra/bad_bias:0"));
        QVERIFY(w.tabs()->tabText(MainWindow::FindingsTab).startsWith("Findings ("));

        // A NaN finding selects its tensor in the tree...
        w.showTab(MainWindow::FindingsTab);
        QTreeView* table = panel->table();
        auto proxyRow = [&](int sourceRow) {
            for (int r = 0; r < table->model()->rowCount(); ++r) {
                if (table->model()->index(r, FindingsModel::RuleColumn).data().toString() ==
                    model->index(sourceRow, FindingsModel::RuleColumn).data().toString()) {
                    return table->model()->index(r, 0);
                }
            }
            return QModelIndex();
        };
        emit table->activated(proxyRow(nan));
        QCOMPARE(w.treePanel()->currentIndex().data(CheckpointTreeModel::PathRole).toString(),
                 QString("extra/bad_bias:0"));
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::TensorTab));

        // ...and a Lambda finding shows the layer in the Architecture tab.
        emit table->activated(proxyRow(lambda));
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::ArchitectureTab));
        QCOMPARE(w.architecturePanel()->layerView()->currentIndex().row(), 3);

        // Results are kept per file: coming back does not validate again.
        QVERIFY(!w.session()->reports()->job()->isRunning());
    }

    void reportsBelongToTheSession() {
        // One report per document, checked once, kept while the document lives; only the
        // document asked for last is checked.
        ValidationReports reports;
        QSignalSpy ready(&reports, &ValidationReports::ready);
        std::shared_ptr<const ckpt::core::Checkpoint> a = ckpt::test::makeFlatModel(3);
        std::shared_ptr<const ckpt::core::Checkpoint> b = ckpt::test::makeFlatModel(2);
        reports.request(a);
        QCOMPARE(reports.running(), a.get());
        QVERIFY(ready.wait(10000));
        QVERIFY(reports.report(a.get()) != nullptr);
        reports.request(a);  // known: nothing starts
        QVERIFY(!reports.job()->isRunning());
        reports.request(b);
        QVERIFY(reports.job()->isRunning());
        reports.request(nullptr);  // b's check stops, no report
        QVERIFY(!reports.job()->isRunning());
        QTest::qWait(50);
        QCOMPARE(ready.count(), 1);
        QVERIFY(reports.report(b.get()) == nullptr);
        const ckpt::core::Checkpoint* key = a.get();
        ready.clear();  // the spy holds the checkpoint too
        a.reset();
        QVERIFY(reports.report(key) == nullptr);  // closed documents' reports go
    }

    void aCleanFileSaysSo() {
        MainWindow w;
        w.session()->loader()->setOpenFunction(
            [](const LoadRequest&, const ckpt::core::ProgressFn&) {
                return ckpt::test::makeFlatModel(3);
            });
        w.show();
        QSignalSpy validated(w.session()->reports()->job(), &ValidationJob::finished);
        w.openFiles({"/models/clean.safetensors"});
        QVERIFY(validated.wait(10000));
        QCOMPARE(w.findingsPanel()->model()->rowCount(), 0);
        QVERIFY(w.findingsPanel()->summaryText().contains("No findings"));
        QCOMPARE(w.tabs()->tabText(MainWindow::FindingsTab), QString("Findings"));
    }
};

QTEST_MAIN(TestFindings)
#include "test_findings.moc"
