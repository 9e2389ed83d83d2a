// The window as a user meets it: open, browse, select, fail, reload, close, drop, remember.

#include <QAction>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>
#include <atomic>

#include "app/inspector/shots/screenshot_session.h"
#include "checkpoint_factory.h"
#include "common/test_support.h"
#include "core/analysis/tensor_stats.h"
#include "core/util/error.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/load_controller.h"
#include "ui/jobs/tensor_analysis.h"
#include "ui/main_actions.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/json_tree_model.h"
#include "ui/models/layer_settings_model.h"
#include "ui/models/layer_table_model.h"
#include "ui/models/tensor_value_model.h"
#include "ui/panels/architecture_panel.h"
#include "ui/panels/overview_panel.h"
#include "ui/panels/tensor_panel.h"
#include "ui/panels/tree_panel.h"
#include "ui/util/file_filters.h"
#include "ui/util/format.h"
#include "ui/util/recent_files.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"
#include "ui/widgets/load_progress.h"
#include "ui/widgets/stats_view.h"

using namespace ckpt::ui;

namespace {

// Paths ending in ".bin" go to the real core (garbage -> error); the rest are in-code models.
std::unique_ptr<ckpt::core::Checkpoint> openForTest(const LoadRequest& r,
                                                    const ckpt::core::ProgressFn& progress) {
    if (r.path.endsWith(".bin")) {
        return LoadController::openWithCore(r, progress);
    }
    return ckpt::test::makeSmallModel();
}

struct Window {
    MainWindow w;
    QStringList errors;

    Window() {
        w.session()->loader()->setOpenFunction(openForTest);
        w.setErrorPresenter([this](const QString&, const QString& m) { errors << m; });
        w.show();
    }

    bool open(const QString& path) {
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({path});
        return opened.wait(10000);
    }

    QString currentPath() const {
        return w.treePanel()->currentIndex().data(CheckpointTreeModel::PathRole).toString();
    }
};

double expectedWaveMin(int n) {
    double m = 1e9;
    for (int i = 0; i < n; ++i) {
        m = std::min(m, static_cast<double>(static_cast<float>(ckpt::test::waveValue(i))));
    }
    return m;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_main_window");
    }

    void init() { QSettings().clear(); }

    void openFillsTreeOverviewAndLayerTable() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        CheckpointTreeModel* model = t.w.session()->model();
        QCOMPARE(model->documentCount(), 1);
        QCOMPARE(model->documentIndex(0).data().toString(), QString("small.h5"));
        QVERIFY(t.w.treePanel()->view()->isExpanded(model->documentIndex(0)));
        QCOMPARE(t.w.tabs()->currentIndex(), int(MainWindow::OverviewTab));

        OverviewPanel* o = t.w.overviewPanel();
        QVERIFY(o->fieldText("Format").contains("Keras legacy HDF5 full model"));
        QCOMPARE(o->fieldText("Path"), QString("/models/small.h5"));
        QCOMPARE(o->fieldText("keras_version"), QString("2.4.0"));
        QCOMPARE(o->fieldText("backend"), QString("tensorflow"));
        QVERIFY(o->fieldText("Tensors").startsWith("7,"));
        QVERIFY(o->totalsText().contains(QLocale().toString(287)));
        QVERIFY(o->totalsText().contains(QLocale().toString(271)));
        QVERIFY(o->warningsText().contains("optimizer weights were skipped"));

        QAbstractItemModel* layers = o->layerTable()->model();
        QCOMPARE(layers->rowCount(), 5);
        QCOMPARE(layers->index(2, LayerTableModel::NameColumn).data().toString(), QString("dense"));
        QCOMPARE(layers->index(2, LayerTableModel::ParamsColumn).data().toString(),
                 QLocale().toString(160));

        ArchitecturePanel* a = t.w.architecturePanel();
        QCOMPARE(a->layerModel()->rowCount(), 5);
        QCOMPARE(a->jsonModel()->rowCount(), 2);
        QVERIFY(t.w.windowTitle().startsWith("small.h5"));
        QVERIFY(t.errors.isEmpty());
    }

    void selectingATensorShowsItsStatistics() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        TensorPanel* panel = t.w.tensorPanel();
        QSignalSpy done(panel->analysis(), &TensorAnalysis::finished);
        QVERIFY(t.w.selectPath(0, "model_weights/dense/dense/kernel:0"));
        QCOMPARE(t.w.tabs()->currentIndex(), int(MainWindow::TensorTab));
        QVERIFY(panel->headerText().contains("model_weights/dense/dense/kernel:0"));
        QVERIFY(panel->headerText().contains("[8, 16]"));
        QVERIFY(done.wait(10000));
        QCOMPARE(panel->statsView()->fieldText("min"), ckpt::ui::fmt::number(expectedWaveMin(128)));
        std::uint64_t total = 0;
        for (auto c : panel->histogram()->counts()) {
            total += c;
        }
        QCOMPARE(total, 128u);
        QCOMPARE(panel->heatmap()->data().rows, 8);
        QCOMPARE(panel->heatmap()->data().cols, 16);
        QCOMPARE(panel->valueModel()->rowCount(), 8);
        QCOMPARE(panel->valueModel()->columnCount(), 16);
        (void)panel->valueModel()->index(0, 1).data();
        QTRY_COMPARE(panel->valueModel()->index(0, 1).data(TensorValueModel::ValueRole).toDouble(),
                     static_cast<double>(static_cast<float>(ckpt::test::waveValue(1))));
    }

    void aConvKernelIsShownAsAMatrix() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        TensorPanel* panel = t.w.tensorPanel();
        QSignalSpy done(panel->analysis(), &TensorAnalysis::finished);
        QVERIFY(t.w.selectPath(0, "model_weights/conv2d/conv2d/kernel:0"));
        QVERIFY(done.wait(10000));
        QCOMPARE(panel->heatmap()->data().sourceRows, 18u);  // 3 * 3 * 2
        QCOMPARE(panel->heatmap()->data().sourceCols, 4u);
        QCOMPARE(panel->valueModel()->headerData(7, Qt::Vertical, Qt::DisplayRole).toString(),
                 QString("[1,0,1]"));
    }

    void aNewerSelectionCancelsTheOlderStatistics() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        TensorPanel* panel = t.w.tensorPanel();
        std::atomic<int> cancelled{0};
        panel->analysis()->setStatsFunction(
            [&](const ckpt::core::Tensor& tensor, const ckpt::core::ProgressFn& progress) {
                if (tensor.numel() == 128) {  // dense kernel: slow until cancelled
                    for (int i = 0; i < 500; ++i) {
                        if (!progress(static_cast<std::uint64_t>(i), 500)) {
                            ++cancelled;
                            throw ckpt::core::CancelledError();
                        }
                        QThread::msleep(5);
                    }
                }
                return ckpt::core::computeStats(tensor, progress);
            });
        QSignalSpy ready(panel->analysis(), &TensorAnalysis::statsReady);
        QVERIFY(t.w.selectPath(0, "model_weights/dense/dense/kernel:0"));
        QTest::qWait(30);
        QVERIFY(t.w.selectPath(0, "model_weights/dense_1/dense_1/bias:0"));
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(ready.at(0).at(0).value<ckpt::core::TensorStats>().count, 3u);
        QTRY_COMPARE(cancelled.load(), 1);
        QTest::qWait(50);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(panel->statsView()->fieldText("max"), QString("0.02"));
    }

    void clickingALayerSelectsItsFirstWeight() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        QTableView* table = t.w.overviewPanel()->layerTable();
        const QModelIndex dense1 = table->model()->index(4, LayerTableModel::NameColumn);
        QCOMPARE(dense1.data().toString(), QString("dense_1"));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(dense1).center());
        QCOMPARE(t.currentPath(), QString("model_weights/dense_1/dense_1/kernel:0"));
        QCOMPARE(t.w.tabs()->currentIndex(), int(MainWindow::TensorTab));
        // A layer without weights changes nothing.
        t.w.showTab(MainWindow::OverviewTab);
        const QModelIndex flatten = table->model()->index(1, LayerTableModel::NameColumn);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(flatten).center());
        QCOMPARE(t.currentPath(), QString("model_weights/dense_1/dense_1/kernel:0"));
    }

    void aBadFileShowsAnErrorAndTheAppStaysUsable() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        QTemporaryDir dir;
        const QString garbage = dir.filePath("random.bin");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("this is not a checkpoint at all").repeated(100));
        f.close();
        QSignalSpy failed(t.w.session(), &SessionController::loadFailed);
        t.w.openFiles({garbage});
        QVERIFY(failed.wait(10000));
        QCOMPARE(t.errors.size(), 1);
        QVERIFY2(t.errors[0].contains("random.bin"), qPrintable(t.errors[0]));
        // Whatever was open before is still there and works.
        QCOMPARE(t.w.session()->model()->documentCount(), 1);
        QVERIFY(t.w.overviewPanel()->fieldText("Format").contains("Keras"));
        QVERIFY(t.w.selectPath(0, "model_weights/dense/dense/bias:0"));
        QVERIFY(t.open("/models/other.h5"));
        QCOMPARE(t.w.session()->model()->documentCount(), 2);
        QVERIFY(!t.w.session()->recentFiles()->files().contains(garbage));
    }

    void theErrorDialogDoesNotBlock() {
        MainWindow w;
        w.show();
        QTemporaryDir dir;
        const QString garbage = dir.filePath("random.bin");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(1000, '\x01'));
        f.close();
        QSignalSpy failed(w.session(), &SessionController::loadFailed);
        w.openFiles({garbage});
        QVERIFY(failed.wait(10000));
        QTRY_VERIFY(w.findChild<QMessageBox*>() != nullptr);
        auto* box = w.findChild<QMessageBox*>();
        QVERIFY(box->text().contains("random.bin"));
        box->accept();
    }

    void reloadKeepsTheSelectionAndCloseRemoves() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        QVERIFY(t.w.selectPath(0, "model_weights/dense/dense/bias:0"));
        QSignalSpy opened(t.w.session(), &SessionController::documentOpened);
        t.w.actions()->reload->trigger();
        QVERIFY(opened.wait(10000));
        QCOMPARE(t.w.session()->model()->documentCount(), 1);
        QCOMPARE(t.currentPath(), QString("model_weights/dense/dense/bias:0"));
        t.w.actions()->close->trigger();
        QCOMPARE(t.w.session()->model()->documentCount(), 0);
        QCOMPARE(t.w.overviewPanel()->fieldText("Format"), QString());
        QVERIFY(!t.w.tensorPanel()->selection().isValid());
        QVERIFY(!t.w.actions()->close->isEnabled());
    }

    void filterFindsNodesAndKeepsTheSelection() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        QVERIFY(t.w.selectPath(0, "model_weights/dense_1/dense_1/kernel:0"));
        t.w.treePanel()->filterEdit()->setText("dense_1");
        t.w.treePanel()->applyFilter();
        QCOMPARE(t.currentPath(), QString("model_weights/dense_1/dense_1/kernel:0"));
        CheckpointTreeModel* model = t.w.session()->model();
        QVERIFY(!model->indexForPath(0, "model_weights/conv2d").isValid());
        QVERIFY(t.w.treePanel()->view()->isExpanded(model->indexForPath(0, "model_weights")));
        t.w.treePanel()->filterEdit()->clear();
        t.w.treePanel()->applyFilter();
        QVERIFY(model->indexForPath(0, "model_weights/conv2d").isValid());
    }

    void theCancelButtonStopsALoad() {
        Window t;
        std::atomic<bool> stopped{false};
        t.w.session()->loader()->setOpenFunction(
            [&](const LoadRequest&,
                const ckpt::core::ProgressFn& progress) -> std::unique_ptr<ckpt::core::Checkpoint> {
                for (std::uint64_t i = 0;; ++i) {
                    if (!progress(i % 1000, 1000)) {
                        stopped = true;
                        throw ckpt::core::CancelledError();
                    }
                    QThread::msleep(2);
                }
            });
        auto* progress = t.w.findChild<LoadProgress*>();
        QVERIFY(progress != nullptr);
        t.w.openFiles({"/models/huge.h5"});
        QTRY_VERIFY(progress->isVisible());
        QTRY_VERIFY(progress->bar()->maximum() == 1000);  // a known total: a real percentage
        QTest::mouseClick(progress->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY(stopped.load());
        QTRY_VERIFY(!progress->isVisible());
        QCOMPARE(t.w.session()->model()->documentCount(), 0);
        QVERIFY(t.errors.isEmpty());  // cancelling is not an error
    }

    void scrollingToTheEndFetchesTheNextBatch() {
        MainWindow w;
        w.session()->loader()->setOpenFunction(
            [](const LoadRequest&, const ckpt::core::ProgressFn&) {
                return ckpt::test::makeFlatModel(2000);
            });
        w.show();
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({"/models/flat.safetensors"});
        QVERIFY(opened.wait(10000));
        CheckpointTreeModel* model = w.session()->model();
        const QModelIndex group = model->indexForPath(0, "state_dict");
        w.treePanel()->view()->expand(group);
        QCOMPARE(model->rowCount(group), CheckpointTreeModel::kBatchSize);
        QScrollBar* bar = w.treePanel()->view()->verticalScrollBar();
        bar->setValue(bar->maximum());
        QTRY_VERIFY(model->rowCount(group) > CheckpointTreeModel::kBatchSize);
        QVERIFY(model->rowCount(group) < 2000);
    }

    void architectureSearchAndLayerReveal() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        ArchitecturePanel* a = t.w.architecturePanel();
        a->searchEdit()->setText("softmax");
        a->applySearch();
        QCOMPARE(a->layerView()->model()->rowCount(), 1);
        QCOMPARE(
            a->layerView()->model()->index(0, LayerSettingsModel::NameColumn).data().toString(),
            QString("dense_1"));
        QCOMPARE(a->jsonView()->model()->rowCount(), 1);  // only model_config holds it
        a->searchEdit()->clear();
        a->applySearch();
        QCOMPARE(a->layerView()->model()->rowCount(), 5);
        a->layerView()->setCurrentIndex(a->layerView()->model()->index(3, 0));
        const QModelIndex shown = a->jsonView()->currentIndex();
        QCOMPARE(shown.data(JsonTreeModel::JsonPointerRole).toString(),
                 QString("/config/layers/3"));
        QVERIFY(a->jsonView()->isExpanded(shown));
    }

    void shortcutsAreWired() {
        Window t;
        QCOMPARE(t.w.actions()->open->shortcut(), QKeySequence(QKeySequence::Open));
        QCOMPARE(t.w.actions()->close->shortcut(), QKeySequence("Ctrl+W"));
        QCOMPARE(t.w.actions()->quit->shortcut(), QKeySequence("Ctrl+Q"));
        QCOMPARE(t.w.actions()->reload->shortcut(), QKeySequence("F5"));
        QCOMPARE(t.w.actions()->focusFilter->shortcut(), QKeySequence("Ctrl+F"));
        t.w.activateWindow();
        t.w.actions()->focusFilter->trigger();
        QTRY_VERIFY(t.w.treePanel()->filterEdit()->hasFocus());
    }

    void recentFilesAndDropOpenFiles() {
        Window t;
        QVERIFY(t.open("/models/small.h5"));
        QCOMPARE(t.w.session()->recentFiles()->files().value(0), QString("/models/small.h5"));
        QTemporaryDir dir;
        const QString path = dir.filePath("dropped.h5");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
        f.close();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(&t.w, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy opened(t.w.session(), &SessionController::documentOpened);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(&t.w, &drop);
        QVERIFY(opened.wait(10000));
        QCOMPARE(t.w.session()->model()->documentTitle(1), QString("dropped.h5"));
        QCOMPARE(t.w.session()->recentFiles()->files().value(0), path);
    }

    void dropsAcceptBundleFoldersOnly() {
        // A folder is offered to the reader only when it holds a split bundle.
        const QString bundle = ckpt::test::fixture("py/bundle");
        QTemporaryDir empty;
        QCOMPARE(openablePaths({QUrl::fromLocalFile(bundle), QUrl::fromLocalFile(empty.path()),
                                QUrl("https://example.org/model.h5")}),
                 QStringList{bundle});
        Window t;
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(empty.path())});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(&t.w, &enter);
        QVERIFY(!enter.isAccepted());
        mime.setUrls({QUrl::fromLocalFile(bundle)});
        QDragEnterEvent bundleEnter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, {});
        QApplication::sendEvent(&t.w, &bundleEnter);
        QVERIFY(bundleEnter.isAccepted());
        // The dialog's filter lists every reader's endings, the longest first.
        const QString filter = checkpointFileFilter();
        for (const char* e : {"*.weights.h5", "*.safetensors", "*.keras", "*.pt", "*.joblib.gz",
                              "*.npz", "*.dill"}) {
            QVERIFY2(filter.contains(QLatin1String(e)), e);
        }
        QVERIFY(filter.indexOf("*.weights.h5") < filter.indexOf("*.h5 "));
        QVERIFY(filter.endsWith(";;All files (*)"));
    }

    void windowStateIsRemembered() {
        {
            MainWindow w;
            w.show();
            auto* splitter = w.findChild<QSplitter*>("mainSplitter");
            splitter->setSizes({300, 900});
            QCOMPARE(splitter->sizes().value(0), 300);
            w.close();
        }
        MainWindow again;
        again.show();
        QCOMPARE(again.findChild<QSplitter*>("mainSplitter")->sizes().value(0), 300);
    }

    void screenshotSessionWritesAPng() {
        Window t;
        QTemporaryDir dir;
        const QString out = dir.filePath("shot.png");
        t.w.resize(1280, 800);
        ScreenshotSession session(&t.w, out, MainWindow::TensorTab);
        QSignalSpy finished(&session, &ScreenshotSession::finished);
        session.start({"/models/small.h5"});
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(0).toInt(), 0);
        const QImage img(out);
        QCOMPARE(img.size(), QSize(1280, 800));
        // The first layer's kernel was chosen for the Tensor tab.
        QCOMPARE(t.w.tensorPanel()->selection().path,
                 QString("model_weights/conv2d/conv2d/kernel:0"));
        QCOMPARE(t.w.tabs()->currentIndex(), int(MainWindow::TensorTab));
    }

    void screenshotSessionFailsOnABadFile() {
        Window t;
        QTemporaryDir dir;
        const QString garbage = dir.filePath("bad.bin");
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(100, 'x'));
        f.close();
        ScreenshotSession session(&t.w, dir.filePath("never.png"), MainWindow::OverviewTab);
        QSignalSpy finished(&session, &ScreenshotSession::finished);
        session.start({garbage});
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.at(0).at(0).toInt(), 1);
        QVERIFY(finished.at(0).at(1).toString().contains("bad.bin"));
        QVERIFY(!QFile::exists(dir.filePath("never.png")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
