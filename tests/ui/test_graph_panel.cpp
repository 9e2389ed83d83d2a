// The Graph tab as a user meets it: a Keras model drawn with one box per layer and its edges,
// search that centres the match, folding and unfolding a nested model, and the selection kept
// in step with the tree.

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/graph_job.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/layer_settings_model.h"
#include "ui/panels/architecture_panel.h"
#include "ui/panels/graph_panel.h"
#include "ui/panels/tree_panel.h"
#include "ui/widgets/graph_view.h"

using namespace ckpt::ui;
using ckpt::core::GraphNodeId;
using ckpt::core::kNoGraphNode;

namespace {

std::shared_ptr<const ckpt::core::Checkpoint> open(const QString& path) {
    return ckpt::core::openCheckpoint(std::filesystem::path(path.toStdString()));
}

/// Leaves of the graph (the boxes of a fully unfolded drawing).
std::size_t leaves(const ckpt::core::Graph& g) {
    std::size_t n = 0;
    for (const auto& node : g.nodes()) {
        n += node.children.empty() ? 1 : 0;
    }
    return n;
}

bool waitReady(GraphPanel& panel) {
    QSignalSpy ready(&panel, &GraphPanel::ready);
    return ready.wait(30000);
}

}  // namespace

class TestGraphPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_graph_panel");
    }

    // Every layer of a functional model is a box, every inbound connection an edge.
    void drawsEveryLayer() {
        GraphPanel panel;
        panel.resize(900, 700);
        panel.show();
        const auto checkpoint = open(ckpt::test::fixture("keras/k3_functional.keras"));
        panel.setCheckpoint(checkpoint);
        QVERIFY(waitReady(panel));
        QVERIFY(panel.graph());
        const auto& g = *panel.graph();
        QVERIFY(g.edgesAreDataFlow());
        QVERIFY(g.nodes().size() >= 2);
        QVERIFY(panel.collapsed().empty());
        for (GraphNodeId id = 0; id < g.nodes().size(); ++id) {
            if (g.node(id).children.empty()) {
                QVERIFY2(panel.view()->isDrawn(id), g.node(id).path.c_str());
            }
        }
        // Edge paths are drawn between boxes (each a QGraphicsPathItem).
        int paths = 0;
        for (QGraphicsItem* item : panel.view()->scene()->items()) {
            paths += item->type() == QGraphicsPathItem::Type ? 1 : 0;
        }
        QVERIFY(paths >= 1);
        QVERIFY(paths <= static_cast<int>(g.edges().size()));
    }

    // Ctrl+F's box: the match is selected and in the middle of the view; Enter moves on.
    void searchCentresTheMatch() {
        GraphPanel panel;
        panel.resize(600, 400);
        panel.show();
        const auto checkpoint = open(ckpt::test::fixture("keras/k3_functional.keras"));
        panel.setCheckpoint(checkpoint);
        QVERIFY(waitReady(panel));
        const auto& g = *panel.graph();
        const GraphNodeId last = static_cast<GraphNodeId>(g.nodes().size() - 1);
        const QString name = QString::fromStdString(g.node(last).name);
        QVERIFY(panel.findNext(name));
        const GraphNodeId found = panel.view()->selectedNode();
        QVERIFY(found != kNoGraphNode);
        QVERIFY(QString::fromStdString(g.node(found).name).contains(name, Qt::CaseInsensitive));
        const QRectF shown =
            panel.view()->mapToScene(panel.view()->viewport()->rect()).boundingRect();
        QVERIFY(shown.contains(panel.view()->nodeRect(found).center()));
        QVERIFY(!panel.findNext(QStringLiteral("no-such-layer-anywhere")));
    }

    // A nested model folds into one box and unfolds again on double click (toggleCollapsed).
    void foldsAndUnfoldsANestedModel() {
        GraphPanel panel;
        panel.resize(900, 700);
        panel.show();
        const auto checkpoint = open(ckpt::test::fixture("keras/k2_nested.h5"));
        panel.setCheckpoint(checkpoint);
        QVERIFY(waitReady(panel));
        const auto& g = *panel.graph();
        GraphNodeId nested = kNoGraphNode;
        for (GraphNodeId id = 0; id < g.nodes().size(); ++id) {
            if (!g.node(id).children.empty()) {
                nested = id;
                break;
            }
        }
        QVERIFY2(nested != kNoGraphNode, "k2_nested.h5 has a nested model");
        const GraphNodeId child = g.node(nested).children.front();
        QVERIFY(panel.view()->isDrawn(child));
        panel.toggleCollapsed(nested);
        QVERIFY(waitReady(panel));
        QVERIFY(panel.collapsed().count(nested) == 1);
        QVERIFY(panel.view()->isDrawn(nested));
        QVERIFY(!panel.view()->isDrawn(child));
        QCOMPARE(panel.view()->selectedNode(), nested);  // the fold keeps the focus
        panel.toggleCollapsed(nested);
        QVERIFY(waitReady(panel));
        QVERIFY(panel.view()->isDrawn(child));
    }

    // A graph bigger than the first screen can hold starts with its deeper levels folded.
    void bigHierarchiesStartFolded() {
        std::vector<ckpt::core::KeyedTensor> tensors;
        for (int block = 0; block < 40; ++block) {
            for (int layer = 0; layer < 20; ++layer) {
                tensors.push_back(
                    {"block" + std::to_string(block) + ".layer" + std::to_string(layer) + ".weight",
                     16, false});
            }
        }
        const auto graph = ckpt::core::buildKeyGraph(tensors);
        QVERIFY(leaves(graph) >= 800);
        const auto folded = GraphJob::defaultCollapsed(graph, 400);
        QCOMPARE(folded.size(), std::size_t{40});  // every block folded, 40 boxes
        QVERIFY(GraphJob::defaultCollapsed(graph, 1000).empty());
    }

    // In the window: choosing a node selects its layer in the tree; the tree's choice is
    // selected in the graph.
    void followsTheTree() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({ckpt::test::fixture("keras/k3_functional.keras")});
        QVERIFY(opened.wait(30000));
        auto* tabs = w.findChild<QTabWidget*>();
        QVERIFY(tabs);
        tabs->setCurrentWidget(w.graphPanel());
        GraphPanel* panel = w.graphPanel();
        if (!panel->graph()) {
            QVERIFY(waitReady(*panel));
        }
        const auto& g = *panel->graph();
        GraphNodeId withTensors = kNoGraphNode;
        for (GraphNodeId id = 0; id < g.nodes().size(); ++id) {
            if (!g.node(id).tensors.empty() && g.node(id).children.empty()) {
                withTensors = id;
                break;
            }
        }
        QVERIFY(withTensors != kNoGraphNode);
        panel->view()->selectNode(withTensors, true);
        emit panel->view()->nodeSelected(withTensors);
        const QString treePath = panel->treePathOf(withTensors);
        QVERIFY(!treePath.isEmpty());
        const auto* current = w.session()->model()->node(w.treePanel()->currentIndex());
        QVERIFY(current);
        QCOMPARE(QString::fromStdString(current->path()), treePath);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(panel));  // stays on the graph
        // ... and its row in the Architecture tab's layer table.
        const QModelIndex layerRow = w.architecturePanel()->layerView()->currentIndex();
        QVERIFY(layerRow.isValid());
        QCOMPARE(layerRow.siblingAtColumn(LayerSettingsModel::NameColumn).data().toString(),
                 QString::fromStdString(g.node(withTensors).name));

        // The other way: select the node's first tensor in the tree (coming from elsewhere).
        w.treePanel()->select(w.session()->model()->documentIndex(0));
        panel->view()->scene()->clearSelection();
        const QModelIndex index =
            w.session()->model()->indexForPath(0, g.node(withTensors).tensors.front());
        QVERIFY(index.isValid());
        w.treePanel()->select(index);
        QCOMPARE(panel->view()->selectedNode(), withTensors);

        // Ctrl+F finds in the graph while it has the focus, in the tree otherwise.
        tabs->setCurrentWidget(panel);
        panel->view()->setFocus();
        QTest::keyClick(panel->view(), Qt::Key_F, Qt::ControlModifier);
        QCOMPARE(QApplication::focusWidget(), static_cast<QWidget*>(panel->searchEdit()));
        w.treePanel()->view()->setFocus();
        QTest::keyClick(w.treePanel()->view(), Qt::Key_F, Qt::ControlModifier);
        QVERIFY(QApplication::focusWidget() != panel->searchEdit());

        // And from the layer table: choosing another layer there selects it in the graph.
        GraphNodeId other = kNoGraphNode;
        for (GraphNodeId id = 0; id < g.nodes().size(); ++id) {
            if (id != withTensors && g.node(id).children.empty()) {
                other = id;
                break;
            }
        }
        QVERIFY(other != kNoGraphNode);
        tabs->setCurrentWidget(w.architecturePanel());
        QVERIFY(
            w.architecturePanel()->selectLayerNamed(QString::fromStdString(g.node(other).name)));
        QCOMPARE(panel->view()->selectedNode(), other);
    }
};

QTEST_MAIN(TestGraphPanel)
#include "test_graph_panel.moc"
