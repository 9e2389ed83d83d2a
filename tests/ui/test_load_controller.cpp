// Background loading: results, progress, errors, cancel, superseded requests, responsiveness.

#include <QSignalSpy>
#include <QThread>
#include <QTimer>
#include <QtTest>
#include <atomic>

#include "checkpoint_factory.h"
#include "core/util/error.h"
#include "ui/jobs/load_controller.h"

using ckpt::ui::LoadController;
using ckpt::ui::LoadOutcome;
using ckpt::ui::LoadRequest;

class TestLoadController : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<LoadOutcome>(); }

    void loadsOffTheGuiThreadWithProgress() {
        LoadController loader;
        std::atomic<bool> onGuiThread{true};
        QThread* gui = QThread::currentThread();
        loader.setOpenFunction([&](const LoadRequest&, const ckpt::core::ProgressFn& progress) {
            onGuiThread = QThread::currentThread() == gui;
            for (int i = 0; i <= 10; ++i) {
                ckpt::core::reportProgress(progress, i * 10, 100);
                QThread::msleep(5);
            }
            return ckpt::test::makeSmallModel();
        });
        QSignalSpy loaded(&loader, &LoadController::loaded);
        QSignalSpy progress(&loader, &LoadController::progress);
        QSignalSpy busy(&loader, &LoadController::busyChanged);
        loader.open({"/models/a.h5", {}, {}, 0});
        QVERIFY(loader.isBusy());
        QVERIFY(loaded.wait(5000));
        QCOMPARE(onGuiThread.load(), false);
        const auto outcome = loaded.at(0).at(0).value<LoadOutcome>();
        QVERIFY(outcome.checkpoint != nullptr);
        QCOMPARE(outcome.request.title, QString("a.h5"));
        QCOMPARE(outcome.checkpoint->layers().size(), std::size_t(5));
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.at(0).at(0).toInt(), -1);  // busy until the total is known
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
        QVERIFY(!loader.isBusy());
    }

    void errorsArriveAsMessages() {
        LoadController loader;
        loader.setOpenFunction(
            [](const LoadRequest& r,
               const ckpt::core::ProgressFn&) -> std::unique_ptr<ckpt::core::Checkpoint> {
                throw ckpt::core::FormatError("not a checkpoint format I know",
                                              {r.path.toStdString(), "", "", std::nullopt});
            });
        QSignalSpy failed(&loader, &LoadController::failed);
        loader.open({"/tmp/garbage.bin", {}, {}, 0});
        QVERIFY(failed.wait(5000));
        const auto outcome = failed.at(0).at(0).value<LoadOutcome>();
        QCOMPARE(outcome.error, QString("/tmp/garbage.bin: not a checkpoint format I know"));
        QVERIFY(!outcome.checkpoint);
    }

    void theRealCoreRejectsGarbage() {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(QByteArray(4096, '\x5a'));
        file.close();
        LoadController loader;
        QSignalSpy failed(&loader, &LoadController::failed);
        loader.open({file.fileName(), {}, {}, 0});
        QVERIFY(failed.wait(10000));
        const auto outcome = failed.at(0).at(0).value<LoadOutcome>();
        QVERIFY2(outcome.error.contains(file.fileName()), qPrintable(outcome.error));
    }

    void inMemoryBytesFailOnceWithTheirOwnName() {
        // Bytes (an embedded sample) are parsed once: a failure names the sample, not a
        // temporary copy the loader made for a second attempt.
        QByteArray bytes(4096, '\x5a');
        LoadController loader;
        QSignalSpy failed(&loader, &LoadController::failed);
        loader.open({":/samples/broken.keras", "broken.keras (sample)", bytes, 0});
        QVERIFY(failed.wait(10000));
        const auto outcome = failed.at(0).at(0).value<LoadOutcome>();
        QVERIFY2(outcome.error.startsWith("broken.keras (sample): not a checkpoint format I know"),
                 qPrintable(outcome.error));
        QVERIFY2(!outcome.error.contains("/tmp"), qPrintable(outcome.error));
    }

    void cancelStopsTheJob() {
        LoadController loader;
        std::atomic<bool> stopped{false};
        loader.setOpenFunction(
            [&](const LoadRequest&,
                const ckpt::core::ProgressFn& progress) -> std::unique_ptr<ckpt::core::Checkpoint> {
                try {
                    for (int i = 0;; ++i) {
                        ckpt::core::reportProgress(progress, static_cast<std::uint64_t>(i), 0);
                        QThread::msleep(2);
                    }
                } catch (const ckpt::core::CancelledError&) {
                    stopped = true;
                    throw;
                }
            });
        QSignalSpy loaded(&loader, &LoadController::loaded);
        QSignalSpy cancelled(&loader, &LoadController::cancelled);
        QSignalSpy busy(&loader, &LoadController::busyChanged);
        loader.open({"/models/huge.h5", {}, {}, 0});
        QTest::qWait(30);
        loader.cancelAll();
        QCOMPARE(cancelled.count(), 1);
        QTRY_VERIFY(!loader.isBusy());
        QTRY_VERIFY(stopped.load());
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(busy.last().at(0).toBool(), false);
    }

    void aNewerRequestForTheSamePathWins() {
        LoadController loader;
        std::atomic<int> calls{0};
        loader.setOpenFunction([&](const LoadRequest&, const ckpt::core::ProgressFn&) {
            const int n = ++calls;
            QThread::msleep(n == 1 ? 150 : 1);  // the first is slow and ignores cancel
            auto c = ckpt::test::makeFlatModel(n);
            return c;
        });
        QSignalSpy loaded(&loader, &LoadController::loaded);
        loader.open({"/models/a.h5", {}, {}, 0});
        QTest::qWait(20);
        loader.open({"/models/a.h5", {}, {}, 0});
        QTRY_VERIFY(!loader.isBusy());
        QCOMPARE(loaded.count(), 1);  // the stale first result was dropped by its token
        const auto outcome = loaded.at(0).at(0).value<LoadOutcome>();
        QCOMPARE(outcome.checkpoint->tensorNodes().size(), std::size_t(2));
    }

    void requestsRunInOrder() {
        LoadController loader;
        loader.setOpenFunction([](const LoadRequest&, const ckpt::core::ProgressFn&) {
            return ckpt::test::makeFlatModel(1);
        });
        QSignalSpy loaded(&loader, &LoadController::loaded);
        loader.open({"/m/1", {}, {}, 0});
        loader.open({"/m/2", {}, {}, 0});
        loader.open({"/m/3", {}, {}, 0});
        QTRY_COMPARE(loaded.count(), 3);
        QCOMPARE(loaded.at(0).at(0).value<LoadOutcome>().request.path, QString("/m/1"));
        QCOMPARE(loaded.at(2).at(0).value<LoadOutcome>().request.path, QString("/m/3"));
    }

    void theGuiThreadStaysResponsive() {
        LoadController loader;
        loader.setOpenFunction([](const LoadRequest&, const ckpt::core::ProgressFn&) {
            QThread::msleep(300);
            return ckpt::test::makeFlatModel(1);
        });
        int ticks = 0;
        QTimer timer;
        connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
        timer.start(10);
        QSignalSpy loaded(&loader, &LoadController::loaded);
        loader.open({"/m/slow", {}, {}, 0});
        QVERIFY(loaded.wait(5000));
        QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
    }
};

QTEST_MAIN(TestLoadController)
#include "test_load_controller.moc"
