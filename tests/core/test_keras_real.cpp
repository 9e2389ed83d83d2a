// Every Keras file in ../shared/data/real opens and lists exactly the datasets h5py lists
// (truth.json), with a layer table that follows the model config and the parameter counts of
// MANIFEST.md; tensor values match what h5py reads. Skips when the folder is absent.

#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <set>
#include <tuple>

#include "common/test_support.h"
#include "core/formats/keras_common.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

class TestKerasReal : public QObject {
    Q_OBJECT

private:
    QString m_dir;
    Json m_truth;
    QString m_manifest;

    static Json readJson(const QString& path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            return nullptr;
        }
        return Json::parse(f.readAll().toStdString());
    }

private slots:
    void initTestCase() {
        m_dir = ckpt::test::realDataDir();
        if (m_dir.isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        m_truth = readJson(m_dir + "/truth.json");
        QFile man(m_dir + "/MANIFEST.md");
        QVERIFY(man.open(QIODevice::ReadOnly));
        m_manifest = QString::fromUtf8(man.readAll());
    }

    void keras_data() {
        QTest::addColumn<QString>("relPath");
        if (m_dir.isEmpty()) {
            QTest::newRow("skipped") << QString();
            return;
        }
        int count = 0;
        for (const auto& [key, value] : m_truth.items()) {
            if (key.rfind("keras", 0) == 0) {
                QTest::newRow(key.c_str()) << QString::fromStdString(key);
                ++count;
            }
        }
        QCOMPARE(count, 23);
    }

    void keras() {
        QFETCH(QString, relPath);
        if (relPath.isEmpty()) {
            QSKIP("no real data");
        }
        const auto checkpoint = openCheckpoint((m_dir + "/" + relPath).toStdString());
        QVERIFY(checkpoint->format().rfind("keras", 0) == 0);

        // Tensors: exactly the datasets h5py lists, same shapes and dtypes.
        using Row = std::tuple<std::string, std::string, std::vector<std::uint64_t>>;
        std::set<Row> mine, truth;
        for (const Node* n : checkpoint->tensorNodes()) {
            mine.emplace(n->path(), std::string(dtypeName(n->tensor()->dtype())),
                         n->tensor()->shape());
        }
        for (const auto& t : m_truth[relPath.toStdString()]["tensors"]) {
            truth.emplace(t["path"].get<std::string>(), t["dtype"].get<std::string>(),
                          t["shape"].get<std::vector<std::uint64_t>>());
        }
        QCOMPARE(mine.size(), truth.size());
        QVERIFY(mine == truth);

        // Layer table: follows the config, every weight path is a tensor.
        const auto specs = kerasLayerSpecs(checkpoint->config());
        if (!specs.empty()) {
            QCOMPARE(checkpoint->layers().size(), specs.size());
            for (std::size_t i = 0; i < specs.size(); ++i) {
                QCOMPARE(checkpoint->layers()[i].name, specs[i].name);
                QCOMPARE(checkpoint->layers()[i].className, specs[i].className);
            }
        }
        for (const auto& layer : checkpoint->layers()) {
            QCOMPARE(layer.trainableParams + layer.nonTrainableParams, layer.params);
            for (const auto& w : layer.weightPaths) {
                QVERIFY2(checkpoint->findTensor(w) != nullptr, w.c_str());
            }
        }

        // Parameter count: MANIFEST.md's "params N" for this file.
        const QString fileName = relPath.section('/', 1);
        const QRegularExpression re(QRegularExpression::escape(fileName) +
                                    R"(`[\s\S]*?\(params (\d+)\))");
        const auto match = re.match(m_manifest);
        QVERIFY2(match.hasMatch(), qPrintable(fileName));
        QCOMPARE(checkpoint->totalParams(), match.captured(1).toULongLong());
    }

    void valuesMatchH5py() {
        if (m_dir.isEmpty()) {
            QSKIP("no real data");
        }
        // h5py's view of a few files: float64 sum and the first elements of every dataset.
        const QString script = R"(
import sys, json, h5py, numpy as np, zipfile, io
out = {}
def visit(prefix, f):
    def cb(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind in 'fiub':
            a = np.asarray(obj[()], dtype=np.float64).ravel()
            out[prefix + name] = [float(a.sum()), [float(x) for x in a[:4]]]
    f.visititems(cb)
p = sys.argv[1]
if p.endswith('.keras'):
    z = zipfile.ZipFile(p)
    visit('model.weights.h5/', h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r'))
else:
    visit('', h5py.File(p, 'r'))
print(json.dumps(out))
)";
        for (const char* rel :
             {"keras_h5_full/0xArt__CryptoANN__model.h5",
              "keras_h5_full/KonduitAI__dl4j-test-resources__simple_lstm_th_keras_1_model.h5",
              "keras_h5_weights/AFNordal__MNIST_Keras__vHEAD_weights.h5",
              "keras3/123Cryptic__diabetes_detection__model.keras"}) {
            const QString path = m_dir + "/" + rel;
            const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, path});
            if (r.exitCode != 0) {
                QSKIP(qPrintable("python3 with h5py unavailable: " + r.err));
            }
            const Json ref = Json::parse(r.out.toStdString());
            const auto checkpoint = openCheckpoint(path.toStdString());
            QCOMPARE(ref.size(), checkpoint->tensorNodes().size());
            for (const auto& [tensorPath, expect] : ref.items()) {
                const Node* n = checkpoint->findTensor(tensorPath);
                QVERIFY2(n != nullptr, tensorPath.c_str());
                const auto& t = *n->tensor();
                std::vector<double> values(t.numel());
                t.readAsDouble(0, t.numel(), values.data());
                double sum = 0;
                for (double v : values) {
                    sum += v;
                }
                const double want = expect[0].get<double>();
                QVERIFY2(std::abs(sum - want) <= 1e-6 * std::max(1.0, std::abs(want)),
                         tensorPath.c_str());
                for (std::size_t i = 0; i < expect[1].size(); ++i) {
                    QCOMPARE(values[i], expect[1][i].get<double>());
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestKerasReal)
#include "test_keras_real.moc"
