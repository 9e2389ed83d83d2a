// Every generated Keras fixture (tests/fixtures/keras) opens as its .expected.json says: format,
// version, every dataset with dtype and shape, the layer table with (non-)trainable counts.

#include <QDir>
#include <QFile>
#include <QtTest>

#include <set>
#include <tuple>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

class TestKerasFixtures : public QObject {
    Q_OBJECT

private slots:
    void fixture_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(ckpt::test::fixture("keras"));
        const auto files = dir.entryList({"*.h5", "*.keras"}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 15);
        for (const auto& f : files) {
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
        }
    }

    void fixture() {
        QFETCH(QString, file);
        QFile f(file + ".expected.json");
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        const Json expected = Json::parse(f.readAll().toStdString());
        const auto c = openCheckpoint(file.toStdString());
        QCOMPARE(c->format(), expected["format"].get<std::string>());
        if (expected["keras_version"].is_string() && c->format() != "hdf5") {
            QCOMPARE(c->metadata().value("keras_version", std::string()),
                     expected["keras_version"].get<std::string>());
        }

        using Row = std::tuple<std::string, std::string, std::vector<std::uint64_t>>;
        std::set<Row> mine, want;
        for (const Node* n : c->tensorNodes()) {
            mine.emplace(n->path(), std::string(dtypeName(n->tensor()->dtype())),
                         n->tensor()->shape());
        }
        for (const auto& t : expected["tensors"]) {
            want.emplace(t["path"], t["dtype"], t["shape"].get<std::vector<std::uint64_t>>());
        }
        for (const auto& r : want) {
            QVERIFY2(mine.count(r), std::get<0>(r).c_str());
        }
        QCOMPARE(mine.size(), want.size());

        const auto& layers = expected["layers"];
        if (!layers.empty()) {
            QCOMPARE(c->layers().size(), layers.size());
            for (std::size_t i = 0; i < layers.size(); ++i) {
                const auto& got = c->layers()[i];
                const std::string label = got.name + " in " + file.toStdString();
                QCOMPARE(got.name, layers[i]["name"].get<std::string>());
                QCOMPARE(got.className, layers[i]["class_name"].get<std::string>());
                QVERIFY2(got.params == layers[i]["params"].get<std::uint64_t>(), label.c_str());
                QVERIFY2(got.trainableParams == layers[i]["trainable_params"].get<std::uint64_t>(),
                         label.c_str());
                QVERIFY2(got.nonTrainableParams ==
                             layers[i]["non_trainable_params"].get<std::uint64_t>(),
                         label.c_str());
            }
        }
        if (c->format() != "hdf5") {
            QCOMPARE(c->totalParams(), expected["total_params"].get<std::uint64_t>());
        }
    }
};

QTEST_GUILESS_MAIN(TestKerasFixtures)
#include "test_keras_fixtures.moc"
