// Findings in the tree and on the Overview: the node a finding names carries its severity
// (dot, tooltip, FindingSeverityRole), its ancestors a "contains findings" mark, clean nodes
// nothing; the Overview badge counts the findings and leads to the Findings tab; a single click
// on a finding selects its node without leaving the tab.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeView>
#include <QtTest>
#include <cmath>

#include "checkpoint_factory.h"
#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/validate/finding_location.h"
#include "core/validate/validator.h"
#include "ui/controllers/session_controller.h"
#include "ui/controllers/validation_reports.h"
#include "ui/jobs/load_controller.h"
#include "ui/jobs/validation_job.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/findings_model.h"
#include "ui/panels/findings_panel.h"
#include "ui/panels/overview_panel.h"
#include "ui/panels/tree_panel.h"
#include "ui/widgets/findings_badge.h"
#include "ui/widgets/node_icons.h"

using namespace ckpt::ui;
using ckpt::core::Severity;

namespace {

double nanAtThree(std::uint64_t i) {
    return i == 3 ? std::nan("") : 0.25;
}

// The small model with a Lambda in place of its Dropout (layers[3], group
// model_weights/dropout) and a NaN in extra/bad_bias:0.
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

QVariant role(CheckpointTreeModel& m, int doc, const std::string& path, int r) {
    const QModelIndex i = m.indexForPath(doc, path);
    return i.isValid() ? i.data(r) : QVariant(QStringLiteral("<no node %1>").arg(path.c_str()));
}

}  // namespace

class TestFindingMarks : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_finding_marks");
    }

    void findingPathsMapToNodes() {
        // `<root>.rlock` of a real dill pickle is the tree node `rlock`.
        const auto c =
            ckpt::core::openCheckpoint(ckpt::test::fixture("py/dill_rlock.pkl").toStdString());
        const auto report = ckpt::core::validateCheckpoint(*c);
        bool seen = false;
        for (const auto& f : report.findings) {
            if (f.path == "<root>.rlock") {
                const auto where = ckpt::core::locateFinding(*c, f);
                QVERIFY(where.exact);
                QCOMPARE(where.node->path(), std::string("rlock"));
                seen = true;
            }
        }
        QVERIFY(seen);
        // Config entries map to the layer's group, tensors to themselves, the rest to the
        // deepest node that exists.
        const auto model = suspiciousModel();
        ckpt::core::Finding f;
        f.path = "model_config/layers[3]";
        QCOMPARE(ckpt::core::locateFinding(*model, f).node->path(),
                 std::string("model_weights/dropout"));
        f.path = "model_config/layers[4]";
        QCOMPARE(ckpt::core::locateFinding(*model, f).node->path(),
                 std::string("model_weights/dense_1"));
        f.path = "extra/bad_bias:0";
        QCOMPARE(ckpt::core::locateFinding(*model, f).node->path(), f.path);
        f.path = "model_weights/dense/nothing/here";
        const auto near = ckpt::core::locateFinding(*model, f);
        QVERIFY(!near.exact);
        QCOMPARE(near.node->path(), std::string("model_weights/dense"));
    }

    void flaggedNodesAndAncestorsAreMarked() {
        std::shared_ptr<ckpt::core::Checkpoint> c =
            ckpt::core::openCheckpoint(ckpt::test::fixture("py/dill_all.pkl").toStdString());
        const auto report =
            std::make_shared<ckpt::core::ValidationReport>(ckpt::core::validateCheckpoint(*c));
        CheckpointTreeModel model;
        QAbstractItemModelTester tester(&model);
        const int doc = model.addDocument(c, "/x/dill_all.pkl", "dill_all.pkl");
        // Pick an unserializable member two levels down, and a clean sibling.
        // (a part of a finding: the Queue's mutex is part of the finding about the Queue)
        std::string flagged;
        for (const auto& f : report->findings) {
            for (const auto& p : f.parts) {
                auto part = f;
                part.path = p.path;
                const auto where = ckpt::core::locateFinding(*c, part);
                if (f.category == ckpt::core::FindingCategory::Unserializable &&
                    f.severity == Severity::Error && where.exact &&
                    where.node->parent() != &c->root()) {
                    flagged = where.node->path();
                    break;
                }
            }
            if (!flagged.empty()) {
                break;
            }
        }
        QVERIFY2(!flagged.empty(), "no nested unserializable member in dill_all.pkl");
        const std::string parent = flagged.substr(0, flagged.rfind('/'));

        QVERIFY(!role(model, doc, flagged, CheckpointTreeModel::FindingSeverityRole).isValid());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setFindings(c, report);
        QVERIFY(changed.count() > 0);  // the exposed rows were told

        QCOMPARE(role(model, doc, flagged, CheckpointTreeModel::FindingSeverityRole).toInt(),
                 int(Severity::Error));
        QVERIFY(role(model, doc, flagged, CheckpointTreeModel::FindingCountRole).toInt() >= 1);
        QVERIFY(role(model, doc, flagged, Qt::ToolTipRole).toString().contains("CKPT-U001"));
        // Its ancestors (the document row included) say that something inside is flagged.
        QCOMPARE(role(model, doc, parent, CheckpointTreeModel::ContainsFindingsRole).toInt(),
                 int(Severity::Error));
        QCOMPARE(model.documentIndex(doc).data(CheckpointTreeModel::ContainsFindingsRole).toInt(),
                 int(Severity::Error));
        QVERIFY(model.documentIndex(doc).data(Qt::ToolTipRole).toString().contains("inside"));
        // A clean node has neither mark.
        const ckpt::core::Node* clean = nullptr;
        const auto* marks = model.findingMarks(doc);
        QVERIFY(marks != nullptr);
        for (const auto& child : c->root().children()) {
            if (marks->at(child.get()) == nullptr) {
                clean = child.get();
                break;
            }
        }
        QVERIFY2(clean != nullptr, "every top-level member is flagged");
        QVERIFY(
            !role(model, doc, clean->path(), CheckpointTreeModel::FindingSeverityRole).isValid());
        QVERIFY(
            !role(model, doc, clean->path(), CheckpointTreeModel::ContainsFindingsRole).isValid());
        QCOMPARE(role(model, doc, clean->path(), CheckpointTreeModel::FindingCountRole).toInt(), 0);
        // A dot on the flagged node's icon, the plain icon on the clean one.
        const auto key = [&](const std::string& p) {
            return role(model, doc, p, Qt::DecorationRole).value<QIcon>().cacheKey();
        };
        const auto plain = [&](const std::string& p) {
            return NodeIcons::forKind(int(c->root().find(p)->kind())).cacheKey();
        };
        QVERIFY(key(flagged) != plain(flagged));
        QCOMPARE(key(clean->path()), plain(clean->path()));

        // Clearing the report clears the marks.
        model.setFindings(c, nullptr);
        QVERIFY(!role(model, doc, flagged, CheckpointTreeModel::FindingSeverityRole).isValid());
        QVERIFY(
            !model.documentIndex(doc).data(CheckpointTreeModel::ContainsFindingsRole).isValid());
    }

    void badgeTexts() {
        QCOMPARE(FindingsBadge::textFor({FindingsStatus::State::Done, 2, 1, 3}),
                 QString("2 errors · 1 warning · 3 info"));
        QCOMPARE(FindingsBadge::textFor({FindingsStatus::State::Done, 1, 0, 0}),
                 QString("1 error"));
        QCOMPARE(FindingsBadge::textFor({FindingsStatus::State::Done}), QString("No findings"));
        QCOMPARE(FindingsBadge::textFor({FindingsStatus::State::Running}), QString("Validating…"));
        QVERIFY(FindingsBadge::colorFor({FindingsStatus::State::Done, 1, 0, 0}) !=
                FindingsBadge::colorFor({FindingsStatus::State::Done}));
    }

    void windowMarksTreeAndBadge() {
        MainWindow w;
        w.session()->loader()->setOpenFunction(
            [](const LoadRequest&, const ckpt::core::ProgressFn&) { return suspiciousModel(); });
        w.show();
        QSignalSpy validated(w.session()->reports()->job(), &ValidationJob::finished);
        QSignalSpy status(w.findingsPanel(), &FindingsPanel::statusChanged);
        w.openFiles({"/models/suspicious.h5"});
        QVERIFY(validated.wait(10000));
        FindingsBadge* badge = w.overviewPanel()->findingsBadge();
        // It said "Validating…" first, then the counts.
        QVERIFY(status.count() >= 2);
        QCOMPARE(status.first().at(0).value<FindingsStatus>().state,
                 FindingsStatus::State::Running);
        QCOMPARE(badge->text(), QString("2 warnings"));
        QVERIFY(badge->isVisibleTo(w.overviewPanel()));

        CheckpointTreeModel* model = w.session()->model();
        QCOMPARE(role(*model, 0, "model_weights/dropout", CheckpointTreeModel::FindingSeverityRole)
                     .toInt(),
                 int(Severity::Warning));
        QCOMPARE(
            role(*model, 0, "extra/bad_bias:0", CheckpointTreeModel::FindingSeverityRole).toInt(),
            int(Severity::Warning));
        QCOMPARE(
            role(*model, 0, "model_weights", CheckpointTreeModel::ContainsFindingsRole).toInt(),
            int(Severity::Warning));
        QVERIFY(!role(*model, 0, "model_weights/dense", CheckpointTreeModel::FindingSeverityRole)
                     .isValid());
        QVERIFY(!role(*model, 0, "model_weights/dense", CheckpointTreeModel::ContainsFindingsRole)
                     .isValid());

        // A click on the badge shows the Findings tab...
        w.showTab(MainWindow::OverviewTab);
        QTest::mouseClick(badge, Qt::LeftButton);
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::FindingsTab));
        // ...and a single click on a finding selects its node and stays there.
        QTreeView* table = w.findingsPanel()->table();
        QModelIndex lambdaRow;
        for (int r = 0; r < table->model()->rowCount(); ++r) {
            if (table->model()->index(r, FindingsModel::RuleColumn).data() == "CKPT-P004") {
                lambdaRow = table->model()->index(r, FindingsModel::MessageColumn);
            }
        }
        QVERIFY(lambdaRow.isValid());
        QCOMPARE(table->model()->headerData(FindingsModel::AdviceColumn, Qt::Horizontal).toString(),
                 QString("What to do"));
        QVERIFY(
            !lambdaRow.siblingAtColumn(FindingsModel::AdviceColumn).data().toString().isEmpty());
        table->scrollTo(lambdaRow);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(lambdaRow).center());
        QCOMPARE(w.treePanel()->currentIndex().data(CheckpointTreeModel::PathRole).toString(),
                 QString("model_weights/dropout"));
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::FindingsTab));
    }

    void cleanFileBadge() {
        MainWindow w;
        w.session()->loader()->setOpenFunction(
            [](const LoadRequest&, const ckpt::core::ProgressFn&) {
                return ckpt::test::makeFlatModel(3);
            });
        w.show();
        QSignalSpy validated(w.session()->reports()->job(), &ValidationJob::finished);
        w.openFiles({"/models/clean.safetensors"});
        QVERIFY(validated.wait(10000));
        QCOMPARE(w.overviewPanel()->findingsBadge()->text(), QString("No findings"));
        QVERIFY(!w.session()
                     ->model()
                     ->documentIndex(0)
                     .data(CheckpointTreeModel::ContainsFindingsRole)
                     .isValid());
    }
};

QTEST_MAIN(TestFindingMarks)
#include "test_finding_marks.moc"
