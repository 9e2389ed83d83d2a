// Pairing tensors across layouts (canonical keys, layer keys, renamed layers, order and shape,
// user rules) and the config diff (layers aligned by name, then by position and class; JSON
// paths of changed fields), on checkpoints built in memory.

#include <QtTest>

#include "core/diff/config_diff.h"
#include "core/diff/tensor_pairing.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

using Shape = std::vector<std::uint64_t>;

/// Adds a shape-only float32 tensor at `path`, creating groups on the way.
void addTensor(Checkpoint& c, const std::string& path, Shape shape) {
    Node* node = &c.root();
    std::size_t start = 0;
    for (;;) {
        const auto slash = path.find('/', start);
        const std::string name = path.substr(start, slash - start);
        if (slash == std::string::npos) {
            node->addChild(NodeKind::Tensor, name)
                .setTensor(std::make_shared<Tensor>(DType::Float32, std::move(shape)));
            return;
        }
        Node* next = node->findChild(name);
        node = next != nullptr ? next : &node->addChild(NodeKind::Group, name);
        start = slash + 1;
    }
}

void addLayer(Checkpoint& c, const std::string& name, const std::string& cls,
              const std::vector<std::pair<std::string, Shape>>& weights) {
    Layer l;
    l.name = name;
    l.className = cls;
    for (const auto& [path, shape] : weights) {
        addTensor(c, path, shape);
        l.weightPaths.push_back(path);
    }
    c.layers().push_back(l);
}

std::unique_ptr<Checkpoint> make(const std::string& format = "keras-h5") {
    return std::make_unique<Checkpoint>(format, format);
}

/// "aPath > bPath (by)" per row, for compact comparisons.
QStringList rows(const std::vector<TensorPair>& pairs) {
    QStringList out;
    for (const auto& p : pairs) {
        out << QString::fromStdString((p.a ? p.a->path() : "-") + " > " +
                                      (p.b ? p.b->path() : "-") + " " + p.key + " (" +
                                      std::string(pairedByName(p.pairedBy)) + ")");
    }
    return out;
}

Json dense(const std::string& name, int units) {
    return {{"class_name", "Dense"},
            {"config", {{"name", name}, {"units", units}, {"activation", "relu"}}}};
}

Json sequential(const std::vector<Json>& layers) {
    return {{"class_name", "Sequential"}, {"config", {{"name", "seq"}, {"layers", layers}}}};
}

}  // namespace

class TestDiffPairing : public QObject {
    Q_OBJECT

private slots:
    void canonicalKeys_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("key");
        QTest::newRow("keras legacy") << "model_weights/dense/dense/kernel:0"
                                      << "dense/dense/kernel";
        QTest::newRow("torch dict") << "state_dict/module.fc1.weight"
                                    << "fc1.weight";
        QTest::newRow("model wrapper") << "model/fc1.weight"
                                       << "fc1.weight";
        QTest::newRow("nested prefixes") << "module.module.fc.bias"
                                         << "fc.bias";
        QTest::newRow("torch.compile") << "_orig_mod.fc.bias"
                                       << "fc.bias";
        QTest::newRow("windows names") << "layers\\dense\\vars\\0"
                                       << "layers/dense/vars/0";
        QTest::newRow("lone wrapper name kept") << "model"
                                                << "model";
        QTest::newRow("optimizer") << "optimizer_weights/Adam/iter:0"
                                   << "optimizer_weights/Adam/iter";
        QTest::newRow("keras 1") << "dense_1/dense_1_W:0"
                                 << "dense_1/dense_1_W";
        QTest::newRow("npz") << "arr_0"
                             << "arr_0";
        QTest::newRow("not a tf suffix") << "a:b"
                                         << "a:b";
    }
    void canonicalKeys() {
        QFETCH(QString, path);
        QFETCH(QString, key);
        QCOMPARE(QString::fromStdString(canonicalTensorKey(path.toStdString())), key);
    }

    void trainingStateKeys_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("state");
        QTest::newRow("keras legacy optimizer") << "optimizer_weights/Adam/iter" << true;
        QTest::newRow("keras 3 optimizer") << "optimizer/vars/3" << true;
        QTest::newRow("torch optimizer") << "optimizer.state.0.exp_avg" << true;
        QTest::newRow("scheduler") << "lr_scheduler/last_epoch" << true;
        QTest::newRow("epoch scalar") << "epoch" << true;
        QTest::newRow("seed generator") << "layers/dropout/seed_generator/vars/0" << true;
        QTest::newRow("weights") << "dense/dense/kernel" << false;
        QTest::newRow("torch weight") << "fc1.weight" << false;
        QTest::newRow("step inside a model") << "encoder/step" << false;
        QTest::newRow("lone optimizer name") << "optimizer" << false;
    }
    void trainingStateKeys() {
        QFETCH(QString, key);
        QFETCH(bool, state);
        QCOMPARE(isTrainingStateKey(key.toStdString()), state);
    }

    void renameRules() {
        QVERIFY(!parseRenameRule("nothing"));
        QVERIFY(!parseRenameRule("=x"));
        const auto strip = parseRenameRule("module.=");
        QVERIFY(strip && strip->from == "module." && strip->to.empty());
        const auto two = parseRenameRule("a=b=c");
        QVERIFY(two && two->from == "a" && two->to == "b=c");
    }

    void legacyAgainstVarsLayout() {
        auto a = make("keras-h5");
        addLayer(*a, "dense", "Dense",
                 {{"model_weights/dense/dense/kernel:0", {8, 16}},
                  {"model_weights/dense/dense/bias:0", {16}}});
        addLayer(*a, "dense_1", "Dense",
                 {{"model_weights/dense_1/dense_1/kernel:0", {16, 4}},
                  {"model_weights/dense_1/dense_1/bias:0", {4}}});
        auto b = make("keras3-weights-h5");
        addLayer(*b, "dense", "",
                 {{"layers/dense/vars/0", {8, 16}}, {"layers/dense/vars/1", {16}}});
        addLayer(*b, "dense_1", "",
                 {{"layers/dense_1/vars/0", {16, 4}}, {"layers/dense_1/vars/1", {4}}});
        QCOMPARE(rows(pairTensors(*a, *b)),
                 QStringList({"model_weights/dense/dense/kernel:0 > layers/dense/vars/0 dense/0 "
                              "(weight_order)",
                              "model_weights/dense/dense/bias:0 > layers/dense/vars/1 dense/1 "
                              "(weight_order)",
                              "model_weights/dense_1/dense_1/kernel:0 > layers/dense_1/vars/0 "
                              "dense_1/0 (weight_order)",
                              "model_weights/dense_1/dense_1/bias:0 > layers/dense_1/vars/1 "
                              "dense_1/1 (weight_order)"}));
    }

    void renamedLayersAlignByClassAndShapes() {
        auto a = make();
        addLayer(*a, "dense_4", "Dense", {{"w/dense_4/k", {8, 16}}, {"w/dense_4/b", {16}}});
        addLayer(*a, "dense_5", "Dense", {{"w/dense_5/k", {16, 4}}, {"w/dense_5/b", {4}}});
        auto b = make();
        addLayer(*b, "dense", "Dense", {{"l/dense/0", {8, 16}}, {"l/dense/1", {16}}});
        addLayer(*b, "extra", "Dense", {{"l/extra/0", {4, 4}}});
        addLayer(*b, "dense_1", "Dense", {{"l/dense_1/0", {16, 4}}, {"l/dense_1/1", {4}}});
        const auto pairs = pairTensors(*a, *b);
        QCOMPARE(rows(pairs), QStringList({"w/dense_4/k > l/dense/0 dense_4/0 (position)",
                                           "w/dense_4/b > l/dense/1 dense_4/1 (position)",
                                           "w/dense_5/k > l/dense_1/0 dense_5/0 (position)",
                                           "w/dense_5/b > l/dense_1/1 dense_5/1 (position)",
                                           "- > l/extra/0 extra/0 ()"}));
        QCOMPARE(pairs[0].layer, std::string("dense_4"));
    }

    void pathKeysAcrossWrappersAndPrefixes() {
        auto a = make("pytorch");
        addTensor(*a, "state_dict/module.fc1.weight", {4, 2});
        addTensor(*a, "state_dict/module.fc1.bias", {4});
        addTensor(*a, "epoch", {});
        auto b = make("safetensors");
        addTensor(*b, "fc1.bias", {4});
        addTensor(*b, "fc1.weight", {4, 2});
        const auto pairs = pairTensors(*a, *b);
        QCOMPARE(rows(pairs),
                 QStringList({"epoch > - epoch ()",
                              "state_dict/module.fc1.bias > fc1.bias fc1.bias (name)",
                              "state_dict/module.fc1.weight > fc1.weight fc1.weight (name)"}));
        QCOMPARE(pairs[1].layer, std::string("fc1"));
    }

    void removedAndAddedLayersAreNotPairedByShape() {
        auto a = make();
        addLayer(*a, "dense", "Dense", {{"dense/k", {8, 16}}});
        addLayer(*a, "dense_1", "Dense", {{"dense_1/k", {16, 16}}, {"dense_1/b", {16}}});
        auto b = make();
        addLayer(*b, "dense", "Dense", {{"dense/k", {8, 16}}});
        addLayer(*b, "batch_normalization", "BatchNormalization",
                 {{"bn/gamma", {16}}, {"bn/beta", {16}}});
        QCOMPARE(rows(pairTensors(*a, *b)),
                 QStringList({"dense/k > dense/k dense/0 (layer)", "dense_1/k > - dense_1/0 ()",
                              "dense_1/b > - dense_1/1 ()", "- > bn/gamma batch_normalization/0 ()",
                              "- > bn/beta batch_normalization/1 ()"}));
    }

    void layerKeysOnlyForKeras() {
        // A torch reader may summarise modules as layers; their state_dict names stay the keys.
        auto a = make("pytorch");
        addLayer(*a, "fc1", "Linear", {{"fc1.weight", {4, 2}}, {"fc1.bias", {4}}});
        auto b = make("pytorch");
        addLayer(*b, "fc1", "Linear", {{"fc1.bias", {4}}, {"fc1.weight", {4, 2}}});
        QCOMPARE(rows(pairTensors(*a, *b)),
                 QStringList({"fc1.bias > fc1.bias fc1.bias (name)",
                              "fc1.weight > fc1.weight fc1.weight (name)"}));
    }

    void orderAndShapeForTheRest() {
        auto a = make();
        addTensor(*a, "a/w1", {3, 4});
        addTensor(*a, "a/w2", {4});
        addTensor(*a, "optimizer/vars/2", {4});
        addTensor(*a, "optimizer/vars/10", {3, 4});
        auto b = make();
        addTensor(*b, "b/x", {3, 4});
        addTensor(*b, "b/y", {5});
        addTensor(*b, "b/z", {4});
        addTensor(*b, "optimizer_weights/m", {3, 4});
        QCOMPARE(rows(pairTensors(*a, *b)),
                 QStringList({"a/w1 > b/x a/w1 (shape)", "a/w2 > b/z a/w2 (shape)",
                              // natural order: vars/2 before vars/10; optimizer apart from model
                              "optimizer/vars/2 > - optimizer/vars/2 ()",
                              "optimizer/vars/10 > optimizer_weights/m optimizer/vars/10 (shape)",
                              "- > b/y b/y ()"}));
    }

    void userRules() {
        auto a = make();
        addTensor(*a, "fc.weight", {2, 2});
        addTensor(*a, "old_name", {3});
        addLayer(*a, "dense_3", "Dense", {{"g/dense_3/k", {4, 2}}});
        auto b = make();
        addTensor(*b, "linear.weight", {2, 2});
        addTensor(*b, "new_name", {3});
        addTensor(*b, "fc.weight", {2, 2});
        addLayer(*b, "output", "Dense", {{"g/output/k", {4, 3}}});
        const auto pairs = pairTensors(
            *a, *b, {{"fc", "linear"}, {"old_name", "new_name"}, {"dense_3", "output"}});
        QCOMPARE(rows(pairs),
                 QStringList({"g/dense_3/k > g/output/k dense_3/0 (map)",
                              "fc.weight > linear.weight fc.weight (map)",
                              "old_name > new_name old_name (map)", "- > fc.weight fc.weight ()"}));
    }

    void archiveMembersAreStripped() {
        auto a = make();
        Node& member = a->root().addChild(NodeKind::Archive, "model.weights.h5");
        member.addChild(NodeKind::Tensor, "kernel")
            .setTensor(std::make_shared<Tensor>(DType::Float32, Shape{2}));
        auto b = make();
        addTensor(*b, "kernel", {2});
        QCOMPARE(rows(pairTensors(*a, *b)),
                 QStringList({"model.weights.h5/kernel > kernel kernel (name)"}));
    }

    void jsonPaths() {
        const Json a = {
            {"a", 1}, {"b", {{"c", {1, 2}}}}, {"d", {{{"x", 1}}}}, {"e f", 1}, {"gone", true}};
        const Json b = {{"a", 1},
                        {"b", {{"c", {1, 3}}}},
                        {"d", {{{"x", 2}}, {{"y", 0}}}},
                        {"e f", 2},
                        {"new", nullptr}};
        std::vector<ConfigChange> out;
        diffJson(a, b, "cfg", "L", out);
        QStringList got;
        for (const auto& c : out) {
            got << QString::fromStdString(std::string(configChangeKindName(c.kind)) + " " + c.path +
                                          " " + c.oldValue.dump() + " " + c.newValue.dump() + " " +
                                          c.layer);
        }
        QCOMPARE(got,
                 QStringList(
                     {"field_changed cfg.b.c [1,2] [1,3] L", "field_changed cfg.d[0].x 1 2 L",
                      "field_added cfg.d[1] null {\"y\":0} L", "field_changed cfg[\"e f\"] 1 2 L",
                      "field_removed cfg.gone true null L", "field_added cfg.new null null L"}));
    }

    void layersAlignedByNameThenPositionAndClass() {
        const Json input = {{"class_name", "InputLayer"}, {"config", {{"name", "in"}}}};
        const Json dropout = {{"class_name", "Dropout"},
                              {"config", {{"name", "dropout"}, {"rate", 0.5}}}};
        auto a = make();
        a->config() = sequential({input, dense("dense", 16), dropout, dense("dense_1", 4)});
        a->trainingConfig() = {{"loss", "mse"},
                               {"optimizer_config", {{"class_name", "Adam"}, {"config", {}}}}};
        auto b = make();
        b->config() = sequential({input, dense("dense", 32), dense("out", 4), dense("extra", 2)});
        b->trainingConfig() = {{"loss", "mse"},
                               {"optimizer_config", {{"class_name", "SGD"}, {"config", {}}}}};
        const ConfigDiff d = diffConfigs(*a, *b);
        QVERIFY(d.compared && d.trainingCompared);
        QStringList got;
        for (const auto& c : d.changes) {
            got << QString::fromStdString(std::string(configChangeKindName(c.kind)) + " " + c.path +
                                          " " + c.layer + " " + c.oldValue.dump() + " " +
                                          c.newValue.dump());
        }
        QCOMPARE(got, QStringList({"field_changed layers[1].config.units dense 16 32",
                                   "layer_removed layers[2] dropout null null",
                                   "layer_renamed layers[3] dense_1 \"dense_1\" \"out\"",
                                   "layer_added layers[3] extra null null",
                                   "field_changed training_config.optimizer_config.class_name  "
                                   "\"Adam\" \"SGD\""}));
        QCOMPARE(d.changes[1].className, std::string("Dropout"));
    }

    void renameNeedsEqualConfig() {
        auto a = make();
        a->config() = sequential({dense("a", 4)});
        auto b = make();
        b->config() = sequential({dense("b", 8)});
        const ConfigDiff d = diffConfigs(*a, *b);
        QCOMPARE(d.changes.size(), std::size_t{2});
        QCOMPARE(d.changes[0].kind, ConfigChangeKind::LayerRemoved);
        QCOMPARE(d.changes[1].kind, ConfigChangeKind::LayerAdded);
    }

    void missingConfigIsNotCompared() {
        auto a = make();
        a->config() = sequential({dense("a", 4)});
        auto b = make();
        const ConfigDiff d = diffConfigs(*a, *b);
        QVERIFY(!d.compared);
        QVERIFY(!d.trainingCompared);
        QVERIFY(d.changes.empty());
    }
};

QTEST_GUILESS_MAIN(TestDiffPairing)
#include "test_diff_pairing.moc"
