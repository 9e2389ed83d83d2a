// GUI-thread cost of opening a big checkpoint: from the load result's arrival to the window
// painted with the tree visible. The checkpoint (10,000 tensors) is built in the worker.

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTreeView>
#include <QtTest>
#include <atomic>
#include <chrono>

#include "checkpoint_factory.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/panels/tree_panel.h"

using namespace ckpt::ui;
using Clock = std::chrono::steady_clock;

class TestGuiOpenBenchmark : public QObject {
    Q_OBJECT

private:
    // Opens a checkpoint made by `make` and returns GUI-thread milliseconds from the worker's
    // end to a painted window.
    template <typename Make>
    double measure(Make make, std::size_t expectTensors, double* handlerMs) {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        std::atomic<Clock::rep> workerEnd{0};
        w.session()->loader()->setOpenFunction(
            [&](const LoadRequest&, const ckpt::core::ProgressFn&) {
                auto c = make();
                workerEnd = Clock::now().time_since_epoch().count();
                return c;
            });
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({"/bench/big.h5"});
        if (!opened.wait(60000)) {
            return -1;
        }
        const QPixmap painted = w.grab();  // layout and paint, synchronously
        const auto end = Clock::now().time_since_epoch().count();
        const double ms = static_cast<double>(end - workerEnd.load()) / 1e6;
        *handlerMs = w.session()->lastOpenGuiMs();
        CheckpointTreeModel* model = w.session()->model();
        if (model->checkpoint(0)->tensorNodes().size() != expectTensors || painted.isNull() ||
            !w.treePanel()->view()->isExpanded(model->documentIndex(0))) {
            return -1;
        }
        return ms;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_gui_open_benchmark");
    }

    void tenThousandTensorsInFiveThousandLayers() {
        double handler = 0;
        const double ms = measure([] { return ckpt::test::makeWideModel(5000); }, 10000, &handler);
        QVERIFY(ms >= 0);
        qInfo(
            "10,000 tensors / 5,000 layers: %.1f ms GUI thread from result to painted window "
            "(result handler %.1f ms)",
            ms, handler);
        QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
    }

    void tenThousandTensorsInOneGroup() {
        double handler = 0;
        const double ms = measure([] { return ckpt::test::makeFlatModel(10000); }, 10000, &handler);
        QVERIFY(ms >= 0);
        qInfo(
            "10,000 tensors in one group: %.1f ms GUI thread from result to painted window "
            "(result handler %.1f ms)",
            ms, handler);
        QVERIFY2(ms < 1000, qPrintable(QString::number(ms)));
    }
};

QTEST_MAIN(TestGuiOpenBenchmark)
#include "test_gui_open_benchmark.moc"
