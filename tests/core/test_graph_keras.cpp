// Keras configs as architecture graphs: every real Keras file with a model config (nodes and
// edges counted against the config by this test's own walk of the JSON), a functional fixture
// with two inputs, a skip connection, a shared layer and a nested Sequential, Keras 3 call
// records, and hostile configs (cycles, unknown layers, 10^5 layers, deep nesting).

#include <QDirIterator>
#include <QElapsedTimer>
#include <QtTest>

#include <utility>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"

using ckpt::core::Graph;
using ckpt::core::GraphNodeId;
using ckpt::core::GraphNodeKind;
using ckpt::core::Json;

namespace {

/// What the config says, counted without the graph builder.
struct Expected {
    std::size_t layers = 0;  ///< layer entries, nested models' layers included
    std::size_t edges = 0;   ///< inbound tensor references (+ Sequential links)
    std::size_t inputs = 0;  ///< Input nodes Keras adds to a Sequential without InputLayer
};

const Json* layerList(const Json& model) {
    if (!model.is_object()) {
        return nullptr;
    }
    if (model.contains("config") && model["config"].is_array()) {
        return &model["config"];
    }
    if (model.contains("config") && model["config"].is_object() &&
        model["config"].contains("layers") && model["config"]["layers"].is_array()) {
        return &model["config"]["layers"];
    }
    return nullptr;
}

bool isRef(const Json& j) {
    return j.is_array() && (j.size() == 3 || j.size() == 4) && j[0].is_string() &&
           j[1].is_number_integer() && j[2].is_number_integer();
}

std::size_t countRefs(const Json& j, bool legacy) {
    if (j.is_object()) {
        if (j.value("class_name", "") == "__keras_tensor__") {
            return 1;
        }
        std::size_t n = 0;
        for (const auto& [k, v] : j.items()) {
            n += countRefs(v, legacy);
        }
        return n;
    }
    if (!j.is_array()) {
        return 0;
    }
    if (legacy && isRef(j)) {
        return 1 + (j.size() == 4 ? countRefs(j[3], legacy) : 0);
    }
    std::size_t n = 0;
    for (const auto& item : j) {
        n += countRefs(item, legacy);
    }
    return n;
}

void count(const Json& model, bool top, Expected& e) {
    const Json* layers = layerList(model);
    if (layers == nullptr) {
        return;
    }
    const bool sequential =
        model.value("class_name", "") == "Sequential" || model["config"].is_array();
    std::size_t n = 0;
    for (const auto& l : *layers) {
        if (!l.is_object()) {
            continue;
        }
        ++n;
        count(l, false, e);
        if (!sequential && l.contains("inbound_nodes")) {
            for (const auto& node : l["inbound_nodes"]) {
                e.edges += countRefs(node, !node.is_object());
            }
        }
    }
    e.layers += n;
    if (sequential && n > 0) {
        e.edges += n - 1;
        const bool listsInput = (*layers)[0].value("class_name", "") == "InputLayer";
        if (top && !listsInput) {
            ++e.inputs;
            ++e.edges;
        }
    }
}

std::size_t countKind(const Graph& g, GraphNodeKind kind) {
    std::size_t n = 0;
    for (const auto& node : g.nodes()) {
        n += node.kind == kind ? 1 : 0;
    }
    return n;
}

bool hasEdge(const Graph& g, const std::string& from, const std::string& to) {
    const GraphNodeId f = g.find(from);
    const GraphNodeId t = g.find(to);
    for (const auto& e : g.edges()) {
        if (e.from == f && e.to == t) {
            return true;
        }
    }
    return false;
}

/// A Keras 3 tensor reference.
Json kt(const std::string& layer, int node = 0, int tensor = 0, Json shape = {nullptr, 4}) {
    return {{"class_name", "__keras_tensor__"},
            {"config",
             {{"shape", shape}, {"dtype", "float32"}, {"keras_history", {layer, node, tensor}}}}};
}

Json k3Layer(const std::string& cls, const std::string& name, Json calls,
             Json config = Json::object()) {
    config["name"] = name;
    return {{"module", "keras.layers"},
            {"class_name", cls},
            {"config", config},
            {"name", name},
            {"inbound_nodes", std::move(calls)}};
}

/// One call record; `args` is always a list (a braced single json would be copied by clang and
/// wrapped in an array by g++: nlohmann's README warns about exactly that).
Json call(std::initializer_list<Json> args, Json kwargs = Json::object()) {
    Json list = Json::array();
    for (const Json& a : args) {
        list.push_back(a);
    }
    return {{"args", std::move(list)}, {"kwargs", std::move(kwargs)}};
}

}  // namespace

class TestGraphKeras : public QObject {
    Q_OBJECT

private slots:
    void realFiles_data() {
        QTest::addColumn<QString>("path");
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            QTest::newRow("none") << QString();
            return;
        }
        for (const char* dir : {"keras_h5_full", "keras3"}) {
            QDirIterator it(real + "/" + dir, {"*.h5", "*.hdf5", "*.keras"}, QDir::Files);
            QStringList files;
            while (it.hasNext()) {
                files << it.next();
            }
            files.sort();
            for (const auto& f : files) {
                QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
            }
        }
    }

    void realFiles() {
        QFETCH(QString, path);
        if (path.isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        const auto c = ckpt::core::openCheckpoint(path.toStdString());
        if (c->config().is_null() || layerList(c->config()) == nullptr) {
            QSKIP("no model config in this file");
        }
        Expected want;
        count(c->config(), true, want);
        const Graph g = ckpt::core::buildGraph(*c);
        const std::size_t layerNodes = g.nodes().size() - countKind(g, GraphNodeKind::Input);
        qInfo("%s: %zu layers, %zu edges (%s)", qPrintable(QFileInfo(path).fileName()), layerNodes,
              g.edges().size(), g.source().c_str());
        QVERIFY(g.edgesAreDataFlow());
        QCOMPARE(layerNodes, want.layers);
        QCOMPARE(countKind(g, GraphNodeKind::Input), want.inputs);
        QCOMPARE(g.edges().size(), want.edges);
        QVERIFY2(g.warnings.empty(), g.warnings.empty() ? "" : g.warnings.front().c_str());
        // The parameters of the graph are those of the layer table.
        std::uint64_t params = 0;
        for (const auto id : g.roots()) {
            params += g.node(id).params;
        }
        QCOMPARE(params, c->totalParams());
    }

    void functionalFixture() {
        const auto c = ckpt::core::openCheckpoint(
            ckpt::test::fixture("graph/k2_graph_functional.h5").toStdString());
        const Graph g = ckpt::core::buildGraph(*c);
        QCOMPARE(g.source(), std::string("Keras functional config"));
        QCOMPARE(g.nodes().size(), std::size_t(12));
        QCOMPARE(g.edges().size(), std::size_t(12));
        QVERIFY(g.warnings.empty());
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
                 {"input_a", "dense_a"},
                 {"dense_a", "shared"},
                 {"input_b", "shared"},  // the shared layer's second call
                 {"shared", "dense_b"},
                 {"dense_a", "add"},  // the skip connection
                 {"dense_b", "add"},
                 {"add", "nested/nested_input"},  // into the nested model's input
                 {"nested/nested_input", "nested/inner_1"},
                 {"nested/inner_1", "nested/inner_2"},
                 {"nested/inner_2", "concat"},  // out of its output
                 {"shared", "concat"},          // call 1 of shared
                 {"concat", "out"}}) {
            QVERIFY2(hasEdge(g, from, to), (from + " -> " + to).c_str());
        }
        const GraphNodeId nested = g.find("nested");
        QCOMPARE(g.node(nested).kind, GraphNodeKind::Model);
        QCOMPARE(g.node(nested).children.size(), std::size_t(3));
        QCOMPARE(g.node(g.find("nested/inner_1")).parent, nested);
        QCOMPARE(g.node(g.find("nested/inner_1")).depth, 1u);
        QCOMPARE(g.node(nested).params, std::uint64_t(108));
        QCOMPARE(g.node(g.find("nested/inner_1")).params, std::uint64_t(72));
        QCOMPARE(g.node(g.find("nested/inner_1")).tensors.size(), std::size_t(2));
        QCOMPARE(g.node(g.find("shared")).params, std::uint64_t(72));
        QCOMPARE(g.inputs, (std::vector<GraphNodeId>{g.find("input_a"), g.find("input_b")}));
        QCOMPARE(g.outputs, std::vector<GraphNodeId>{g.find("out")});
        QCOMPARE(ckpt::core::graphShapeText(g.node(g.find("input_b"))), std::string("(None, 8)"));
        const auto& attrs = g.node(g.find("shared")).attributes;
        QVERIFY(std::find(attrs.begin(), attrs.end(),
                          std::make_pair(std::string("units"), std::string("8"))) != attrs.end());
    }

    void keras3CallRecords() {
        // Add takes a list, Attention a mask in kwargs, a layer is shared, a nested Functional.
        const Json inner = {
            {"class_name", "Functional"},
            {"name", "tower"},
            {"config",
             {{"name", "tower"},
              {"layers",
               {k3Layer("InputLayer", "t_in", Json::array(), {{"batch_shape", {nullptr, 4}}}),
                k3Layer("Dense", "t_dense", Json::array({call({kt("t_in")})}), {{"units", 4}})}},
              {"input_layers", {{"t_in", 0, 0}}},
              {"output_layers", {{"t_dense", 0, 0}}}}},
            {"inbound_nodes", {call({kt("shared", 0, 0, {nullptr, 4})})}}};
        const Json model = {
            {"class_name", "Functional"},
            {"config",
             {{"name", "m"},
              {"layers",
               {k3Layer("InputLayer", "in", Json::array(), {{"batch_shape", {nullptr, 4}}}),
                k3Layer("Dense", "shared", {call({kt("in")}), call({kt("in")})},
                        {{"units", 4}, {"activation", "relu"}}),
                inner,
                k3Layer("Add", "add",
                        Json::array({call({Json::array({kt("shared", 1), kt("tower")})})})),
                k3Layer("Attention", "att",
                        Json::array(
                            {call({Json::array({kt("add"), kt("add")})}, {{"mask", kt("in")}})}))}},
              {"input_layers", {{"in", 0, 0}}},
              {"output_layers", {{"att", 0, 0}}}}}};
        const Graph g = ckpt::core::buildKerasGraph(model, nullptr);
        QCOMPARE(g.nodes().size(), std::size_t(7));
        // in->shared x2, shared->t_in, t_in->t_dense, shared->add, t_dense->add, add->att x2,
        // in->att (mask)
        QCOMPARE(g.edges().size(), std::size_t(9));
        QVERIFY(hasEdge(g, "shared", "tower/t_in"));
        QVERIFY(hasEdge(g, "tower/t_dense", "add"));
        QVERIFY(hasEdge(g, "in", "att"));
        // The shape of a tensor reference is its producer's output shape.
        QCOMPARE(ckpt::core::graphShapeText(g.node(g.find("shared"))), std::string("(None, 4)"));
        QVERIFY(g.warnings.empty());
    }

    void hostileCycleAndUnknown() {
        Json layers = Json::array();
        layers.push_back({{"class_name", "Dense"},
                          {"name", "a"},
                          {"inbound_nodes", {{{"b", 0, 0, Json::object()}}}}});
        layers.push_back(
            {{"class_name", "Dense"},
             {"name", "b"},
             {"inbound_nodes", {{{"a", 0, 0, Json::object()}}, {{"b", 5, 9, Json::object()}}}}});
        layers.push_back({{"class_name", "Dense"},
                          {"name", "c"},
                          {"inbound_nodes", {{{"nowhere", 0, 0, Json::object()}}}}});
        const Json model = {{"class_name", "Functional"},
                            {"config", {{"layers", layers}, {"input_layers", "junk"}}}};
        QElapsedTimer t;
        t.start();
        const Graph g = ckpt::core::buildKerasGraph(model, nullptr);
        QVERIFY(t.elapsed() < 1000);
        QCOMPARE(g.nodes().size(), std::size_t(3));
        QCOMPARE(g.edges().size(), std::size_t(3));  // a<->b cycle and b's self loop
        QVERIFY(hasEdge(g, "b", "b"));
        QCOMPARE(g.warnings.size(), std::size_t(1));
        QVERIFY(g.warnings[0].find("nowhere") != std::string::npos);
    }

    void hostileHundredThousandLayers() {
        Json layers = Json::array();
        layers.push_back(
            {{"class_name", "InputLayer"}, {"name", "l0"}, {"inbound_nodes", Json::array()}});
        for (int i = 1; i < 100'000; ++i) {
            layers.push_back(
                {{"class_name", "Dense"},
                 {"name", "l" + std::to_string(i)},
                 {"inbound_nodes", {{{"l" + std::to_string(i - 1), 0, 0, Json::object()}}}}});
        }
        const Json model = {{"class_name", "Functional"}, {"config", {{"layers", layers}}}};
        QElapsedTimer t;
        t.start();
        const Graph g = ckpt::core::buildKerasGraph(model, nullptr);
        qInfo("10^5 layers: %lld ms", static_cast<long long>(t.elapsed()));
        QVERIFY(t.elapsed() < 10'000);
        QCOMPARE(g.nodes().size(), std::size_t(100'000));
        QCOMPARE(g.edges().size(), std::size_t(99'999));
        QVERIFY(!g.truncated);
        ckpt::core::GraphBuildOptions small;
        small.maxNodes = 1000;
        const Graph cut = ckpt::core::buildKerasGraph(model, nullptr, small);
        QVERIFY(cut.truncated);
        QCOMPARE(cut.nodes().size(), std::size_t(1000));
        QVERIFY(cut.warnings.front().find("graph-nodes") != std::string::npos);
    }

    void hostileDeepNesting() {
        Json model = {{"class_name", "Sequential"},
                      {"config", {{"layers", {{{"class_name", "Dense"}, {"name", "leaf"}}}}}}};
        // Each level is moved in, not copied: a braced list copies its elements, and copying
        // a 2,000-deep json recurses 2,000 levels (it overflowed the stack of the unoptimised
        // sanitized test build).
        for (int i = 0; i < 2000; ++i) {
            Json layers = Json::array();
            layers.push_back(std::move(model));
            Json config = Json::object();
            config["name"] = "s" + std::to_string(i);
            config["layers"] = std::move(layers);
            Json next = Json::object();
            next["class_name"] = "Sequential";
            next["name"] = "s" + std::to_string(i);
            next["config"] = std::move(config);
            model = std::move(next);
        }
        QElapsedTimer t;
        t.start();
        const Graph g = ckpt::core::buildKerasGraph(model, nullptr);
        QVERIFY(t.elapsed() < 2000);
        QVERIFY(g.truncated);
        QVERIFY(g.warnings.back().find("graph-depth") != std::string::npos);
        std::uint32_t deepest = 0;
        for (const auto& n : g.nodes()) {
            deepest = std::max(deepest, n.depth);
        }
        QVERIFY(deepest < 64);
    }
};

QTEST_GUILESS_MAIN(TestGraphKeras)
#include "test_graph_keras.moc"
