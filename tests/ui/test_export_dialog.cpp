// File ▸ Export…: which formats fit a checkpoint, the preview of what is removed and written,
// a real export in the background, Cancel leaving nothing behind, and the input never
// overwritten.

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "common/test_support.h"
#include "core/export/export_plan.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "ui/controllers/session_controller.h"
#include "ui/export/export_dialog.h"
#include "ui/jobs/export_job.h"
#include "ui/main_actions.h"
#include "ui/main_window.h"

using namespace ckpt::ui;
using namespace ckpt::core;
using ckpt::core::ExportFormat;

namespace {

std::shared_ptr<const ckpt::core::Checkpoint> openFixture(const QString& name) {
    return ckpt::core::openCheckpoint(
        std::filesystem::path(ckpt::test::fixture(name).toStdString()));
}

template <typename T>
T* child(QObject* parent, const char* name) {
    T* w = parent->findChild<T*>(QString::fromLatin1(name));
    if (w == nullptr) {
        qFatal("no child %s", name);
    }
    return w;
}

QStringList removedPaths(ExportDialog& d) {
    auto* list = child<QTreeWidget>(&d, "removedList");
    QStringList paths;
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        paths << list->topLevelItem(i)->text(0);
    }
    return paths;
}

QTreeWidgetItem* removedItem(ExportDialog& d, const QString& path) {
    auto* list = child<QTreeWidget>(&d, "removedList");
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->text(0) == path) {
            return list->topLevelItem(i);
        }
    }
    return nullptr;
}

/// Elements read only once the gate opens, so a test can press Stop mid-export for sure.
struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> waiting{0};
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            open = true;
        }
        cv.notify_all();
    }
};

class GatedSource final : public ckpt::core::TensorSource {
public:
    explicit GatedSource(std::shared_ptr<Gate> gate) : m_gate(std::move(gate)) {}
    void read(std::uint64_t, std::uint64_t count, std::byte* out) const override {
        ++m_gate->waiting;
        std::unique_lock<std::mutex> lock(m_gate->mutex);
        m_gate->cv.wait(lock, [this] { return m_gate->open; });
        std::memset(out, 0, count * 4);
    }

private:
    std::shared_ptr<Gate> m_gate;
};

/// 8 float32 tensors of 16 MiB each (no memory behind them: zeros once the gate opens).
std::shared_ptr<ckpt::core::Checkpoint> gatedCheckpoint(const std::shared_ptr<Gate>& gate) {
    auto c = std::make_shared<ckpt::core::Checkpoint>("safetensors", "generated");
    for (int i = 0; i < 8; ++i) {
        auto t = std::make_shared<ckpt::core::Tensor>(ckpt::core::DType::Float32,
                                                      std::vector<std::uint64_t>{2048, 2048},
                                                      std::make_shared<GatedSource>(gate));
        c->root()
            .addChild(ckpt::core::NodeKind::Tensor, "layer" + std::to_string(i) + "/w")
            .setTensor(std::move(t));
    }
    return c;
}

}  // namespace

class TestExportDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_export_dialog");
    }

    void formatsFitTheSource() {
        const auto keras = openFixture("keras/k3_model.keras");
        for (const FormatFit& fit : exportFormatFits(*keras)) {
            QCOMPARE(fit.enabled, fit.format != ExportFormat::Pickle);
        }
        const auto weights = openFixture("keras/k2_weights_only.h5");
        QVERIFY(exportFormatFit(*weights, ExportFormat::KerasH5).enabled);
        QVERIFY(exportFormatFit(*weights, ExportFormat::WeightsH5).enabled);
        QVERIFY(!exportFormatFit(*weights, ExportFormat::Keras).enabled);
        QVERIFY(QString::fromStdString(exportFormatFit(*weights, ExportFormat::Keras).reason)
                    .contains("weights-only"));

        const auto pickle = openFixture("py/dill_lock.pkl");
        QVERIFY(exportFormatFit(*pickle, ExportFormat::Pickle).enabled);
        for (auto f : {ExportFormat::KerasH5, ExportFormat::WeightsH5, ExportFormat::Keras}) {
            const FormatFit fit = exportFormatFit(*pickle, f);
            QVERIFY(!fit.enabled);
            QVERIFY(QString::fromStdString(fit.reason).contains("Keras model"));
        }
        QVERIFY(!exportFormatFit(*pickle, ExportFormat::Bundle).enabled);
        QVERIFY(!exportFormatFit(*pickle, ExportFormat::Safetensors).enabled);  // no tensors

        const auto pickledKeras = openFixture("py/keras3_pickled_model.pkl");
        QVERIFY(hasKerasModel(*pickledKeras));
        QVERIFY(exportFormatFit(*pickledKeras, ExportFormat::Bundle).enabled);
        // The Keras exporters write the model inside the pickle.
        QVERIFY(exportFormatFit(*pickledKeras, ExportFormat::KerasH5).enabled);
        QVERIFY(exportFormatFit(*pickledKeras, ExportFormat::Keras).enabled);
    }

    void namesFollowTheFormat() {
        QCOMPARE(checkpointStem("/a/model.weights.h5"), std::string("model"));
        QCOMPARE(checkpointStem("/a/m.v2.safetensors"), std::string("m.v2"));
        const auto keras = openFixture("keras/k3_model.keras");
        QCOMPARE(withExportExtension(*keras, "/o/model.safetensors", ExportFormat::WeightsH5),
                 std::filesystem::path("/o/model.weights.h5"));
        QCOMPARE(withExportExtension(*keras, "/o/model.weights.h5", ExportFormat::KerasH5),
                 std::filesystem::path("/o/model.h5"));
        // Same format as the input: the suggestion is never the input itself.
        const auto same = suggestedExportPath(*keras, ExportFormat::Keras);
        QVERIFY(same != std::filesystem::path(keras->filePath()));
        QCOMPARE(same.filename().string(), std::string("k3_model.export.keras"));
        const auto pickle = openFixture("py/dill_lock.pkl");
        const auto beside = std::filesystem::path(pickle->filePath()).parent_path();
        QCOMPARE(
            withExportExtension(*pickle, beside / "dill_lock.safetensors", ExportFormat::Pickle),
            beside / "dill_lock.cleaned.pkl");
    }

    void comboDisablesWhatDoesNotFit() {
        ExportDialog d(openFixture("py/dill_lock.pkl"), "dill_lock.pkl");
        auto* combo = child<QComboBox>(&d, "formatCombo");
        QCOMPARE(combo->count(), 6);
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        QVERIFY(model != nullptr);
        const int kerasRow = combo->findData(static_cast<int>(ExportFormat::KerasH5));
        QVERIFY(!model->item(kerasRow)->isEnabled());
        QVERIFY(combo->itemData(kerasRow, Qt::ToolTipRole).toString().contains("Keras model"));
        QVERIFY(!d.setFormat(ExportFormat::KerasH5));
        // The only fitting format is selected from the start.
        QCOMPARE(d.format(), ExportFormat::Pickle);
        QVERIFY(d.outputPath().endsWith("dill_lock.cleaned.pkl"));
    }

    void pickleLockIsWillBeRemoved() {
        ExportDialog d(openFixture("py/dill_lock.pkl"), "dill_lock.pkl");
        QVERIFY(d.setFormat(ExportFormat::Pickle));
        QTreeWidgetItem* lock = nullptr;
        for (const QString& p : removedPaths(d)) {
            if (p.endsWith("lock")) {
                lock = removedItem(d, p);
            }
        }
        QVERIFY2(lock != nullptr, qPrintable(removedPaths(d).join(", ")));
        QCOMPARE(lock->text(1), QString("_thread.lock"));
        QCOMPARE(lock->text(2), QString("removed"));
        child<QCheckBox>(&d, "replaceWithNone")->setChecked(true);
        QCOMPARE(removedItem(d, lock->text(0)) != nullptr ? removedItem(d, lock->text(0))->text(2)
                                                          : QString(),
                 QString("replaced with None"));
    }

    void portabilityOptionAddsMembers() {
        ExportDialog d(openFixture("py/dill_all.pkl"), "dill_all.pkl");
        QVERIFY(d.setFormat(ExportFormat::Pickle));
        const QStringList before = removedPaths(d);
        QVERIFY(!before.isEmpty());
        // A flagged member inside a removed one goes with it and is not listed twice.
        QVERIFY2(before.contains("<root>.cond"), qPrintable(before.join(", ")));
        QVERIFY2(!before.contains("<root>.cond._lock"), qPrintable(before.join(", ")));
        auto* portability = child<QCheckBox>(&d, "dropPortability");
        QVERIFY(portability->isEnabled());
        portability->setChecked(true);
        const QStringList after = removedPaths(d);
        QVERIFY2(after.size() > before.size(), qPrintable(after.join(", ")));
        bool lambda = false;
        for (const QString& p : after) {
            lambda = lambda || p.endsWith("lam");
        }
        QVERIFY2(lambda, qPrintable(after.join(", ")));
    }

    void extensionAndFormatFollowEachOther() {
        ExportDialog d(openFixture("keras/k3_model.keras"), "k3_model.keras");
        QVERIFY(d.setFormat(ExportFormat::WeightsH5));
        QVERIFY(d.outputPath().endsWith("k3_model.weights.h5"));
        QVERIFY(d.setFormat(ExportFormat::Safetensors));
        QVERIFY(d.outputPath().endsWith("k3_model.safetensors"));
        auto* edit = child<QLineEdit>(&d, "outputEdit");
        edit->clear();
        QTest::keyClicks(edit, "/tmp/somewhere/out.keras");
        QCOMPARE(d.format(), ExportFormat::Keras);
        QCOMPARE(d.outputPath(), QString("/tmp/somewhere/out.keras"));
        // Options follow the format.
        QVERIFY(child<QCheckBox>(&d, "dropOptimizer")->isEnabled());
        QVERIFY(!child<QLineEdit>(&d, "tensorGlob")->isEnabled());
        QVERIFY(!child<QCheckBox>(&d, "replaceWithNone")->isEnabled());
    }

    void tensorCountFollowsTheGlob() {
        const auto keras = openFixture("keras/k3_legacy.h5");
        ExportDialog d(keras, "k3_legacy.h5");
        QVERIFY(d.setFormat(ExportFormat::Safetensors));
        const auto all = keras->tensorNodes().size();
        std::size_t kernels = 0;
        for (const auto* n : keras->tensorNodes()) {
            kernels += n->path().find("kernel") != std::string::npos ? 1 : 0;
        }
        QVERIFY(kernels > 0 && kernels < all);
        auto* count = child<QLabel>(&d, "globCount");
        QCOMPARE(count->text(), QString("%1 of %2 tensors").arg(all).arg(all));
        QTest::keyClicks(child<QLineEdit>(&d, "tensorGlob"), "*kernel*");
        QCOMPARE(count->text(), QString("%1 of %2 tensors").arg(kernels).arg(all));
        QVERIFY2(child<QLabel>(&d, "writtenSummary")
                     ->text()
                     .contains(QString("%1 tensors").arg(kernels)),
                 qPrintable(child<QLabel>(&d, "writtenSummary")->text()));
    }

    void safetensorsExportReopens() {
        QTemporaryDir dir;
        const auto keras = openFixture("keras/k3_legacy.h5");
        ExportDialog d(keras, "k3_legacy.h5");
        QVERIFY(d.setFormat(ExportFormat::Safetensors));
        const QString out = dir.filePath("k3_legacy.safetensors");
        d.setOutputPath(out);
        QSignalSpy done(d.job(), &ExportJob::succeeded);
        QSignalSpy opened(&d, &ExportDialog::openRequested);
        QTest::mouseClick(child<QPushButton>(&d, "exportButton"), Qt::LeftButton);
        QVERIFY(d.job()->isRunning() || done.count() == 1);
        QVERIFY(done.count() == 1 || done.wait(30000));
        QVERIFY(QFileInfo::exists(out));
        const auto back = ckpt::core::openCheckpoint(std::filesystem::path(out.toStdString()));
        QCOMPARE(back->tensorNodes().size(), keras->tensorNodes().size());
        QCOMPARE(d.exportedPath(), out);
        QVERIFY(child<QLabel>(&d, "resultSummary")
                    ->text()
                    .contains(QString("Wrote %1 tensors").arg(keras->tensorNodes().size())));
        auto* open = child<QPushButton>(&d, "openResultButton");
        QVERIFY(!open->isHidden());
        QTest::mouseClick(open, Qt::LeftButton);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.at(0).at(0).toString(), out);
    }

    void cancelLeavesNothing() {
        QTemporaryDir dir;
        auto gate = std::make_shared<Gate>();
        struct Release {
            std::shared_ptr<Gate> g;
            ~Release() { g->release(); }
        } release{gate};
        ExportDialog d(gatedCheckpoint(gate), "generated");
        QVERIFY(d.setFormat(ExportFormat::Safetensors));
        const QString out = dir.filePath("big.safetensors");
        d.setOutputPath(out);
        QSignalSpy cancelled(d.job(), &ExportJob::cancelled);
        QSignalSpy succeeded(d.job(), &ExportJob::succeeded);
        QVERIFY(d.startExport());
        QVERIFY(child<QProgressBar>(&d, "exportProgress")->isVisibleTo(&d));
        auto* stop = child<QPushButton>(&d, "cancelButton");
        QVERIFY(stop->isVisibleTo(&d));
        QVERIFY(!child<QPushButton>(&d, "exportButton")->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(gate->waiting.load() > 0, 10000);  // mid-export
        QTest::mouseClick(stop, Qt::LeftButton);
        gate->release();
        QVERIFY(cancelled.wait(30000));
        QCOMPARE(succeeded.count(), 0);
        QVERIFY(!QFileInfo::exists(out));
        QCOMPARE(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList());
        QVERIFY(d.statusText().contains("Cancelled"));
        QVERIFY(child<QPushButton>(&d, "exportButton")->isEnabled());
    }

    void neverOverwritesTheInput() {
        QTemporaryDir dir;
        const QString input = dir.filePath("model.keras");
        QVERIFY(QFile::copy(ckpt::test::fixture("keras/k3_model.keras"), input));
        const QByteArray before = [&] {
            QFile f(input);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        ExportDialog d(ckpt::core::openCheckpoint(std::filesystem::path(input.toStdString())),
                       "model.keras");
        int asked = 0;
        bool answer = false;
        d.setOverwriteConfirmer([&](const QString&) {
            ++asked;
            return answer;
        });
        d.setOutputPath(dir.path() + "/./model.keras");
        QCOMPARE(d.format(), ExportFormat::Keras);
        QVERIFY(!d.startExport());
        QCOMPARE(asked, 0);
        QVERIFY(d.statusText().contains("never overwritten"));
        QVERIFY(!d.job()->isRunning());
        QFile f(input);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);

        // Another existing file: asked first; "no" keeps it.
        const QString other = dir.filePath("other.weights.h5");
        {
            QFile o(other);
            QVERIFY(o.open(QIODevice::WriteOnly));
            o.write("keep me");
        }
        d.setOutputPath(other);
        QCOMPARE(d.format(), ExportFormat::WeightsH5);
        QVERIFY(!d.startExport());
        QCOMPARE(asked, 1);
        QCOMPARE(QFileInfo(other).size(), qint64(7));
        answer = true;
        QSignalSpy done(d.job(), &ExportJob::succeeded);
        QVERIFY(d.startExport());
        QCOMPARE(asked, 2);
        QVERIFY(done.wait(30000));
        QVERIFY(QFileInfo(other).size() > 7);
    }

    void pickleExportResultIsShownCleanly() {
        QTemporaryDir dir;
        ExportDialog d(openFixture("py/dill_lock.pkl"), "dill_lock.pkl");
        QVERIFY(d.setFormat(ExportFormat::Pickle));
        const QString out = dir.filePath("clean.pkl");
        d.setOutputPath(out);
        QSignalSpy failed(d.job(), &ExportJob::failed);
        QSignalSpy succeeded(d.job(), &ExportJob::succeeded);
        QVERIFY(d.startExport());
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() + succeeded.count() == 1, 30000);
        if (failed.count() == 1) {
            // Not implemented in the core yet: the message is shown, nothing is written, and
            // the dialog can be used again.
            QVERIFY(d.statusText().startsWith("Export failed: "));
            QVERIFY(d.statusText().contains(failed.at(0).at(0).toString()));
            QVERIFY(!QFileInfo::exists(out));
            QVERIFY(child<QPushButton>(&d, "exportButton")->isEnabled());
            QVERIFY(child<QComboBox>(&d, "formatCombo")->isEnabled());
            QVERIFY(child<QPushButton>(&d, "openResultButton")->isHidden());
        } else {
            QVERIFY(QFileInfo::exists(out));
            QVERIFY(!child<QPushButton>(&d, "openResultButton")->isHidden());
        }
    }

    void proposesAWritableFolder() {
        QTemporaryDir dir;
        const QString ro = dir.filePath("readonly");
        QVERIFY(QDir().mkpath(ro));
        QVERIFY(QFile::copy(ckpt::test::fixture("keras/k3_model.keras"), ro + "/model.keras"));
        const auto readOnly = QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                              QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
        QVERIFY(QFile::setPermissions(ro, readOnly));
        struct Restore {
            QString path;
            ~Restore() {
                QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            }
        } restore{ro};
        QVERIFY(!isWritableFolder(ro.toStdString()));
        QVERIFY(isWritableFolder(dir.path().toStdString()));
        {
            ExportDialog d(
                openCheckpoint(std::filesystem::path((ro + "/model.keras").toStdString())),
                "model.keras");
            for (auto f : {ExportFormat::Safetensors, ExportFormat::WeightsH5}) {
                QVERIFY(d.setFormat(f));
                const QString out = d.outputPath();
                QVERIFY2(!out.startsWith(ro), qPrintable(out));
                QCOMPARE(QFileInfo(out).absolutePath(), QDir::homePath());
                QVERIFY(QFileInfo(out).fileName().startsWith("model."));
            }
        }
        // A writable folder: the export goes beside the input.
        const QString rw = dir.filePath("model.keras");
        QVERIFY(QFile::copy(ckpt::test::fixture("keras/k3_model.keras"), rw));
        ExportDialog d(openCheckpoint(std::filesystem::path(rw.toStdString())), "model.keras");
        QCOMPARE(QFileInfo(d.outputPath()).absolutePath(), QFileInfo(rw).absolutePath());
    }

    void fileMenuOpensTheDialog() {
        MainWindow w;
        w.show();
        QAction* action = w.actions()->exportFile;
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        QVERIFY(!action->isEnabled());
        QSignalSpy opened(w.session(), &SessionController::documentOpened);
        w.openFiles({ckpt::test::fixture("keras/k3_model.keras")});
        QVERIFY(opened.wait(10000));
        QTRY_VERIFY(action->isEnabled());
        action->trigger();
        auto* dialog = w.findChild<ExportDialog*>();
        QVERIFY(dialog != nullptr);
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->windowTitle().contains("k3_model.keras"));
        QCOMPARE(dialog->format(), ExportFormat::Safetensors);
        dialog->reject();
    }

    void screenshot() {
        QTemporaryDir dir;
        ExportDialog d(openFixture("py/dill_all.pkl"), "dill_all.pkl");
        QVERIFY(d.setFormat(ExportFormat::Pickle));
        child<QCheckBox>(&d, "dropPortability")->setChecked(true);
        d.setOutputPath("/home/user/models/dill_all.cleaned.pkl");
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        const QImage image = d.grab().toImage();
        QVERIFY(!image.isNull());
        const QString target = qEnvironmentVariable("CKPT_EXPORT_SCREENSHOT");
        QVERIFY(image.save(target.isEmpty() ? dir.filePath("export_dialog.png") : target));

        // A Keras full model to safetensors without its optimizer state.
        ExportDialog k(openFixture("keras/k2_vlen_functional.h5"), "k2_vlen_functional.h5");
        QVERIFY(k.setFormat(ExportFormat::Safetensors));
        child<QCheckBox>(&k, "dropOptimizer")->setChecked(true);
        k.setOutputPath("/home/user/models/k2_vlen_functional.safetensors");
        k.show();
        QVERIFY(QTest::qWaitForWindowExposed(&k));
        QVERIFY(child<QLabel>(&k, "writtenSummary")->text().contains("8 tensors"));
        const QString keras = qEnvironmentVariable("CKPT_EXPORT_OPTIMIZER_SCREENSHOT");
        QVERIFY(k.grab().toImage().save(
            keras.isEmpty() ? dir.filePath("export_dialog_optimizer.png") : keras));
    }
};

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
