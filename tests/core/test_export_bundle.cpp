// The split bundle export: model.json, model.weights.h5 and params.json from a pickled
// KerasClassifier stand-in, a pickled Keras model and a .keras file; atomic folder replacement;
// clear refusals for sources without a Keras model.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include "common/test_support.h"
#include "core/export/export_common.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

std::unique_ptr<Checkpoint> open(const QString& path) {
    return openCheckpoint(path.toStdString());
}

Json readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return nullptr;
    }
    return Json::parse(f.readAll().toStdString(), nullptr, false);
}

/// Element bytes of every tensor whose path contains `part`, sorted (paths differ by layout).
std::vector<std::string> sortedBytes(const Checkpoint& c, const std::string& part) {
    std::vector<std::string> out;
    for (const Node* n : c.tensorNodes()) {
        if (n->path().find(part) == std::string::npos) {
            continue;
        }
        std::string bytes;
        streamTensorBytes(*n->tensor(), 1 << 20, [&](const std::byte* p, std::size_t k) {
            bytes.append(reinterpret_cast<const char*>(p), k);
        });
        out.push_back(bytes);
    }
    std::sort(out.begin(), out.end());
    return out;
}

ExportReport exportBundleOf(const QString& in, const QString& out, ExportOptions o = {}) {
    return exportCheckpoint(*open(in), ExportFormat::Bundle, out.toStdString(), o);
}

}  // namespace

class TestExportBundle : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void fromPickledClassifier() {
        const QString in = ckpt::test::fixture("py/keras_wrapper_classifier.pkl");
        const QString out = m_tmp.filePath("clf");
        ExportOptions o;
        o.includeOptimizer = false;
        const auto r = exportBundleOf(in, out, o);
        QCOMPARE(QString::fromStdString(r.format), QString("bundle"));
        const Json model = readJson(out + "/model.json");
        QVERIFY(model.is_object());
        QVERIFY(model.contains("class_name"));
        const Json params = readJson(out + "/params.json");
        QVERIFY(params.is_object());
        QVERIFY(!params.empty());
        QVERIFY(!params.contains("model"));  // the model is model.json + model.weights.h5
        const auto weights = open(out + "/model.weights.h5");
        QCOMPARE(QString::fromStdString(weights->format()), QString("keras3-weights-h5"));
        QVERIFY(r.tensors > 0);
        // The layer weights are the pickled model's, bit for bit.
        const auto src = open(in);
        const auto a = sortedBytes(*src, "dependencies");
        const auto b = sortedBytes(*weights, "layers/");
        QVERIFY(!a.empty());
        QCOMPARE(b, a);
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 3);
        // Nothing left beside the folder.
        for (const auto& name :
             QDir(m_tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)) {
            QVERIFY2(!name.contains("ckpt-tmp"), qPrintable(name));
        }
    }

    void fromPickledModelHasNoParams() {
        const QString in = ckpt::test::fixture("py/keras3_pickled_model.pkl");
        const QString out = m_tmp.filePath("k3");
        const auto r = exportBundleOf(in, out);
        QVERIFY(QFile::exists(out + "/model.json"));
        QVERIFY(QFile::exists(out + "/model.weights.h5"));
        QVERIFY(!QFile::exists(out + "/params.json"));
        QVERIFY(r.tensors > 0);
    }

    void fromKerasFileAndReplaces() {
        const QString in = ckpt::test::fixture("keras/k3_model.keras");
        const QString out = m_tmp.filePath("keras_bundle");
        QVERIFY(QDir().mkpath(out));
        QFile old(out + "/stale.txt");
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.close();
        (void)exportBundleOf(in, out);
        QVERIFY(!QFile::exists(out + "/stale.txt"));  // the old folder was replaced whole
        QCOMPARE(readJson(out + "/model.json"), open(in)->config());
        QCOMPARE(sortedBytes(*open(out + "/model.weights.h5"), "layers/"),
                 sortedBytes(*open(in), "layers/"));
    }

    /// The split bundle reader's input (model JSON + weights and params pickles) comes out as
    /// model.json, model.weights.h5 and params.json.
    void fromSplitBundle() {
        const QString in = ckpt::test::fixture("py/bundle");
        const QString out = m_tmp.filePath("resplit");
        const auto src = open(in);
        QCOMPARE(QString::fromStdString(src->format()), QString("bundle"));
        const auto r = exportBundleOf(in, out);
        QCOMPARE(readJson(out + "/model.json"), src->config());
        const auto weights = open(out + "/model.weights.h5");
        const auto written = sortedBytes(*weights, "layers/");
        QVERIFY(!written.empty());
        QCOMPARE(written, sortedBytes(*src, "weights.pkl"));
        QCOMPARE(r.tensors, static_cast<std::uint64_t>(written.size()));
        QVERIFY(readJson(out + "/params.json").is_object());
    }

    void refusesWithoutKerasModel_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("torch") << ckpt::test::fixture("py/torch_sd_zip.pt");
        QTest::newRow("plain pickle") << ckpt::test::fixture("py/pickle_p2.pkl");
    }

    void refusesWithoutKerasModel() {
        QFETCH(QString, file);
        const QString out = m_tmp.filePath("nothing");
        QVERIFY(ckpt::test::throws<UnsupportedError>([&] { (void)exportBundleOf(file, out); }));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestExportBundle)
#include "test_export_bundle.moc"
