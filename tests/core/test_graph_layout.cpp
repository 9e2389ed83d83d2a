// Graphviz layout and rendering of architecture graphs (positions, clusters, collapsing, SVG/
// PNG/DOT output, limits, cancel, threads) and the graph diff of two versions of a model.

#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <thread>

#include "common/test_support.h"
#include "core/diff/checkpoint_diff.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/graph/graph_diff.h"
#include "core/graph/graph_json.h"
#include "core/graph/graph_layout.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/util/limits.h"

using namespace ckpt::core;

namespace {

Graph chain(int n) {
    Graph g;
    g.setKind(GraphKind::DataFlow);
    for (int i = 0; i < n; ++i) {
        GraphNode node;
        node.name = "n" + std::to_string(i);
        node.path = node.name;
        g.addNode(std::move(node));
        if (i > 0) {
            g.addEdge(static_cast<GraphNodeId>(i - 1), static_cast<GraphNodeId>(i));
        }
    }
    return g;
}

Graph fixtureGraph() {
    const auto c =
        openCheckpoint(ckpt::test::fixture("graph/k2_graph_functional.h5").toStdString());
    return buildGraph(*c);
}

bool inside(const GraphNodeBox& b, double x0, double y0, double w, double h) {
    constexpr double kSlack = 0.5;
    return b.center.x - b.width / 2 >= x0 - kSlack && b.center.x + b.width / 2 <= x0 + w + kSlack &&
           b.center.y - b.height / 2 >= y0 - kSlack && b.center.y + b.height / 2 <= y0 + h + kSlack;
}

const GraphNodeBox* boxOf(const GraphLayout& l, GraphNodeId id) {
    for (const auto& b : l.nodes) {
        if (b.id == id) {
            return &b;
        }
    }
    return nullptr;
}

/// True when `svg` is well-formed XML with an <svg> root.
bool parseableSvg(const std::string& svg) {
    QXmlStreamReader xml(QByteArray::fromStdString(svg));
    bool root = false;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && !root) {
            root = xml.name() == QLatin1String("svg");
            if (!root) {
                return false;
            }
        }
    }
    return root && !xml.hasError();
}

}  // namespace

class TestGraphLayout : public QObject {
    Q_OBJECT

private slots:
    void smallChain() {
        const Graph g = chain(3);
        const GraphLayout l = layoutGraph(g);
        QCOMPARE(l.nodes.size(), std::size_t(3));
        QCOMPARE(l.edges.size(), std::size_t(2));
        QVERIFY(l.width > 0 && l.height > 0);
        for (const auto& b : l.nodes) {
            QVERIFY(inside(b, 0, 0, l.width, l.height));
            QVERIFY(b.width > 0 && b.height > 0);
        }
        // Top to bottom: each node below the one before it.
        QVERIFY(boxOf(l, 0)->center.y < boxOf(l, 1)->center.y);
        QVERIFY(boxOf(l, 1)->center.y < boxOf(l, 2)->center.y);
        for (const auto& e : l.edges) {
            QVERIFY(e.points.size() >= 4);
            QCOMPARE((e.points.size() - 1) % 3, std::size_t(0));
            QVERIFY(e.hasArrow);
            QVERIFY(e.arrowTip.y <= boxOf(l, e.to)->center.y);
        }
    }

    void nestedClusters() {
        const Graph g = fixtureGraph();
        const GraphLayout l = layoutGraph(g);
        QCOMPARE(l.nodes.size(), std::size_t(11));  // every leaf; 'nested' is a cluster
        QCOMPARE(l.clusters.size(), std::size_t(1));
        const GraphClusterBox& c = l.clusters[0];
        QCOMPARE(c.id, g.find("nested"));
        for (const auto child : g.node(c.id).children) {
            const auto* b = boxOf(l, child);
            QVERIFY(b != nullptr);
            QVERIFY(inside(*b, c.topLeft.x, c.topLeft.y, c.width, c.height));
        }
        QVERIFY(!inside(*boxOf(l, g.find("add")), c.topLeft.x, c.topLeft.y, c.width, c.height));
        QCOMPARE(l.edges.size(), g.edges().size());
    }

    void collapsedNode() {
        const Graph g = fixtureGraph();
        GraphLayoutOptions options;
        options.collapsed = {g.find("nested")};
        const GraphLayout l = layoutGraph(g, options);
        QCOMPARE(l.nodes.size(), std::size_t(9));
        QVERIFY(l.clusters.empty());
        const auto* box = boxOf(l, g.find("nested"));
        QVERIFY(box != nullptr && box->collapsed);
        // add -> nested and nested -> concat attach to the box; the inner edges are gone.
        std::size_t touching = 0;
        for (const auto& e : l.edges) {
            touching += e.from == box->id || e.to == box->id ? 1 : 0;
        }
        QCOMPARE(touching, std::size_t(2));
        QCOMPARE(l.edges.size(), std::size_t(12 - 2));
        GraphLayoutOptions top;
        top.maxDepth = 1;
        QCOMPARE(layoutGraph(g, top).nodes.size(), std::size_t(9));
    }

    void renderFormats() {
        const Graph g = fixtureGraph();
        const std::string svg = renderGraph(g, GraphFormat::Svg);
        QVERIFY(parseableSvg(svg));
        QVERIFY(svg.find("inner_1") != std::string::npos);
        const std::string png = renderGraph(g, GraphFormat::Png);
        QVERIFY(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
        const std::string dot = renderGraph(g, GraphFormat::Dot);
        QVERIFY(dot.rfind("digraph", 0) == 0);
        QVERIFY(dot.find("pos=") != std::string::npos);
        QVERIFY(dot.find("cluster_") != std::string::npos);
        // Graphviz's own dot reads it back.
        QProcess p;
        p.start("dot", {"-Tsvg"});
        if (!p.waitForStarted()) {
            QSKIP("dot is not installed");
        }
        p.write(QByteArray::fromStdString(dot));
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30'000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(parseableSvg(p.readAllStandardOutput().toStdString()));
        GraphFormat f;
        QVERIFY(graphFormatForPath("x/out.SVG", f) && f == GraphFormat::Svg);
        QVERIFY(graphFormatForPath("out.gv", f) && f == GraphFormat::Dot);
        QVERIFY(!graphFormatForPath("out.pdf", f));
        QVERIFY(!graphFormatForPath("dir.svg/out", f));
    }

    void hostileLabels() {
        Graph g;
        GraphNode n;
        n.name = "\\N \\G \"quoted\" <b>html</b> \x1b[31m \xff\xfe";
        n.path = "x";
        n.className = "a\\lb";
        g.addNode(n);
        const std::string svg = renderGraph(g, GraphFormat::Svg);
        QVERIFY(parseableSvg(svg));
        QVERIFY(svg.find("\\N") != std::string::npos);  // not replaced by the node's id
    }

    void limitsCancelAndThreads() {
        const Graph g = chain(30);
        GraphLayoutOptions small;
        small.maxBoxes = 10;
        QVERIFY(ckpt::test::throws<LimitError>([&] { (void)layoutGraph(g, small); }));
        GraphLayoutOptions cancel;
        cancel.progress = [](std::uint64_t done, std::uint64_t) { return done < 1; };
        QVERIFY(ckpt::test::throws<CancelledError>([&] { (void)layoutGraph(g, cancel); }));
        // Layouts from several threads are serialised by the Graphviz lock.
        std::vector<std::thread> threads;
        std::vector<std::size_t> boxes(4);
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            threads.emplace_back(
                [&, i] { boxes[i] = layoutGraph(chain(20 + 5 * int(i))).nodes.size(); });
        }
        for (auto& t : threads) {
            t.join();
        }
        QCOMPARE(boxes, (std::vector<std::size_t>{20, 25, 30, 35}));
    }

    void hierarchyStacked() {
        const Graph g = buildKeyGraph(
            {{"a.w", 1, false}, {"b.w", 1, false}, {"c.x.w", 1, false}, {"c.y.w", 1, false}});
        const GraphLayout l = layoutGraph(g);
        QCOMPARE(l.edges.size(), std::size_t(0));  // the stacking edges are not graph edges
        QCOMPARE(l.clusters.size(), std::size_t(1));
        QVERIFY(boxOf(l, g.find("a"))->center.y < boxOf(l, g.find("b"))->center.y);
        QVERIFY(boxOf(l, g.find("b"))->center.y < boxOf(l, g.find("c.x"))->center.y);
    }

    void diffOfFixtures() {
        // A layer whose units changed (a config change and changed weights).
        const auto a = openCheckpoint(ckpt::test::fixture("diff/base.h5").toStdString());
        const auto b = openCheckpoint(ckpt::test::fixture("diff/units_changed.h5").toStdString());
        const DiffReport report = diffCheckpoints(*a, *b);
        const GraphDiff d = diffGraphs(buildGraph(*a), buildGraph(*b), report);
        QCOMPARE(d.nodes.size(), d.graph.nodes().size());
        std::size_t changed = 0;
        std::size_t configured = 0;
        for (const auto& n : d.nodes) {
            changed += n.state == GraphDiffState::Changed ? 1 : 0;
            configured += n.configChanges.empty() ? 0 : 1;
        }
        QVERIFY(changed >= 1);
        QVERIFY(configured >= 1);
        const Json j = graphDiffJson(d);
        QCOMPARE(j["nodes"].size(), d.nodes.size());
        QVERIFY(parseableSvg(renderGraph(d.graph, GraphFormat::Svg, {}, nullptr)));
        const GraphStyle style = graphDiffStyle(d);
        QVERIFY(parseableSvg(renderGraph(d.graph, GraphFormat::Svg, {}, &style)));

        // Added and removed layers, and the edges rewired around them.
        const auto c = openCheckpoint(ckpt::test::fixture("diff/layer_added.h5").toStdString());
        const GraphDiff added = diffGraphs(buildGraph(*a), buildGraph(*c), diffCheckpoints(*a, *c));
        std::size_t addedNodes = 0;
        std::size_t rewired = 0;
        for (const auto& n : added.nodes) {
            addedNodes += n.state == GraphDiffState::Added ? 1 : 0;
        }
        for (const auto e : added.edges) {
            rewired += e != GraphDiffState::Same ? 1 : 0;
        }
        qInfo("layer_added: %zu added nodes, %zu rewired edges", addedNodes, rewired);
        QVERIFY(addedNodes >= 1);
        QVERIFY(rewired >= 1);
    }

    void diffOfRealVersions_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        const QString r = ckpt::test::realDataDir();
        QTest::newRow("AFNordal")
            << r + "/keras_h5_weights/AFNordal__MNIST_Keras__ve273e91_weights.h5"
            << r + "/keras_h5_weights/AFNordal__MNIST_Keras__vHEAD_weights.h5";
        QTest::newRow("HrushikeshSS10")
            << r + "/keras3/HrushikeshSS10__Bank-Churn-Prediction__vbfa4c63_model.weights.h5"
            << r + "/keras3/HrushikeshSS10__Bank-Churn-Prediction__vHEAD_model.weights.h5";
        QTest::newRow("BananaCollector")
            << r + "/torch/AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_15.pth"
            << r + "/torch/"
                   "AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_16_prioritized_memory."
                   "pth";
    }

    void diffOfRealVersions() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        if (ckpt::test::realDataDir().isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        const auto ca = openCheckpoint(a.toStdString());
        const auto cb = openCheckpoint(b.toStdString());
        const DiffReport report = diffCheckpoints(*ca, *cb);
        const GraphDiff d = diffGraphs(buildGraph(*ca), buildGraph(*cb), report);
        std::size_t changed = 0;
        std::size_t withMetric = 0;
        for (std::size_t i = 0; i < d.nodes.size(); ++i) {
            const auto& n = d.nodes[i];
            QVERIFY(n.state != GraphDiffState::Added && n.state != GraphDiffState::Removed);
            if (n.state == GraphDiffState::Changed && n.tensorsChanged > 0) {
                ++changed;
                withMetric += std::isnan(n.maxRelL2) ? 0 : 1;
                qInfo("  %s: %zu/%zu tensors changed, max rel_l2 %.4g (%s)",
                      d.graph.node(static_cast<GraphNodeId>(i)).path.c_str(), n.tensorsChanged,
                      n.tensors, n.maxRelL2, n.maxRelL2Key.c_str());
            }
        }
        QVERIFY(changed >= 1);
        QCOMPARE(withMetric, changed);
        const GraphStyle style = graphDiffStyle(d);
        const std::string svg = renderGraph(d.graph, GraphFormat::Svg, {}, &style);
        QVERIFY(parseableSvg(svg));
        QVERIFY(svg.find("rel_l2") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestGraphLayout)
#include "test_graph_layout.moc"
