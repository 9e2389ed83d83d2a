// Torch checkpoints as module hierarchies: a torchvision resnet18 made at test time (state_dict
// and whole model), the whole-model fixture's module classes and order, and dotted/'/' keys.

#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"

using ckpt::core::Graph;
using ckpt::core::GraphNodeId;

namespace {

std::vector<std::string> rootNames(const Graph& g) {
    std::vector<std::string> out;
    for (const auto id : g.roots()) {
        out.push_back(g.node(id).name);
    }
    return out;
}

std::uint64_t sum(const Graph& g, bool buffers) {
    std::uint64_t n = 0;
    for (const auto id : g.roots()) {
        n += buffers ? g.node(id).buffers : g.node(id).params;
    }
    return n;
}

}  // namespace

class TestGraphTorch : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    bool m_made = false;
    QString m_why;

private slots:
    void initTestCase() {
        const QString script =
            "import sys, torch\n"
            "try:\n"
            "    import torchvision\n"
            "except ImportError as e:\n"
            "    print('no torchvision:', e); sys.exit(3)\n"
            "m = torchvision.models.resnet18(weights=None)\n"
            "torch.save(m.state_dict(), sys.argv[1] + '/resnet18_sd.pt')\n"
            "torch.save(m, sys.argv[1] + '/resnet18_model.pt')\n";
        const auto r =
            ckpt::test::run(ckpt::test::systemPython(), {"-c", script, m_tmp.path()}, 300'000);
        m_made = r.exitCode == 0;
        m_why = QString::fromUtf8(r.out + r.err).trimmed();
    }

    void resnet18StateDict() {
        if (!m_made) {
            QSKIP(qPrintable("resnet18 not made (python3-torchvision missing?): " + m_why));
        }
        const auto c = ckpt::core::openCheckpoint((m_tmp.path() + "/resnet18_sd.pt").toStdString());
        const Graph g = ckpt::core::buildGraph(*c);
        QVERIFY(!g.edgesAreDataFlow());
        QVERIFY(g.edges().empty());
        QVERIFY(g.source().find("hierarchy only") != std::string::npos);
        QCOMPARE(rootNames(g), (std::vector<std::string>{"conv1", "bn1", "layer1", "layer2",
                                                         "layer3", "layer4", "fc"}));
        qInfo("resnet18 state_dict: params %llu, buffers %llu, %zu nodes",
              static_cast<unsigned long long>(sum(g, false)),
              static_cast<unsigned long long>(sum(g, true)), g.nodes().size());
        QCOMPARE(sum(g, false), std::uint64_t(11'689'512));
        QCOMPARE(sum(g, true), std::uint64_t(9'620));
        // layer1 > 0 > conv1, from the key layer1.0.conv1.weight.
        const GraphNodeId conv = g.find("layer1.0.conv1");
        QVERIFY(conv != ckpt::core::kNoGraphNode);
        QCOMPARE(g.node(g.node(conv).parent).path, std::string("layer1.0"));
        QCOMPARE(g.node(conv).params, std::uint64_t(64 * 64 * 3 * 3));
        QCOMPARE(g.node(conv).tensors, std::vector<std::string>{"layer1.0.conv1.weight"});
        QCOMPARE(g.node(g.find("bn1")).buffers, std::uint64_t(64 + 64 + 1));
        QCOMPARE(g.node(g.find("fc")).params, std::uint64_t(512 * 1000 + 1000));
    }

    void resnet18WholeModel() {
        if (!m_made) {
            QSKIP(qPrintable("resnet18 not made: " + m_why));
        }
        const auto c =
            ckpt::core::openCheckpoint((m_tmp.path() + "/resnet18_model.pt").toStdString());
        const Graph g = ckpt::core::buildGraph(*c);
        QVERIFY(g.source().find("torchvision.models.resnet.ResNet") != std::string::npos);
        QCOMPARE(g.node(g.find("conv1")).className, std::string("torch.nn.modules.conv.Conv2d"));
        QCOMPARE(g.node(g.find("layer1")).className,
                 std::string("torch.nn.modules.container.Sequential"));
        QCOMPARE(g.node(g.find("layer1.0")).className,
                 std::string("torchvision.models.resnet.BasicBlock"));
        // Modules without tensors are nodes too, where the model declares them.
        QCOMPARE(rootNames(g),
                 (std::vector<std::string>{"conv1", "bn1", "relu", "maxpool", "layer1", "layer2",
                                           "layer3", "layer4", "avgpool", "fc"}));
        QCOMPARE(sum(g, false), std::uint64_t(11'689'512));
        QCOMPARE(sum(g, true), std::uint64_t(9'620));
    }

    void wholeModelFixture() {
        const auto c =
            ckpt::core::openCheckpoint(ckpt::test::fixture("py/torch_full_model.pt").toStdString());
        const Graph g = ckpt::core::buildGraph(*c);
        QVERIFY(g.source().find("mymodels.TinyNet") != std::string::npos);
        QCOMPARE(rootNames(g),
                 (std::vector<std::string>{"fc1", "act", "fc2", "bn", "(top level)"}));
        // `scale` is a plain tensor of the module (a buffer: the pickle marks parameters).
        QCOMPARE(g.node(g.find("(top level)")).buffers, std::uint64_t(2));
        QCOMPARE(g.node(g.find("act")).className, std::string("torch.nn.modules.activation.ReLU"));
        QCOMPARE(g.node(g.find("bn")).params, std::uint64_t(6));
        QCOMPARE(g.node(g.find("bn")).buffers, std::uint64_t(7));
    }

    void dottedAndSlashKeys() {
        const Graph g = ckpt::core::buildKeyGraph({{"model.layers.0.attn.q.weight", 16, false},
                                                   {"model.layers.0.attn.q.bias", 4, false},
                                                   {"model_weights/dense/dense/kernel:0", 8},
                                                   {"lonely", 3, false},
                                                   {"a..b//c", 1, false}});
        QCOMPARE(g.node(g.find("model.layers.0.attn.q")).params, std::uint64_t(20));
        QCOMPARE(g.node(g.find("model")).params, std::uint64_t(20));
        QCOMPARE(g.node(g.find("model_weights.dense.dense")).params, std::uint64_t(8));
        QCOMPARE(g.node(g.find("(top level)")).tensors, std::vector<std::string>{"lonely"});
        QVERIFY(g.find("a.b") != ckpt::core::kNoGraphNode);
        ckpt::core::GraphBuildOptions shallow;
        shallow.maxDepth = 2;
        const Graph cut = ckpt::core::buildKeyGraph({{"a.b.c.d.e.w", 1, false}}, shallow);
        QVERIFY(cut.truncated);
        QCOMPARE(cut.nodes().size(), std::size_t(2));
        QVERIFY(cut.find("a.b.c.d.e") != ckpt::core::kNoGraphNode);
    }
};

QTEST_GUILESS_MAIN(TestGraphTorch)
#include "test_graph_torch.moc"
