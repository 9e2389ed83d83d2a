// Module groups for display (core/model/module_groups.h): flat dotted tensor keys become
// transparent module nodes with parameter counts, while every path, find() and tensorNodes()
// stay exactly as the file has them.

#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/module_groups.h"
#include "core/model/node.h"

using namespace ckpt::core;

namespace {

Node& tensor(Node& parent, const std::string& name, std::uint64_t n) {
    Node& t = parent.addChild(NodeKind::Tensor, name);
    t.setTensor(std::make_shared<Tensor>(DType::Float32, std::vector<std::uint64_t>{n}, nullptr));
    return t;
}

std::vector<std::string> paths(const Checkpoint& c) {
    std::vector<std::string> out;
    for (const Node* n : c.tensorNodes()) {
        out.push_back(n->path());
    }
    return out;
}

}  // namespace

class TestModuleGroups : public QObject {
    Q_OBJECT

private slots:
    void groupsAStateDict() {
        Checkpoint c("test", "test");
        Node& sd = c.root().addChild(NodeKind::Group, "state_dict");
        tensor(sd, "conv1.weight", 10);
        tensor(sd, "layer1.0.conv1.weight", 4);
        tensor(sd, "layer1.0.bn1.weight", 2);
        tensor(sd, "layer1.0.bn1.bias", 2);
        tensor(sd, "layer1.1.conv1.weight", 4);
        tensor(sd, "fc.weight", 6);
        tensor(sd, "fc.bias", 3);
        tensor(sd, "scale", 1);
        const auto before = paths(c);
        const std::size_t made = groupDottedKeys(c.root());
        QCOMPARE(paths(c), before);  // every path as the file has it, in the same order
        // layer1, layer1.0, layer1.0.bn1, fc; conv1 (one tensor) and layer1.1 (one) stay put.
        QCOMPARE(made, std::size_t{4});
        QCOMPARE(sd.childCount(), std::size_t{4});  // conv1.weight, layer1, fc, scale, in order
        QCOMPARE(sd.child(0)->name(), std::string("conv1.weight"));
        Node* layer1 = sd.child(1);
        QVERIFY(layer1->transparent());
        QCOMPARE(layer1->name(), std::string("layer1"));
        QCOMPARE(layer1->attributes()["parameters"].get<std::uint64_t>(), std::uint64_t{12});
        QCOMPARE(layer1->path(), std::string("state_dict/layer1"));
        Node* block = layer1->findChild("layer1.0");
        QVERIFY(block && block->transparent());
        QVERIFY(block->findChild("layer1.0.bn1") != nullptr);
        QCOMPARE(sd.child(2)->name(), std::string("fc"));
        QCOMPARE(sd.child(3)->name(), std::string("scale"));
        // find() looks through the groups, and finds the groups themselves.
        const Node* bias = c.root().find("state_dict/layer1.0.bn1.bias");
        QVERIFY(bias != nullptr);
        QCOMPARE(bias->path(), std::string("state_dict/layer1.0.bn1.bias"));
        QCOMPARE(c.root().find("state_dict/layer1"), layer1);
        QCOMPARE(c.root().find("state_dict/fc.bias")->parent()->name(), std::string("fc"));
        QVERIFY(c.root().find("state_dict/layer1.2.conv1.weight") == nullptr);
        // A second call changes nothing.
        QCOMPARE(groupDottedKeys(c.root()), std::size_t{0});
        QCOMPARE(paths(c), before);
    }

    // A chain of prefixes with one member each collapses; names without dots are left alone.
    void leavesFlatFilesAlone() {
        Checkpoint c("test", "test");
        tensor(c.root(), "model.encoder.embed.weight", 4);
        tensor(c.root(), "kernel", 4);
        tensor(c.root(), "bias", 4);
        QCOMPARE(groupDottedKeys(c.root()), std::size_t{0});
        QCOMPARE(c.root().childCount(), std::size_t{3});
    }

    void capsTheGroups() {
        Checkpoint c("test", "test");
        for (int i = 0; i < 50; ++i) {
            tensor(c.root(), "m" + std::to_string(i) + ".weight", 1);
            tensor(c.root(), "m" + std::to_string(i) + ".bias", 1);
        }
        const auto before = paths(c);
        QCOMPARE(groupDottedKeys(c.root(), 10), std::size_t{10});
        QCOMPARE(paths(c), before);
        QCOMPARE(c.tensorNodes().size(), std::size_t{100});
    }

    // A real torch file: the same tensors by path before and after, and modules for fc1-fc3.
    void realTorchFile() {
        const QString file =
            ckpt::test::realDataDir() +
            "/torch/AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_15.pth";
        if (!QFileInfo::exists(file)) {
            QSKIP("../shared/data/real is absent");
        }
        auto c = openCheckpoint(std::filesystem::path(file.toStdString()));
        const auto before = paths(*c);
        QCOMPARE(groupDottedKeys(c->root()), std::size_t{3});
        QCOMPARE(paths(*c), before);
        for (const std::string& p : before) {
            QVERIFY2(c->findTensor(p) != nullptr, p.c_str());
            QCOMPARE(c->root().find(p)->path(), p);
        }
    }
};

QTEST_MAIN(TestModuleGroups)
#include "test_module_groups.moc"
