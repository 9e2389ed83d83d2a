// The window over the real readers: every Keras fixture fills the tree, the overview and the
// layer table as its .expected.json says; every bad fixture leaves the app usable; the bundled
// samples open from the Qt resource.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/checkpoint.h"
#include "core/model/json.h"
#include "ui/controllers/session_controller.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/layer_table_model.h"
#include "ui/panels/overview_panel.h"
#include "ui/util/format.h"
#include "ui/util/sample_checkpoints.h"

using namespace ckpt::ui;
using ckpt::core::Json;

namespace {

struct Window {
    MainWindow w;
    QStringList errors;

    Window() {
        w.setErrorPresenter([this](const QString&, const QString& m) { errors << m; });
        w.show();
    }

    // Opens `paths` and waits until the loader is idle; returns the number of failures.
    int open(const QStringList& paths) {
        QSignalSpy failed(w.session(), &SessionController::loadFailed);
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles(paths);
        const bool done = QTest::qWaitFor(
            [&] { return opened.count() + failed.count() == static_cast<int>(paths.size()); },
            30000);
        return done ? static_cast<int>(failed.count()) : -1;
    }
};

}  // namespace

class TestFixtures : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_fixtures");
    }

    void kerasFixture_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(ckpt::test::fixture("keras"));
        const auto files = dir.entryList({"*.h5", "*.keras"}, QDir::Files, QDir::Name);
        if (files.isEmpty()) {
            QSKIP("no Keras fixtures in tests/fixtures/keras");
        }
        for (const auto& f : files) {
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
        }
    }

    void kerasFixture() {
        QFETCH(QString, file);
        QFile f(file + ".expected.json");
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        const Json expected = Json::parse(f.readAll().toStdString());

        Window t;
        QCOMPARE(t.open({file}), 0);
        CheckpointTreeModel* tree = t.w.session()->model();
        QCOMPARE(tree->documentCount(), 1);

        // Overview: format, keras_version, file path.
        OverviewPanel* o = t.w.overviewPanel();
        const QString format = QString::fromStdString(expected["format"].get<std::string>());
        QVERIFY2(o->fieldText("Format").endsWith("(" + format + ")"),
                 qPrintable(o->fieldText("Format")));
        QCOMPARE(o->fieldText("Path"), QFileInfo(file).absoluteFilePath());
        if (expected["keras_version"].is_string() && format != "hdf5") {
            QCOMPARE(o->fieldText("keras_version"),
                     QString::fromStdString(expected["keras_version"].get<std::string>()));
        }

        // Tree: every tensor at its path with its dtype and shape.
        const auto& tensors = expected["tensors"];
        QVERIFY(o->fieldText("Tensors").startsWith(fmt::count(tensors.size()) + ","));
        for (const auto& e : tensors) {
            const std::string path = e["path"].get<std::string>();
            const QModelIndex index = tree->indexForPath(0, path);
            QVERIFY2(index.isValid(), path.c_str());
            QCOMPARE(index.data(CheckpointTreeModel::KindRole).toInt(),
                     static_cast<int>(ckpt::core::NodeKind::Tensor));
            const QString dtype = QString::fromStdString(e["dtype"].get<std::string>());
            const auto* node = tree->node(index);
            QCOMPARE(QString::fromUtf8(ckpt::core::dtypeName(node->tensor()->dtype()).data()),
                     dtype);
            if (dtype != "str" && dtype != "void") {
                QCOMPARE(index.siblingAtColumn(CheckpointTreeModel::TypeColumn).data().toString(),
                         dtype);
            }
            QCOMPARE(index.siblingAtColumn(CheckpointTreeModel::ShapeColumn).data().toString(),
                     fmt::shape(e["shape"].get<std::vector<std::uint64_t>>()));
        }

        // Layer table, in the file's order, with its totals. The reference lists no layers for
        // the vars layout (keras3-weights-h5), where the reader still groups weights by layer.
        const auto& layers = expected["layers"];
        QAbstractItemModel* table = o->layerTable()->model();
        if (layers.empty()) {
            QVERIFY(t.errors.isEmpty());
            return;
        }
        QCOMPARE(table->rowCount(), static_cast<int>(layers.size()));
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const int r = static_cast<int>(i);
            const auto cell = [&](int col) { return table->index(r, col).data().toString(); };
            QCOMPARE(cell(LayerTableModel::NameColumn),
                     QString::fromStdString(layers[i]["name"].get<std::string>()));
            const QString cls = QString::fromStdString(layers[i]["class_name"].get<std::string>());
            QCOMPARE(cell(LayerTableModel::ClassColumn), cls.isEmpty() ? QString("–") : cls);
            QCOMPARE(cell(LayerTableModel::ParamsColumn),
                     fmt::count(layers[i]["params"].get<std::uint64_t>()));
            QCOMPARE(cell(LayerTableModel::TrainableColumn),
                     fmt::count(layers[i]["trainable_params"].get<std::uint64_t>()));
            QCOMPARE(cell(LayerTableModel::NonTrainableColumn),
                     fmt::count(layers[i]["non_trainable_params"].get<std::uint64_t>()));
        }
        QVERIFY2(
            o->totalsText().contains(fmt::count(expected["total_params"].get<std::uint64_t>())),
            qPrintable(o->totalsText()));
        QVERIFY(t.errors.isEmpty());
    }

    void badFixturesLeaveTheAppUsable() {
        const QDir dir(ckpt::test::fixture("bad"));
        QStringList files;
        for (const auto& f : dir.entryList(QDir::Files, QDir::Name)) {
            if (!f.endsWith(".py") && !f.endsWith(".md")) {
                files << dir.filePath(f);
            }
        }
        if (files.isEmpty()) {
            QSKIP("no bad fixtures");
        }
        const QString good = ckpt::test::fixture("keras/k2_fixed_names.h5");
        if (!QFile::exists(good)) {
            QSKIP("no Keras fixture to open first");
        }
        Window t;
        QCOMPARE(t.open({good}), 0);
        for (const QString& bad : files) {
            const int before = t.w.session()->model()->documentCount();
            const int failures = t.open({bad});
            QCOMPARE(t.w.session()->model()->documentCount(), before + (failures == 0 ? 1 : 0));
            if (failures > 0) {
                QVERIFY2(t.errors.last().contains(QFileInfo(bad).fileName()),
                         qPrintable(t.errors.last()));
            }
        }
        for (const char* mustFail : {"random.bin", "empty.bin", "text.txt", "corrupt_superblock.h5",
                                     "truncated_central_dir.keras"}) {
            QVERIFY2(std::any_of(t.errors.begin(), t.errors.end(),
                                 [&](const QString& e) { return e.contains(mustFail); }),
                     mustFail);
        }
        // The good document is still there and still answers.
        QCOMPARE(t.w.session()->model()->documentTitle(0), QString("k2_fixed_names.h5"));
        QVERIFY(t.w.selectPath(0, "model_weights/dense/dense/kernel:0"));
        QCOMPARE(t.w.session()->currentDocument(), 0);
    }

    void samplesOpenFromTheResource() {
        const QStringList samples = SampleCheckpoints::resourcePaths();
        if (samples.isEmpty()) {
            QSKIP("no bundled samples");
        }
        Window t;
        QSignalSpy opened(t.w.session(), &SessionController::documentOpened);
        QCOMPARE(t.w.openSamples(), static_cast<int>(samples.size()));
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), static_cast<int>(samples.size()), 30000);
        QVERIFY2(t.errors.isEmpty(), qPrintable(t.errors.join('\n')));
        CheckpointTreeModel* tree = t.w.session()->model();
        QCOMPARE(tree->documentCount(), static_cast<int>(samples.size()));
        for (int r = 0; r < tree->documentCount(); ++r) {
            QVERIFY(tree->documentTitle(r).endsWith("(sample)"));
            QVERIFY(tree->documentPath(r).startsWith(":/samples/"));
            QVERIFY(!tree->checkpoint(r)->tensorNodes().empty());
        }
        // Reloading a sample reads the resource again.
        QSignalSpy again(t.w.session(), &SessionController::documentOpened);
        t.w.session()->reload(0);
        QVERIFY(again.wait(30000));
        QCOMPARE(tree->documentCount(), static_cast<int>(samples.size()));
    }

    void realKerasModel() {
        const QString dir = ckpt::test::realDataDir();
        const QString file = dir + "/keras_h5_full/0xArt__CryptoANN__model.h5";
        if (dir.isEmpty() || !QFile::exists(file)) {
            QSKIP("real data not available");
        }
        Window t;
        QCOMPARE(t.open({file}), 0);
        OverviewPanel* o = t.w.overviewPanel();
        QCOMPARE(o->layerTable()->model()->rowCount(), 5);
        QVERIFY(o->totalsText().contains(fmt::count(11843)));
        QCOMPARE(o->fieldText("keras_version"), QString("2.2.2"));
        QCOMPARE(t.w.session()->defaultTensorPath(0),
                 QString("model_weights/dense_1/dense_1/kernel:0"));
    }
};

QTEST_MAIN(TestFixtures)
#include "test_fixtures.moc"
