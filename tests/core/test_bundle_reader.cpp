// The split bundle (tests/fixtures/py/bundle): model.to_json() text, a get_weights() pickle and
// a params pickle, opened as a folder or through the JSON file; weights matched to layers.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/test_support.h"
#include "core/formats/bundle_reader.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

class TestBundleReader : public QObject {
    Q_OBJECT

private slots:
    void folderMatchesExpectation_data() {
        QTest::addColumn<QString>("path");
        QTest::newRow("folder") << ckpt::test::fixture("py/bundle");
        QTest::newRow("json file") << ckpt::test::fixture("py/bundle/model.json");
    }

    void folderMatchesExpectation() {
        QFETCH(QString, path);
        QFile f(ckpt::test::fixture("py/bundle/bundle.expected.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject e = QJsonDocument::fromJson(f.readAll()).object();
        const auto c = openCheckpoint(path.toStdString());
        QCOMPARE(QString::fromStdString(c->format()), QStringLiteral("bundle"));
        QCOMPARE(c->totalParams(), static_cast<std::uint64_t>(e["total_params"].toInt()));
        QVERIFY(c->warnings().empty());
        const QJsonArray layers = e["layers"].toArray();
        QCOMPARE(c->layers().size(), static_cast<std::size_t>(layers.size()));
        for (qsizetype i = 0; i < layers.size(); ++i) {
            const QJsonObject l = layers[i].toObject();
            const Layer& got = c->layers()[static_cast<std::size_t>(i)];
            QCOMPARE(QString::fromStdString(got.name), l["name"].toString());
            QCOMPARE(QString::fromStdString(got.className), l["class_name"].toString());
            const QJsonArray weights = l["weights"].toArray();
            QCOMPARE(got.weightPaths.size(), static_cast<std::size_t>(weights.size()));
            for (qsizetype k = 0; k < weights.size(); ++k) {
                const QJsonObject w = weights[k].toObject();
                const std::string p = "weights.pkl/" + std::to_string(w["index"].toInt());
                QCOMPARE(got.weightPaths[static_cast<std::size_t>(k)], p);
                const Node* t = c->findTensor(p);
                QVERIFY(t != nullptr);
                QCOMPARE(QString::fromStdString(t->attributes()["role"].get<std::string>()),
                         w["role"].toString());
                std::vector<std::uint64_t> shape;
                for (const auto& d : w["shape"].toArray()) {
                    shape.push_back(static_cast<std::uint64_t>(d.toInt()));
                }
                QCOMPARE(t->tensor()->shape(), shape);
            }
        }
        QVERIFY(c->root().findChild("params.pkl") != nullptr);
    }

    void folderWithoutWeightsIsRefused() {
        QTemporaryDir dir;
        QVERIFY(QFile::copy(ckpt::test::fixture("py/bundle/model.json"), dir.filePath("m.json")));
        QVERIFY(ckpt::test::throws<FormatError>(
            [&] { (void)openCheckpoint(dir.path().toStdString()); }));
    }

    void weightRoles() {
        QCOMPARE(kerasWeightRoles("Dense", Json{{"use_bias", false}})->size(), std::size_t{1});
        QCOMPARE(kerasWeightRoles("BatchNormalization", Json::object())->size(), std::size_t{4});
        QVERIFY(kerasWeightRoles("Dropout", Json::object())->empty());
        QVERIFY(!kerasWeightRoles("MyCustomLayer", Json::object()));
    }
};

QTEST_GUILESS_MAIN(TestBundleReader)
#include "test_bundle_reader.moc"
