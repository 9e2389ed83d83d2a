// Keras knowledge in isolation: config shapes, snake_case names, chunked name lists, and the
// join of config layers with the vars layout.

#include <QtTest>

#include "common/test_support.h"
#include "core/formats/keras_common.h"
#include "core/io/byte_source.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

std::shared_ptr<Tensor> floats(std::uint64_t n) {
    std::vector<std::byte> bytes(n * 4);
    auto src = std::make_shared<MemorySource>(std::move(bytes), "mem");
    return std::make_shared<Tensor>(DType::Float32, std::vector<std::uint64_t>{n},
                                    std::make_shared<ContiguousTensorSource>(src, 0, 4, n, false));
}

void addVars(Node& layers, const std::string& group, const std::string& nameAttr,
             const std::vector<std::uint64_t>& sizes) {
    auto& g = layers.addChild(NodeKind::Group, group);
    auto& vars = g.addChild(NodeKind::Group, "vars");
    if (!nameAttr.empty()) {
        vars.attributes()["name"] = nameAttr;
    }
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        vars.addChild(NodeKind::Tensor, std::to_string(i)).setTensor(floats(sizes[i]));
    }
}

}  // namespace

class TestKerasCommon : public QObject {
    Q_OBJECT

private slots:
    void snakeCase() {
        QCOMPARE(kerasSnakeCase("Conv2D"), std::string("conv2d"));
        QCOMPARE(kerasSnakeCase("BatchNormalization"), std::string("batch_normalization"));
        QCOMPARE(kerasSnakeCase("LSTM"), std::string("lstm"));
        QCOMPARE(kerasSnakeCase("InputLayer"), std::string("input_layer"));
        QCOMPARE(kerasSnakeCase("QDense"), std::string("q_dense"));
        QCOMPARE(kerasSnakeCase("Conv2DTranspose"), std::string("conv2d_transpose"));
    }

    void configShapes() {
        // Keras <= 2.2.2 Sequential: "config" is the list of layers.
        const Json old = Json::parse(R"({"class_name":"Sequential","config":[
            {"class_name":"Dense","config":{"name":"dense_1","trainable":false}}]})");
        auto specs = kerasLayerSpecs(old);
        QCOMPARE(specs.size(), std::size_t{1});
        QCOMPARE(specs[0].name, std::string("dense_1"));
        QVERIFY(!specs[0].trainable);
        // Functional: the name sits beside class_name.
        const Json functional = Json::parse(R"({"class_name":"Functional","config":{"layers":[
            {"name":"input_1","class_name":"InputLayer","config":{}},
            {"name":"d","class_name":"Dense","config":{"units":2}}]}})");
        specs = kerasLayerSpecs(functional);
        QCOMPARE(specs.size(), std::size_t{2});
        QCOMPARE(specs[1].name, std::string("d"));
        QCOMPARE(specs[1].config["units"].get<int>(), 2);
        QVERIFY(kerasLayerSpecs(Json::parse(R"({"class_name":"X"})")).empty());
        QVERIFY(kerasLayerSpecs(nullptr).empty());
    }

    void oneLayerListForEveryCaller() {
        // core/model/keras_config.h is the one reader of layer lists (diff, validator, export
        // and the UI's settings table use it): each shape with its JSON pointer.
        const Json list =
            Json::parse(R"({"config":[{"class_name":"Dense","config":{"name":"a"}}]})");
        QCOMPARE(kerasLayerList(list).pointer, std::string("/config"));
        const Json nested = Json::parse(R"({"config":{"layers":[{"name":"b","config":{}}]}})");
        QCOMPARE(kerasLayerList(nested).pointer, std::string("/config/layers"));
        const Json bare =
            Json::parse(R"({"layers":[{"class_name":"Dense","config":{"name":"c"}}]})");
        QCOMPARE(kerasLayerList(bare).pointer, std::string("/layers"));
        QCOMPARE(kerasLayerSpecs(bare).at(0).name, std::string("c"));
        QVERIFY(kerasLayerList(Json::parse(R"({"config":{"name":"m"}})")).layers == nullptr);
        QVERIFY(kerasLayerList(Json::array()).layers == nullptr);
        // Names: the entry's own, else its config's.
        QCOMPARE(kerasLayerName(Json::parse(R"({"name":"x","config":{"name":"y"}})")),
                 std::string("x"));
        QCOMPARE(kerasLayerName((*kerasLayerList(list).layers)[0]), std::string("a"));
        QVERIFY(kerasLayerByName(nested, "b") != nullptr);
        QVERIFY(kerasLayerByName(nested, "a") == nullptr);
    }

    void badJsonNamesItsSource() {
        try {
            (void)parseKerasJson("{\"class_name\": ", "model_config attribute");
            QFAIL("no error");
        } catch (const CorruptDataError& e) {
            QVERIFY(std::string(e.what()).find("model_config attribute is not valid JSON") !=
                    std::string::npos);
        }
    }

    void chunkedNameLists() {
        Node n(NodeKind::Group, "");
        n.attributes()["layer_names0"] = Json::array({"a", "b"});
        n.attributes()["layer_names1"] = Json::array({"c"});
        n.attributes()["layer_names3"] = Json::array({"ignored: 2 is missing"});
        QCOMPARE(nodeNameList(n, "layer_names").value(), (std::vector<std::string>{"a", "b", "c"}));
        n.attributes()["weight_names"] = Json::array();  // the empty float64 array
        QVERIFY(nodeNameList(n, "weight_names").value().empty());
        QVERIFY(!nodeNameList(n, "absent").has_value());
    }

    void varsLayoutJoin() {
        Node root(NodeKind::Group, "");
        auto& layers = root.addChild(NodeKind::Group, "layers");
        addVars(layers, "dense", "", {12, 3});
        addVars(layers, "batch_normalization", "", {3, 3, 3, 3});
        addVars(layers, "dense_1", "", {3, 1});
        // Twelve variables: numeric order must put "10" after "9".
        addVars(layers, "dense_2", "", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1});
        const auto specs = kerasLayerSpecs(Json::parse(R"({"class_name":"Sequential","config":{
            "layers":[{"class_name":"InputLayer","config":{"name":"in"}},
                      {"class_name":"Dense","config":{"name":"first"}},
                      {"class_name":"BatchNormalization","config":{"name":"bn"}},
                      {"class_name":"Dropout","config":{"name":"drop"}},
                      {"class_name":"Dense","config":{"name":"second","trainable":false}},
                      {"class_name":"Dense","config":{"name":"third"}}]}})"));
        const auto out = varsKerasLayers(root, specs);
        QCOMPARE(out.size(), std::size_t{6});
        QCOMPARE(out[0].params, 0ull);
        QCOMPARE(out[1].params, 15ull);
        QCOMPARE(out[2].trainableParams, 6ull);
        QCOMPARE(out[2].nonTrainableParams, 6ull);
        QCOMPARE(out[3].params, 0ull);
        QCOMPARE(out[4].nonTrainableParams, 4ull);
        QCOMPARE(out[5].params, 16ull);
        QCOMPARE(out[5].weightPaths[10], std::string("layers/dense_2/vars/10"));
    }

    void varsNameAttributeWins() {
        Node root(NodeKind::Group, "");
        auto& layers = root.addChild(NodeKind::Group, "layers");
        addVars(layers, "dense", "second", {7});
        addVars(layers, "dense_1", "first", {5});
        const auto specs = kerasLayerSpecs(Json::parse(R"({"config":{"layers":[
            {"class_name":"Dense","config":{"name":"first"}},
            {"class_name":"Dense","config":{"name":"second"}}]}})"));
        const auto out = varsKerasLayers(root, specs);
        QCOMPARE(out[0].params, 5ull);
        QCOMPARE(out[1].params, 7ull);
    }
};

QTEST_GUILESS_MAIN(TestKerasCommon)
#include "test_keras_common.moc"
