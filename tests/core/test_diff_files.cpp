// diffCheckpoints on files: the fixture pairs of tests/fixtures/diff (statuses by key and config
// changes from expected.json) and the "Diff pairs" of ../shared/data/real/MANIFEST.md. Metrics
// must agree with numpy in float64 (tests/fixtures/diff/reference_metrics.py) within 1e-4
// relative. Torch and pickle pairs skip until a reader opens them; real pairs skip when the
// folder is absent.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "common/test_support.h"
#include "core/diff/checkpoint_diff.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

Json readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return nullptr;
    }
    return Json::parse(f.readAll().toStdString());
}

bool agrees(double got, double want) {
    if (std::isinf(want) || std::isnan(want)) {
        return std::isinf(got) == std::isinf(want) && std::isnan(got) == std::isnan(want);
    }
    return std::fabs(got - want) <= 1e-4 * std::fabs(want) + 1e-12;
}

/// Every tensor of each side appears in exactly one row.
void checkRowsCoverBothSides(const DiffReport& r, const Checkpoint& a, const Checkpoint& b) {
    std::multiset<std::string> seenA, seenB, allA, allB;
    for (const auto& t : r.tensors) {
        if (t.status != TensorDiffStatus::Added) {
            seenA.insert(t.aPath);
        }
        if (t.status != TensorDiffStatus::Removed) {
            seenB.insert(t.bPath);
        }
    }
    for (const Node* n : a.tensorNodes()) {
        allA.insert(n->path());
    }
    for (const Node* n : b.tensorNodes()) {
        allB.insert(n->path());
    }
    QVERIFY(seenA == allA);
    QVERIFY(seenB == allB);
}

/// Compares every row with metrics against numpy's float64 figures.
void checkAgainstNumpy(const DiffReport& r, const QString& fileA, const QString& fileB) {
    Json request = {{"a", fileA.toStdString()},
                    {"b", fileB.toStdString()},
                    {"atol", r.tolerance.atol},
                    {"rtol", r.tolerance.rtol},
                    {"pairs", Json::array()}};
    std::vector<const TensorDiff*> rows;
    for (const auto& t : r.tensors) {
        if (t.metrics) {
            request["pairs"].push_back({t.aPath, t.bPath});
            rows.push_back(&t);
        }
    }
    if (rows.empty()) {
        return;
    }
    QTemporaryDir dir;
    QFile req(dir.filePath("request.json"));
    QVERIFY(req.open(QIODevice::WriteOnly));
    req.write(QByteArray::fromStdString(request.dump()));
    req.close();
    const auto run =
        ckpt::test::run(ckpt::test::systemPython(),
                        {ckpt::test::fixture("diff/reference_metrics.py"), req.fileName()});
    if (run.exitCode != 0) {
        QSKIP(qPrintable("numpy reference unavailable: " + run.err));
    }
    const Json want = Json::parse(run.out.toStdString());
    QCOMPARE(want.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const TensorMetrics& m = *rows[i]->metrics;
        const Json& w = want[i];
        const QByteArray where = QByteArray::fromStdString(rows[i]->key + ": ");
        QCOMPARE(m.numel, w["numel"].get<std::uint64_t>());
        for (const auto& [name, got] : {std::pair{"max_abs_diff", m.maxAbsDiff},
                                        {"mean_abs_diff", m.meanAbsDiff},
                                        {"rms_diff", m.rmsDiff},
                                        {"rel_l2", m.relL2},
                                        {"cosine", m.cosine}}) {
            const double ref = w[name].is_number() ? w[name].get<double>() : INFINITY;
            QVERIFY2(agrees(got, ref), where + name + " " + QByteArray::number(got, 'g', 17) +
                                           " vs numpy " + QByteArray::number(ref, 'g', 17));
        }
        const auto mis = static_cast<double>(w["mismatched"].get<std::uint64_t>());
        QVERIFY2(std::fabs(static_cast<double>(m.mismatched) - mis) <=
                     1e-4 * static_cast<double>(m.numel),
                 where + "mismatched");
    }
}

/// Opens a file, or returns null after QSKIP-worthy failures of formats not readable yet.
std::unique_ptr<Checkpoint> openOrNull(const QString& path, QString& why) {
    try {
        return openCheckpoint(path.toStdString());
    } catch (const FormatError& e) {
        why = e.what();
    } catch (const UnsupportedError& e) {
        why = e.what();
    }
    return nullptr;
}

}  // namespace

class TestDiffFiles : public QObject {
    Q_OBJECT

private:
    QString m_real;

private slots:
    void initTestCase() { m_real = ckpt::test::realDataDir(); }

    void fixtures_data() {
        QTest::addColumn<int>("index");
        const Json expected = readJson(ckpt::test::fixture("diff/expected.json"));
        QVERIFY(expected.is_object());
        for (std::size_t i = 0; i < expected["pairs"].size(); ++i) {
            const auto& p = expected["pairs"][i];
            const std::string row = p["a"].get<std::string>() + " vs " + p["b"].get<std::string>();
            QTest::newRow(row.c_str()) << static_cast<int>(i);
        }
    }
    void fixtures() {
        QFETCH(int, index);
        const Json p = readJson(ckpt::test::fixture("diff/expected.json"))["pairs"][index];
        const QString fa = ckpt::test::fixture("diff/" + QString::fromStdString(p["a"]));
        const QString fb = ckpt::test::fixture("diff/" + QString::fromStdString(p["b"]));
        QString why;
        const auto a = openOrNull(fa, why);
        const auto b = a ? openOrNull(fb, why) : nullptr;
        if (!a || !b) {
            QSKIP(qPrintable("no reader yet: " + why));
        }
        DiffOptions options;
        options.threads = 2;
        options.chunkElements = 100;  // several chunks per tensor, even here
        const DiffReport r = diffCheckpoints(*a, *b, options);
        std::map<std::string, std::string> got, want;
        for (const auto& t : r.tensors) {
            got[t.key] = tensorDiffStatusName(t.status);
        }
        for (const auto& [k, v] : p["tensors"].items()) {
            want[k] = v.get<std::string>();
        }
        if (got != want) {
            for (const auto& [k, v] : got) {
                qWarning() << k.c_str() << v.c_str();
            }
        }
        QVERIFY(got == want);
        checkRowsCoverBothSides(r, *a, *b);
        if (p["config"].is_null()) {
            QVERIFY(!r.config.compared);
            QVERIFY(r.config.changes.empty());
        } else if (p["config"].is_array()) {
            QVERIFY(r.config.compared);
            std::vector<std::pair<std::string, std::string>> changes, expected;
            for (const auto& c : r.config.changes) {
                changes.emplace_back(configChangeKindName(c.kind), c.path);
            }
            for (const auto& c : p["config"]) {
                expected.emplace_back(c[0].get<std::string>(), c[1].get<std::string>());
            }
            QVERIFY(changes == expected);
        }
        const bool same = std::all_of(want.begin(), want.end(),
                                      [](const auto& kv) { return kv.second == "equal"; });
        QCOMPARE(r.summary.different, !same || !r.config.changes.empty());
        checkAgainstNumpy(r, fa, fb);
    }

    void realPairs_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        const char* pairs[][2] = {
            {"keras_h5_weights/AFNordal__MNIST_Keras__ve273e91_weights.h5",
             "keras_h5_weights/AFNordal__MNIST_Keras__vHEAD_weights.h5"},
            {"keras_h5_weights/rlcode__reinforcement-learning__deep_sarsa_0.h5",
             "keras_h5_weights/rlcode__reinforcement-learning__deep_sarsa_2000.h5"},
            {"keras3/HrushikeshSS10__Bank-Churn-Prediction__vbfa4c63_model.weights.h5",
             "keras3/HrushikeshSS10__Bank-Churn-Prediction__vHEAD_model.weights.h5"},
            {"keras3/HrushikeshSS10__Bank-Churn-Prediction__v10429e7_model.keras",
             "keras3/HrushikeshSS10__Bank-Churn-Prediction__vHEAD_model.weights.h5"},
            {"torch/AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_15.pth",
             "torch/AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_16_prioritized_"
             "memory.pth"},
            {"torch/txie-93__cgcnn__v673de97_efermi.pth.tar",
             "torch/txie-93__cgcnn__v857fffc_efermi.pth.tar"},
            {"torch/tarekbzahid__nn_adder__checkpoint_100.pth",
             "torch/tarekbzahid__nn_adder__checkpoint_1000.pth"},
            {"safetensors/AliBayatMokhtari__mnist-tinygrad__v4fe0665_model.safetensors",
             "safetensors/AliBayatMokhtari__mnist-tinygrad__vHEAD_model.safetensors"},
            {"safetensors/10-24__Connect-4-AI__v4a4f576_model.safetensors",
             "safetensors/10-24__Connect-4-AI__v0f5f589_model.safetensors"},
            {"pickle/krishnaik06__Deployment-flask__ve580d7f_model.pkl",
             "pickle/krishnaik06__Deployment-flask__v388b5a7_model.pkl"},
            {"keras_h5_full/KonduitAI__dl4j-test-resources__simple_lstm_th_keras_1_model.h5",
             "keras_h5_full/KonduitAI__dl4j-test-resources__simple_lstm_tf_keras_2_model.h5"},
        };
        for (const auto& [a, b] : pairs) {
            QTest::newRow(a) << QString(a) << QString(b);
        }
    }
    void realPairs() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        if (m_real.isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        const QString fa = m_real + "/" + a, fb = m_real + "/" + b;
        QString why;
        const auto ca = openOrNull(fa, why);
        const auto cb = ca ? openOrNull(fb, why) : nullptr;
        if (!ca || !cb) {
            QSKIP(qPrintable("no reader yet: " + why));
        }
        const DiffReport r = diffCheckpoints(*ca, *cb);
        checkRowsCoverBothSides(r, *ca, *cb);
        QVERIFY(r.summary.different);
        if (!a.startsWith("pickle/")) {  // the sklearn pair shares no tensor names
            QVERIFY(r.summary.changed + r.summary.shapeChanged > 0);
        }
        std::map<std::string, TensorDiffStatus> status;
        for (const auto& t : r.tensors) {
            status[t.key] = t.status;
        }
        if (a.contains("Connect-4")) {  // layer_1 42x42 -> 30x42, layer_2 20x42 -> 20x30
            for (const char* k : {"layer_1.weight", "layer_1.bias", "layer_2.weight"}) {
                QVERIFY2(status.at(k) == TensorDiffStatus::ShapeChanged, k);
            }
            QCOMPARE(status.at("layer_2.bias"), TensorDiffStatus::Changed);
            QCOMPARE(r.summary.shapeChanged, std::size_t{3});
        }
        if (a.contains("simple_lstm")) {  // 12 Keras 1 gate arrays against 3 Keras 2 ones
            QVERIFY(r.summary.removed > 0);
            QVERIFY(r.summary.added > 0);
            QCOMPARE(status.at("lstm_1/0"), TensorDiffStatus::ShapeChanged);
        }
        if (a.contains("AFNordal") || a.contains("rlcode") || a.contains("tinygrad")) {
            QCOMPARE(r.summary.changed, r.summary.tensors);  // retrained: every tensor moved
        }
        if (a.contains("vbfa4c63")) {  // 19 of 20 changed; the learning rate did not
            QCOMPARE(r.summary.tensors, std::size_t{20});
            QCOMPARE(r.summary.changed, std::size_t{19});
        }
        checkAgainstNumpy(r, fa, fb);
    }
};

QTEST_GUILESS_MAIN(TestDiffFiles)
#include "test_diff_files.moc"
