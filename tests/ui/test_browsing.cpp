// Browsing as a new user meets it (issue 12): tree names that stay distinguishable, an
// overview for every format, sample names, one error dialog, and the Tensor tab's slicing,
// copying and saving.

#include <QClipboard>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include "app/inspector/shots/screenshot_session.h"
#include "ui/widgets/heatmap_widget.h"
#include "ui/widgets/histogram_widget.h"

#include "checkpoint_factory.h"
#include "common/test_support.h"
#include "core/formats/registry.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"
#include "ui/models/module_table_model.h"
#include "ui/models/tensor_value_model.h"
#include "ui/panels/overview_panel.h"
#include "ui/panels/tensor_panel.h"
#include "ui/panels/tree_panel.h"
#include "ui/panels/value_table_pane.h"
#include "ui/util/about_text.h"
#include "ui/util/sample_checkpoints.h"
#include "ui/widgets/breakdown_bar.h"
#include "ui/widgets/name_elide_delegate.h"

using namespace ckpt::ui;

namespace {

/// A torch-style state dict whose sibling names differ only at their ends, under a long prefix.
std::unique_ptr<ckpt::core::Checkpoint> makeLongNamesModel() {
    auto c = std::make_unique<ckpt::core::Checkpoint>("torch-zip", "PyTorch zip checkpoint");
    c->setFile("/data/models/long.pt", 4096);
    ckpt::test::TensorBuilder b;
    const std::string prefix = "base_model.model.encoder.layer.11.attention.output.";
    b.add("state_dict/" + prefix + "bn1.running_mean", {4}, ckpt::test::rampValue);
    b.add("state_dict/" + prefix + "bn1.running_var", {4}, ckpt::test::rampValue);
    b.add("state_dict/" + prefix + "dense.lora_A.default.weight", {4, 8}, ckpt::test::waveValue);
    b.add("state_dict/" + prefix + "dense.lora_B.default.weight", {8, 4}, ckpt::test::waveValue);
    b.build(c->root());
    return c;
}

double indexValue(std::uint64_t i) {
    return static_cast<double>(i);
}
double sevenValue(std::uint64_t) {
    return 7.0;
}

/// Tensors for the Tensor tab: x (2, 3, 4) holding 0..23, a vector of 50, a scalar, a matrix.
std::unique_ptr<ckpt::core::Checkpoint> makeTensorsModel() {
    auto c = std::make_unique<ckpt::core::Checkpoint>("npz", "NumPy .npz archive");
    c->setFile("/data/models/tensors.npz", 4096);
    ckpt::test::TensorBuilder b;
    b.add("x", {2, 3, 4}, indexValue);
    b.add("vec", {50}, indexValue);
    b.add("scalar", {}, sevenValue);
    b.add("m", {3, 2}, indexValue);
    b.build(c->root());
    return c;
}

std::unique_ptr<ckpt::core::Checkpoint> openInCode(const LoadRequest& r,
                                                   const ckpt::core::ProgressFn& progress) {
    if (r.path.endsWith(".h5") || r.path.endsWith(".pt") || r.path.endsWith(".safetensors") ||
        r.path.endsWith(".bin") || r.path.startsWith(":/")) {
        if (QFileInfo::exists(r.path) || r.path.startsWith(":/")) {
            return LoadController::openWithCore(r, progress);
        }
    }
    if (r.path.contains("tensors")) {
        return makeTensorsModel();
    }
    return makeLongNamesModel();
}

/// Waits until the value table has every visible tile.
bool waitForTiles(TensorPanel* panel) {
    for (int i = 0; i < 200; ++i) {
        panel->valueTable()->viewport()->grab();  // the view asks for what it shows
        QApplication::processEvents();
        if (panel->valueModel()->pendingTiles() == 0 &&
            panel->valueModel()->index(0, 0).data(TensorValueModel::LoadedRole).toBool()) {
            return true;
        }
        QTest::qWait(20);
    }
    return false;
}

struct Window {
    MainWindow w;
    QStringList errors;

    explicit Window(QSize size = {1024, 640}) {
        w.session()->loader()->setOpenFunction(openInCode);
        w.setErrorPresenter([this](const QString&, const QString& m) { errors << m; });
        w.resetLayout(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
    }

    bool open(const QStringList& paths, int documents) {
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles(paths);
        while (opened.size() < documents) {
            if (!opened.wait(10000)) {
                return false;
            }
        }
        return true;
    }
};

/// What the tree shows of `index`'s name: its text elided the way the view elides it into the
/// room its cell leaves after the icon.
QString shownName(QTreeView* view, const QModelIndex& index) {
    const QRect cell = view->visualRect(index);
    const int room = cell.width() - view->iconSize().width() - 12;
    return NameElideDelegate::elide(index.data().toString(), view->fontMetrics(), room,
                                    NameElideDelegate::distinguishingPosition(index));
}

}  // namespace

class TestBrowsing : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_browsing");
    }

    void init() { QSettings().clear(); }

    // Item 1: names elide in the middle and keep a minimum width; other columns stay.
    void treeNamesStayDistinguishableAt1024x640() {
        Window t;
        const QString longFile = QStringLiteral(
            "/models/a_rather_long_checkpoint_file_name_from_a_fine_tuning_run_"
            "with_lora_adapters_epoch_0042_step_000123456.pt");
        QVERIFY(t.open({longFile}, 1));
        TreePanel* panel = t.w.treePanel();
        QTreeView* view = panel->view();
        CheckpointTreeModel* model = t.w.session()->model();
        QCOMPARE(view->textElideMode(), Qt::ElideMiddle);
        QVERIFY(qobject_cast<NameElideDelegate*>(
                    view->itemDelegateForColumn(CheckpointTreeModel::NameColumn)) != nullptr);

        const std::string prefix = "state_dict/base_model.model.encoder.layer.11.attention.output.";
        const QModelIndex mean = model->indexForPath(0, prefix + "bn1.running_mean");
        const QModelIndex var = model->indexForPath(0, prefix + "bn1.running_var");
        const QModelIndex loraA = model->indexForPath(0, prefix + "dense.lora_A.default.weight");
        const QModelIndex loraB = model->indexForPath(0, prefix + "dense.lora_B.default.weight");
        QVERIFY(mean.isValid() && var.isValid() && loraA.isValid() && loraB.isValid());
        panel->select(mean);
        QApplication::processEvents();

        // The default layout at 1024x640 and a narrow tree pane (a remembered splitter).
        for (const int treeWidth : {-1, 300}) {
            if (treeWidth > 0) {
                auto* splitter = t.w.findChild<QSplitter*>(QStringLiteral("mainSplitter"));
                splitter->setSizes({treeWidth, t.w.width() - treeWidth});
                QApplication::processEvents();
            }
            const QHeaderView* header = view->header();
            const int nameWidth = header->sectionSize(CheckpointTreeModel::NameColumn);
            QVERIFY2(nameWidth >= panel->minimumNameWidth(),
                     qPrintable(QString::number(nameWidth)));
            // Shape and Size always stay; Type too at the default width.
            QVERIFY2(
                view->isColumnHidden(CheckpointTreeModel::TypeColumn) == (treeWidth > 0),
                qPrintable(QStringLiteral("viewport %1 view %2 panel %3 split %4 min %5")
                               .arg(view->viewport()->width())
                               .arg(view->width())
                               .arg(panel->width())
                               .arg(t.w.findChild<QSplitter*>("mainSplitter")->sizes().value(0))
                               .arg(panel->minimumNameWidth())));
            for (int col = treeWidth > 0 ? 2 : 1; col < CheckpointTreeModel::ColumnCount; ++col) {
                QVERIFY2(!view->isColumnHidden(col) && header->sectionSize(col) >= 40,
                         qPrintable(QStringLiteral("column %1 squeezed to %2 px")
                                        .arg(col)
                                        .arg(header->sectionSize(col))));
            }
            const QString a = shownName(view, mean);
            const QString b = shownName(view, var);
            QVERIFY2(a != b, qPrintable(a + " == " + b));
            QVERIFY2(a.endsWith(QStringLiteral("mean")) && b.endsWith(QStringLiteral("var")),
                     qPrintable(a + " / " + b));
            QVERIFY2(shownName(view, loraA) != shownName(view, loraB),
                     qPrintable(shownName(view, loraA) + " " +
                                QString::number(view->visualRect(loraA).width())));
            // The long file name is elided, it does not push the other columns away.
            const QModelIndex doc = model->documentIndex(0);
            QVERIFY(shownName(view, doc).contains(QChar(0x2026)));
            const int right =
                view->visualRect(doc.siblingAtColumn(CheckpointTreeModel::SizeColumn)).right();
            QVERIFY2(right <= view->viewport()->width(),
                     qPrintable(QStringLiteral("size column ends at %1 of %2; name %3")
                                    .arg(right)
                                    .arg(view->viewport()->width())
                                    .arg(nameWidth)));
        }
    }

    // Item 2: an overview for a torch training checkpoint, not only for Keras.
    void overviewForATorchCheckpoint() {
        Window t(MainWindow::kDefaultSize);
        QVERIFY(t.open({ckpt::test::fixture("py/torch_train_ckpt.pt")}, 1));
        OverviewPanel* o = t.w.overviewPanel();
        QVERIFY(o->moduleTable()->isVisibleTo(o));
        QVERIFY(!o->layerTable()->isVisibleTo(o));
        ModuleTableModel* m = o->moduleModel();
        QStringList names;
        for (int r = 0; r < m->rowCount(); ++r) {
            names << m->index(r, ModuleTableModel::NameColumn).data().toString();
        }
        for (const char* name : {"model/0", "model/2", "model/3", "optimizer"}) {
            QVERIFY2(names.contains(name), qPrintable(names.join(", ")));
        }
        const int row0 = static_cast<int>(names.indexOf("model/0"));
        QCOMPARE(m->index(row0, ModuleTableModel::TensorsColumn).data().toString(), QString("2"));
        QCOMPARE(m->index(row0, ModuleTableModel::ParamsColumn).data().toString(), QString("40"));
        QVERIFY2(o->fieldText("Parameters").contains("in optimizer state"),
                 qPrintable(o->fieldText("Parameters")));
        QCOMPARE(o->fieldText("value_epoch"), QString("3"));
        QVERIFY(o->fieldText("value_best_acc").contains("0.875"));
        QVERIFY(o->totalsText().contains("Total params"));
        // Where the bytes are: every part labelled, at this width and at a narrow one.
        BreakdownBar* bar = o->storageBar();
        QVERIFY(bar->isVisibleTo(o));
        QVERIFY(bar->parts().size() >= 4);
        QStringList legend = bar->legendTexts();
        QCOMPARE(legend.size(), static_cast<qsizetype>(bar->parts().size()));
        bar->resize(260, bar->height());
        legend = bar->legendTexts();
        QVERIFY(!legend.isEmpty());
        QVERIFY2(legend.size() == static_cast<qsizetype>(bar->parts().size()) ||
                     legend.last().startsWith('+'),
                 qPrintable(legend.join(" | ")));
        // Clicking a module shows its first tensor.
        QSignalSpy activated(o, &OverviewPanel::layerActivated);
        const QModelIndex cell = o->moduleTable()->model()->index(0, 0);
        emit o->moduleTable()->clicked(cell);
        QCOMPARE(activated.size(), 1);
        QVERIFY(!activated.first().first().toString().isEmpty());
    }

    // Item 3: samples by their own names, the status bar names the shown file, About lists
    // the registry's formats.
    void samplesShowTheirNamesAndTheStatusBarTheFile() {
        const QStringList samples = SampleCheckpoints::resourcePaths();
        if (samples.isEmpty()) {
            QSKIP("no bundled samples");
        }
        Window t(MainWindow::kDefaultSize);
        QSignalSpy opened(t.w.session(), &SessionController::documentOpened);
        QCOMPARE(t.w.openSamples(), static_cast<int>(samples.size()));
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), static_cast<int>(samples.size()), 20000);
        CheckpointTreeModel* model = t.w.session()->model();
        for (int row = 0; row < model->documentCount(); ++row) {
            t.w.treePanel()->select(model->documentIndex(row));
            QApplication::processEvents();
            const QString title = model->documentTitle(row);
            QVERIFY2(!title.contains(":/"), qPrintable(title));
            const QString path = t.w.overviewPanel()->fieldText("Path");
            QVERIFY2(!path.contains(":/"), qPrintable(path));
            QVERIFY2(path.contains(QFileInfo(model->documentPath(row)).fileName()),
                     qPrintable(path));
            QVERIFY2(t.w.shownFileText().contains(title), qPrintable(t.w.shownFileText()));
            QVERIFY(!t.w.windowTitle().contains(":/"));
        }
        // The label is inside the window once loading is over (it used to sit past the right
        // edge, where the progress bar had pushed it, with "Show" visible).
        const auto* label = t.w.findChild<QLabel*>(QStringLiteral("statusShownFile"));
        QVERIFY(label != nullptr && label->isVisible());
        QTRY_VERIFY(label->geometry().right() < label->parentWidget()->width());
        QVERIFY(!label->text().isEmpty());
        const QString about = aboutHtml("9.9");
        for (const ckpt::core::Reader* r : ckpt::core::readers()) {
            QVERIFY2(
                about.contains(QString::fromUtf8(r->description().data(), r->description().size())
                                   .toHtmlEscaped()),
                r->description().data());
        }
        QVERIFY(!about.contains("Keras .h5 and .keras today"));
    }

    // Item 4: several failures, one dialog in plain words, details behind a button.
    void severalFailuresOneDialog() {
        MainWindow w;  // the real dialog, no test presenter
        w.show();
        const QStringList bad = {
            ckpt::test::fixture("bad/random.bin"), ckpt::test::fixture("bad/corrupt_superblock.h5"),
            ckpt::test::fixture("bad/text.txt"), QStringLiteral("/no/such/dir/missing.pt")};
        QSignalSpy failed(w.session(), &SessionController::loadFailed);
        w.openFiles(bad);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 4, 20000);
        QTRY_VERIFY(w.findChild<QMessageBox*>() != nullptr);
        QApplication::processEvents();
        const auto boxes = w.findChildren<QMessageBox*>();
        QCOMPARE(boxes.size(), 1);
        QMessageBox* box = boxes.first();
        QVERIFY(box->windowTitle().contains("4 files"));
        for (const QString& path : bad) {
            QVERIFY2(box->text().contains(QFileInfo(path).fileName()), qPrintable(box->text()));
        }
        // Plain words up front; the raw text (HDF5's, the paths) only in the details.
        QVERIFY2(!box->text().contains("H5") && !box->text().contains("/no/such/dir"),
                 qPrintable(box->text()));
        QVERIFY(box->text().contains("does not exist"));
        QVERIFY(box->text().contains("not a checkpoint format"));
        QVERIFY(box->detailedText().contains("/no/such/dir/missing.pt"));
        QVERIFY(box->detailedText().contains("corrupt_superblock.h5"));
        bool detailsButton = false;
        for (QAbstractButton* b : box->buttons()) {
            detailsButton |=
                box->buttonRole(b) == QMessageBox::ActionRole && b->text().contains("Details");
        }
        QVERIFY(detailsButton);
        box->accept();
    }

    // Item 5: N-D slicing as in HDFView, copy, save as .npy (numpy loads it) and CSV.
    void tensorSlicingCopyAndSave() {
        Window t(MainWindow::kDefaultSize);
        QVERIFY(t.open({"/models/tensors.npz"}, 1));
        QVERIFY(t.w.selectPath(0, "x"));
        TensorPanel* panel = t.w.tensorPanel();
        ValueTablePane* pane = panel->valuePane();
        QVERIFY(pane->slicingShown());
        QVERIFY(pane->rowAxisBox()->isVisibleTo(panel));
        // Default: rows are dims 0-1 flattened (6), columns the last dim (4).
        QCOMPARE(panel->valueModel()->rowCount(), 6);
        QCOMPARE(panel->valueModel()->columnCount(), 4);
        // Rows = dim 2, columns = dim 0, dim 1 held at 2: x[:, 2, :].T
        pane->rowAxisBox()->setCurrentIndex(pane->rowAxisBox()->findData(2));
        pane->colAxisBox()->setCurrentIndex(pane->colAxisBox()->findData(0));
        QSpinBox* dim1 = pane->indexBox(1);
        QVERIFY(dim1 != nullptr);
        QVERIFY(pane->indexBox(0) == nullptr && pane->indexBox(2) == nullptr);
        dim1->setValue(2);
        QCOMPARE(panel->valueModel()->rowCount(), 4);
        QCOMPARE(panel->valueModel()->columnCount(), 2);
        QVERIFY(waitForTiles(panel));
        for (int r = 0; r < 4; ++r) {
            for (int c = 0; c < 2; ++c) {
                QCOMPARE(
                    panel->valueModel()->index(r, c).data(TensorValueModel::ValueRole).toDouble(),
                    double(c * 12 + 2 * 4 + r));
            }
        }
        // Copy a 2x2 block.
        QTableView* table = panel->valueTable();
        table->selectionModel()->select(
            QItemSelection(table->model()->index(1, 0), table->model()->index(2, 1)),
            QItemSelectionModel::ClearAndSelect);
        QAction* copy = pane->menuActions().value(0);
        QVERIFY(copy != nullptr && copy->text().contains("Copy"));
        copy->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QString("9\t21\n10\t22"));
        QCOMPARE(pane->menuActions().size(), 3);
        QVERIFY(pane->menuActions()[1]->text().contains(".npy"));
        QVERIFY(pane->menuActions()[2]->text().contains("CSV"));

        // Save the shown slice; numpy reads back the same values.
        QTemporaryDir dir;
        QString error;
        const QString npy = dir.filePath("slice.npy");
        QVERIFY2(pane->saveShown(npy, ValueTablePane::SaveFormat::Npy, &error), qPrintable(error));
        const QString csv = dir.filePath("slice.csv");
        QVERIFY2(pane->saveShown(csv, ValueTablePane::SaveFormat::Csv, &error), qPrintable(error));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        QCOMPARE(csvFile.readAll(), QByteArray("8,20\n9,21\n10,22\n11,23\n"));
        const QString check = QStringLiteral(
            "import numpy as np, sys\n"
            "a = np.load(sys.argv[1])\n"
            "want = np.arange(24, dtype='f8').reshape(2, 3, 4)[:, 2, :].T\n"
            "assert a.shape == want.shape, a.shape\n"
            "assert (a == want).all(), a\n"
            "v = np.load(sys.argv[2])\n"
            "assert v.shape == (50,) and (v == np.arange(50)).all(), v\n"
            "print('ok')\n");
        // The vector, saved whole whatever its wrapping.
        QVERIFY(t.w.selectPath(0, "vec"));
        QVERIFY(!pane->slicingShown());
        const QString vec = dir.filePath("vec.npy");
        QVERIFY2(pane->saveShown(vec, ValueTablePane::SaveFormat::Npy, &error), qPrintable(error));
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", check, npy, vec});
        if (r.exitCode != 0 && r.err.contains("No module named")) {
            QSKIP("no numpy for /usr/bin/python3");
        }
        QVERIFY2(r.exitCode == 0 && r.out.contains("ok"), r.err.constData());
    }

    // Item 5: the table uses its width; no empty heatmap for a scalar; whole-number ticks.
    void tableUsesItsWidthAndScalarsHaveNoHeatmap() {
        Window t(MainWindow::kDefaultSize);
        QVERIFY(t.open({"/models/tensors.npz"}, 1));
        TensorPanel* panel = t.w.tensorPanel();
        QVERIFY(t.w.selectPath(0, "vec"));
        QTableView* table = panel->valueTable();
        QVERIFY(!panel->heatmap()->isVisibleTo(panel));  // a vector: no heatmap either
        // Wrapped into as many columns as the table has room for, not a fixed 8.
        const int cell = table->horizontalHeader()->defaultSectionSize();
        const auto fits = [&] {
            const int cols = panel->valueModel()->columnCount();
            return cols * cell <= table->viewport()->width() &&
                   (cols + 1) * cell > table->viewport()->width();
        };
        QTRY_VERIFY2(fits(), qPrintable(QStringLiteral("%1 columns of %2 px in %3 px")
                                            .arg(panel->valueModel()->columnCount())
                                            .arg(cell)
                                            .arg(table->viewport()->width())));
        QVERIFY(panel->valueModel()->columnCount() > 4);

        QVERIFY(t.w.selectPath(0, "m"));  // 3 x 2: two columns stretch over the table
        QVERIFY(panel->heatmap()->isVisibleTo(panel));
        QTRY_VERIFY(table->horizontalHeader()->sectionResizeMode(0) == QHeaderView::Stretch);
        QApplication::processEvents();
        const int used = table->horizontalHeader()->length();
        QVERIFY2(used >= table->viewport()->width() - 2,
                 qPrintable(QStringLiteral("%1 of %2").arg(used).arg(table->viewport()->width())));

        QVERIFY(t.w.selectPath(0, "scalar"));
        QVERIFY(!panel->heatmap()->isVisibleTo(panel));
        QCOMPARE(panel->valueModel()->rowCount(), 1);

        HistogramWidget h;
        for (const std::vector<std::uint64_t>& counts :
             {std::vector<std::uint64_t>{1}, {1, 2, 1}, {3, 0, 1}, {0, 5, 2}}) {
            h.setHistogram(-0.5, 2.5, counts);
            QStringList labels = h.countTickLabels();
            QVERIFY(labels.size() >= 2);
            QVERIFY2(labels.removeDuplicates() == 0, qPrintable(labels.join(" ")));
            for (const QString& l : labels) {
                bool whole = false;
                l.toInt(&whole);
                QVERIFY2(whole, qPrintable(labels.join(" ")));
            }
            // Integer data (bins centred on whole numbers): whole-number value ticks.
            for (const QString& l : h.valueTickLabels(400)) {
                bool whole = false;
                l.toInt(&whole);
                QVERIFY2(whole, qPrintable(h.valueTickLabels(400).join(" ")));
            }
        }
    }

    // Item 5: --screenshot --tensor PATH selects that tensor.
    void screenshotChoosesTheTensor() {
        QTemporaryDir dir;
        MainWindow w;
        w.session()->loader()->setOpenFunction(openInCode);
        w.resetLayout({1024, 640});
        w.show();
        ScreenshotSession session(&w, dir.filePath("shot.png"), MainWindow::TensorTab);
        session.setTensorPath("m");
        QSignalSpy finished(&session, &ScreenshotSession::finished);
        session.start({"/models/tensors.npz"});
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().first().toInt(), 0);
        QCOMPARE(w.tensorPanel()->selection().path, QString("m"));
        QImage shot(dir.filePath("shot.png"));
        QCOMPARE(shot.size(), QSize(1024, 640));

        MainWindow w2;
        w2.session()->loader()->setOpenFunction(openInCode);
        w2.show();
        ScreenshotSession bad(&w2, dir.filePath("bad.png"), MainWindow::TensorTab);
        bad.setTensorPath("no/such/tensor");
        QSignalSpy badFinished(&bad, &ScreenshotSession::finished);
        bad.start({"/models/tensors.npz"});
        QVERIFY(badFinished.wait(30000));
        QVERIFY(badFinished.first().first().toInt() != 0);
        QVERIFY(badFinished.first().last().toString().contains("no/such/tensor"));
    }
};

QTEST_MAIN(TestBrowsing)
#include "test_browsing.moc"
