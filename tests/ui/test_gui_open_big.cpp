// A big checkpoint (10,000 tensors, built in the worker) opens in the window: the tree holds
// every tensor, its document is expanded and the window paints. How long that takes on the GUI
// thread is a benchmark (bench/bench_gui_open.cpp, bench/RESULTS.md), not asserted here.

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTreeView>
#include <QtTest>

#include "checkpoint_factory.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/panels/tree_panel.h"

using namespace ckpt::ui;

class TestGuiOpenBig : public QObject {
    Q_OBJECT

private:
    template <typename Make>
    void openAndCheck(Make make, std::size_t expectTensors) {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        w.session()->loader()->setOpenFunction(
            [&](const LoadRequest&, const ckpt::core::ProgressFn&) { return make(); });
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({"/bench/big.h5"});
        QVERIFY(opened.wait(60000));
        const QPixmap painted = w.grab();  // layout and paint, synchronously
        QVERIFY(!painted.isNull());
        CheckpointTreeModel* model = w.session()->model();
        QCOMPARE(model->checkpoint(0)->tensorNodes().size(), expectTensors);
        QVERIFY(w.treePanel()->view()->isExpanded(model->documentIndex(0)));
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_gui_open_big");
    }

    void tenThousandTensorsInFiveThousandLayers() {
        openAndCheck([] { return ckpt::test::makeWideModel(5000); }, 10000);
    }

    void tenThousandTensorsInOneGroup() {
        openAndCheck([] { return ckpt::test::makeFlatModel(10000); }, 10000);
    }
};

QTEST_MAIN(TestGuiOpenBig)
#include "test_gui_open_big.moc"
