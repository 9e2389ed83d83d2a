// Every torch, pickle, safetensors and numpy file of ../shared/data/real (skipped when absent)
// opens by content and lists exactly the tensors of truth.json: path, shape and dtype. Tensors
// inside a Keras archive nested in a pickle are compared by their path after
// "model.weights.h5/" (truth.json's reference walker spells the prefix its own way).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <map>
#include <string>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/report/checkpoint_json.h"

using namespace ckpt::core;

namespace {

QJsonObject truth() {
    QFile f(ckpt::test::realDataDir() + "/truth.json");
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                       : QJsonObject();
}

/// The comparable key of a tensor path: the part after model.weights.h5/ when there is one.
std::string key(const std::string& path) {
    const std::string marker = "model.weights.h5/";
    const auto pos = path.find(marker);
    return pos == std::string::npos ? path : path.substr(pos + marker.size());
}

std::string shapeText(const QJsonArray& shape) {
    std::string s;
    for (const auto& d : shape) {
        s += std::to_string(d.toInteger()) + ",";
    }
    return s;
}

}  // namespace

class TestRealPickles : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (ckpt::test::realDataDir().isEmpty()) {
            QSKIP("../shared/data/real is not available");
        }
    }

    void tensorsMatchTruth_data() {
        QTest::addColumn<QString>("file");
        const QJsonObject t = truth();
        for (const QString& k : t.keys()) {
            if (k.startsWith("torch/") || k.startsWith("pickle/") || k.startsWith("safetensors/") ||
                k.startsWith("numpy/")) {
                QTest::newRow(k.toUtf8().constData()) << k;
            }
        }
    }

    void tensorsMatchTruth() {
        QFETCH(QString, file);
        const QJsonObject expected = truth()[file].toObject();
        const auto c = openCheckpoint((ckpt::test::realDataDir() + "/" + file).toStdString());
        const Json info = checkpointInfoJson(*c);

        // path -> "shape|dtype", in order.
        std::vector<std::pair<std::string, std::string>> want;
        for (const auto& v : expected["tensors"].toArray()) {
            const QJsonObject o = v.toObject();
            want.emplace_back(
                key(o["path"].toString().toStdString()),
                shapeText(o["shape"].toArray()) + "|" + o["dtype"].toString().toStdString());
        }
        std::vector<std::pair<std::string, std::string>> got;
        for (const auto& t : info["tensors"]) {
            std::string shape;
            for (const auto& d : t["shape"]) {
                shape += std::to_string(d.get<std::uint64_t>()) + ",";
            }
            // Structured numpy types: truth.json gives numpy's descr, we keep it in the detail.
            const std::string dtype =
                t.contains("dtype_detail") && t["dtype_detail"].get<std::string>().starts_with("[")
                    ? t["dtype_detail"].get<std::string>()
                    : t["dtype"].get<std::string>();
            got.emplace_back(key(t["path"].get<std::string>()), shape + "|" + dtype);
        }
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        if (want != got) {
            for (const auto& [p, s] : got) {
                qWarning("got  %s %s", p.c_str(), s.c_str());
            }
            for (const auto& [p, s] : want) {
                qWarning("want %s %s", p.c_str(), s.c_str());
            }
        }
        QCOMPARE(got.size(), want.size());
        QVERIFY(got == want);
        // truth.json's kinds are coarser: torch-zip covers TorchScript, pickle covers joblib.
        const std::string kind = expected["kind"].toString().toStdString();
        const std::string format = c->format();
        QVERIFY2(format == kind || (kind == "torch-zip" && format == "torchscript") ||
                     (kind == "pickle" && format == "joblib"),
                 format.c_str());
    }

    void picklesHaveObjectViews() {
        const auto c = openCheckpoint((ckpt::test::realDataDir() +
                                       "/pickle/krishnaik06__Deployment-flask__v388b5a7_model.pkl")
                                          .toStdString());
        QCOMPARE(QString::fromStdString(c->root().typeName()),
                 QStringLiteral("sklearn.pipeline.Pipeline"));
        const Node* scaler = c->root().find("steps/0/1");
        QVERIFY(scaler != nullptr);
        QCOMPARE(scaler->kind(), NodeKind::Object);
        QCOMPARE(QString::fromStdString(scaler->typeName()),
                 QStringLiteral("sklearn.preprocessing._data.StandardScaler"));
        const Json objects = objectsJson(*c);
        bool found = false;
        for (const auto& o : objects) {
            found = found || (o["path"] == "steps/1/1" &&
                              o["class"] == "sklearn.svm._classes.SVC" && o["kind"] == "object");
        }
        QVERIFY(found);
    }

    void kerasInPickleHasLayers() {
        const auto c =
            openCheckpoint((ckpt::test::realDataDir() +
                            "/pickle/Yulisa10__mineria_de_datos_Trabajo_final__keras_model.pkl")
                               .toStdString());
        QCOMPARE(QString::fromStdString(c->root().typeName()),
                 QStringLiteral("keras.src.models.sequential.Sequential"));
        const Node* archive = c->root().findChild("model.keras");
        QVERIFY(archive != nullptr);
        QCOMPARE(archive->kind(), NodeKind::Archive);
        QCOMPARE(QString::fromStdString(archive->typeName()), QStringLiteral("keras-archive"));
        QCOMPARE(c->layers().size(), std::size_t{4});
        QCOMPARE(c->totalParams(), std::uint64_t{865});
        QVERIFY(c->findTensor("model.keras/model.weights.h5/layers/dense/vars/0") != nullptr);
    }
};

QTEST_GUILESS_MAIN(TestRealPickles)
#include "test_real_pickles.moc"
