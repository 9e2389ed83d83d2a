// The overview of a checkpoint for every format (issue 12): parameters, tensors and bytes per
// top-level module, and the plain values at the top (epoch), in core, `ckpt info` and its JSON.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

#include "common/test_support.h"
#include "core/analysis/overview.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/json.h"

using namespace ckpt::core;

namespace {

const ModuleSummary* findModule(const CheckpointOverview& o, const std::string& name) {
    for (const auto& m : o.modules) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

QString moduleNames(const CheckpointOverview& o) {
    QStringList names;
    for (const auto& m : o.modules) {
        names << QString::fromStdString(m.name);
    }
    return names.join(", ");
}

}  // namespace

class TestOverview : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void torchTrainingCheckpoint() {
        const auto c = openCheckpoint(ckpt::test::fixture("py/torch_train_ckpt.pt").toStdString());
        const CheckpointOverview o = summarizeCheckpoint(*c);
        std::uint64_t model = 0;
        std::uint64_t optimizer = 0;
        for (const Node* n : c->tensorNodes()) {
            (n->path().rfind("model/", 0) == 0 ? model : optimizer) += n->tensor()->numel();
        }
        QCOMPARE(o.params, model);
        QCOMPARE(o.optimizerParams, optimizer);
        QCOMPARE(o.tensors, static_cast<std::uint64_t>(c->tensorNodes().size()));
        // The model opens per module (model/0 is a Linear, model/3 a BatchNorm); the
        // optimizer's state stays one row.
        for (const char* name : {"model/0", "model/2", "model/3", "optimizer"}) {
            QVERIFY2(findModule(o, name) != nullptr, qPrintable(name + (": " + moduleNames(o))));
        }
        QCOMPARE(findModule(o, "model/0")->tensors, std::uint64_t(2));
        QCOMPARE(findModule(o, "model/0")->params, std::uint64_t(8 * 4 + 8));
        QVERIFY(findModule(o, "optimizer")->optimizerState);
        QVERIFY(!findModule(o, "model/3")->optimizerState);
        std::map<std::string, std::string> scalars;
        for (const auto& s : o.scalars) {
            scalars[s.name] = s.value;
        }
        QCOMPARE(scalars["epoch"], std::string("3"));
        QVERIFY2(scalars["best_acc"].find("0.875") != std::string::npos,
                 scalars["best_acc"].c_str());
        QVERIFY(scalars.find("model") == scalars.end());  // groups are not scalars
    }

    void safetensorsGroupsByTheDottedKey() {
        // An LLM-like layout: model.layers.N.*, model.embed_tokens, lm_head.
        const std::vector<std::pair<std::string, int>> keys = {
            {"model.embed_tokens.weight", 6},         {"model.layers.0.self_attn.q_proj.weight", 4},
            {"model.layers.0.mlp.up_proj.weight", 4}, {"model.layers.1.self_attn.q_proj.weight", 4},
            {"model.layers.1.mlp.up_proj.weight", 4}, {"lm_head.weight", 6}};
        Json header = Json::object();
        std::uint64_t offset = 0;
        for (const auto& [k, n] : keys) {
            header[k] = {{"dtype", "F32"},
                         {"shape", {n}},
                         {"data_offsets", {offset, offset + 4 * static_cast<std::uint64_t>(n)}}};
            offset += 4 * static_cast<std::uint64_t>(n);
        }
        const std::string h = header.dump();
        QByteArray bytes(8, '\0');
        const std::uint64_t len = h.size();
        std::memcpy(bytes.data(), &len, 8);
        bytes += QByteArray::fromStdString(h) + QByteArray(static_cast<qsizetype>(offset), '\0');
        const QString path = m_tmp.filePath("llm.safetensors");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        const auto c = openCheckpoint(path.toStdString());
        const CheckpointOverview o = summarizeCheckpoint(*c);
        QCOMPARE(o.params, std::uint64_t(28));
        QCOMPARE(o.bytes, std::uint64_t(28 * 4));
        const auto* layers = findModule(o, "model.layers");
        QVERIFY2(layers != nullptr, qPrintable(moduleNames(o)));
        QCOMPARE(layers->tensors, std::uint64_t(4));
        QCOMPARE(layers->params, std::uint64_t(16));
        QVERIFY2(findModule(o, "model.embed_tokens") != nullptr, qPrintable(moduleNames(o)));
        QVERIFY2(findModule(o, "lm_head") != nullptr, qPrintable(moduleNames(o)));
        QVERIFY(o.scalars.empty());
    }

    void kerasFilesCountTheirLayers() {
        const auto c = openCheckpoint(ckpt::test::fixture("keras/k2_fixed_names.h5").toStdString());
        const CheckpointOverview o = summarizeCheckpoint(*c);
        QCOMPARE(o.params, c->totalParams());
        QVERIFY(!o.modules.empty());
        for (const auto& m : o.modules) {
            QVERIFY2(m.name.rfind("model_weights/", 0) == 0 || m.optimizerState, m.name.c_str());
        }
    }

    void peftAdapterIfPresent() {
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            QSKIP("no real data");
        }
        const auto c = openCheckpoint(
            (real + "/safetensors/anirudh-ak__peft-gpt2__adapter_model.safetensors").toStdString());
        const CheckpointOverview o = summarizeCheckpoint(*c);
        // GPT-2 has 12 blocks: base_model.model.transformer.h.0 ... h.11.
        QVERIFY2(o.modules.size() >= 12, qPrintable(moduleNames(o)));
        std::uint64_t params = 0;
        for (const auto& m : o.modules) {
            params += m.params;
        }
        QCOMPARE(params, o.params);
    }

    void cliInfoShowsParamsAndScalars() {
        const QString file = ckpt::test::fixture("py/torch_train_ckpt.pt");
        const auto text = ckpt::test::run(ckpt::test::cliPath(), {"info", file});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("epoch=3"), text.out.constData());
        QVERIFY2(text.out.contains("Params   "), text.out.constData());
        QVERIFY2(text.out.contains("in optimizer state"), text.out.constData());
        const auto json = ckpt::test::run(ckpt::test::cliPath(), {"info", file, "--json"});
        QCOMPARE(json.exitCode, 0);
        const Json j = Json::parse(json.out.toStdString());
        QCOMPARE(j["scalars"]["epoch"]["value"].get<std::string>(), std::string("3"));
        QCOMPARE(j["scalars"]["epoch"]["type"].get<std::string>(), std::string("int"));
        QVERIFY(j["params"].get<std::uint64_t>() > 0);
        QVERIFY(j["modules"].size() >= 4);
    }
};

QTEST_GUILESS_MAIN(TestOverview)
#include "test_overview.moc"
