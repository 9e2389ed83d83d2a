// The export dialog writes what its preview promised: for every format a source fits and every
// combination of the option boxes, the tensors in the written file are counted and compared with
// the preview's "N tensors" and the result's "Wrote N tensors".

#include <QCheckBox>
#include <QLabel>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/export/export_plan.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "ui/export/export_dialog.h"
#include "ui/jobs/export_job.h"
#include "ui/util/format.h"

using namespace ckpt::ui;
using ckpt::core::ExportFormat;

namespace {

template <typename T>
T* child(QObject* parent, const char* name) {
    T* w = parent->findChild<T*>(QString::fromLatin1(name));
    if (w == nullptr) {
        qFatal("no child %s", name);
    }
    return w;
}

/// The first "N tensors" of a label's text, or -1.
qint64 tensorsIn(const QString& text) {
    static const QRegularExpression re(QStringLiteral("([0-9][0-9,.\u00a0 ]*) tensors"));
    const auto m = re.match(text);
    if (!m.hasMatch()) {
        return -1;
    }
    QString digits = m.captured(1);
    digits.remove(QRegularExpression(QStringLiteral("[^0-9]")));
    return digits.toLongLong();
}

/// Tensors in an exported file (a bundle: in its weights file).
qint64 tensorsWritten(const QString& out, ExportFormat format) {
    const QString file = format == ExportFormat::Bundle ? out + "/model.weights.h5" : out;
    const auto back = ckpt::core::openCheckpoint(std::filesystem::path(file.toStdString()));
    return static_cast<qint64>(back->tensorNodes().size());
}

}  // namespace

class TestExportDialogOptions : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ckpt-inspector-tests");
        QCoreApplication::setApplicationName("test_export_dialog_options");
    }

    void everyBoxCombinationWritesThePreview_data() {
        QTest::addColumn<QString>("fixture");
        // A Keras 2 full model with Adam's 9 optimizer weights; a torch training checkpoint with
        // model and optimizer state; a dill pickle with locks and lambdas.
        QTest::newRow("keras-h5") << "keras/k2_vlen_functional.h5";
        QTest::newRow("keras-archive") << "keras/k3_model.keras";
        QTest::newRow("torch") << "py/torch_train_ckpt.pt";
        QTest::newRow("dill") << "py/dill_all.pkl";
    }

    void everyBoxCombinationWritesThePreview() {
        QFETCH(QString, fixture);
        const std::shared_ptr<const ckpt::core::Checkpoint> checkpoint = ckpt::core::openCheckpoint(
            std::filesystem::path(ckpt::test::fixture(fixture).toStdString()));
        QTemporaryDir dir;
        int exports = 0;
        int dropChanged = 0;
        for (const auto& fit : ckpt::core::exportFormatFits(*checkpoint)) {
            if (!fit.enabled) {
                continue;
            }
            qint64 withOptimizer = -1;
            for (int combo = 0; combo < 8; ++combo) {
                ExportDialog d(checkpoint, fixture);
                d.setOverwriteConfirmer([](const QString&) { return true; });
                QVERIFY(d.setFormat(fit.format));
                const bool drop = (combo & 1) != 0;
                child<QCheckBox>(&d, "dropOptimizer")->setChecked(drop);
                child<QCheckBox>(&d, "replaceWithNone")->setChecked((combo & 2) != 0);
                child<QCheckBox>(&d, "dropPortability")->setChecked((combo & 4) != 0);
                const QString name =
                    QStringLiteral("out_%1_%2").arg(static_cast<int>(fit.format)).arg(combo);
                const QString out = QString::fromStdString(
                    ckpt::core::withExportExtension(
                        *checkpoint, dir.filePath(name).toStdString() + ".x", fit.format)
                        .string());
                d.setOutputPath(out);
                QCOMPARE(d.format(), fit.format);
                const QString previewText = child<QLabel>(&d, "writtenSummary")->text();
                const qint64 preview = tensorsIn(previewText);
                QVERIFY2(preview >= 0, qPrintable(previewText));

                QSignalSpy succeeded(d.job(), &ExportJob::succeeded);
                QSignalSpy failed(d.job(), &ExportJob::failed);
                QVERIFY(d.startExport());
                QTRY_VERIFY_WITH_TIMEOUT(succeeded.count() + failed.count() == 1, 60000);
                const QString what =
                    QStringLiteral("%1 to %2, box combination %3")
                        .arg(fixture, ckpt::ui::fmt::qs(ckpt::core::exportFormatName(fit.format)))
                        .arg(combo);
                QVERIFY2(failed.isEmpty(), qPrintable(what + ": " + d.statusText()));
                ++exports;
                const qint64 written = tensorsWritten(d.exportedPath(), fit.format);
                QVERIFY2(written == preview, qPrintable(QStringLiteral("%1: preview %2, file %3")
                                                            .arg(what)
                                                            .arg(preview)
                                                            .arg(written)));
                QCOMPARE(static_cast<qint64>(d.job()->report().tensors), written);
                QCOMPARE(tensorsIn(child<QLabel>(&d, "resultSummary")->text()), written);
                if (!drop) {
                    withOptimizer = written;
                } else if (written < withOptimizer) {
                    ++dropChanged;
                }
            }
        }
        QVERIFY(exports > 0);
        if (fixture != "py/dill_all.pkl") {
            // The sources with optimizer state write less with the box ticked somewhere.
            QVERIFY2(dropChanged > 0, qPrintable(fixture));
        }
    }
};

QTEST_MAIN(TestExportDialogOptions)
#include "test_export_dialog_options.moc"
