// An export interrupted by SIGINT (Ctrl-C) or SIGTERM leaves nothing behind: its temporary file
// is removed by the signal handler, the target is not created, the input is unchanged. Exporting
// onto the input itself stays refused.

#include <signal.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "common/test_support.h"

namespace {

using ckpt::test::fileSha;

}  // namespace

class TestCliExportSignal : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_big;

private slots:
    void initTestCase() {
        m_big = m_dir.filePath("big.h5");
        const auto gen =
            ckpt::test::run(ckpt::test::systemPython(),
                            {QStringLiteral(CKPT_SOURCE_DIR "/bench/make_big_keras.py"), m_big,
                             "--size-mib", "192"},
                            300000);
        if (gen.exitCode != 0) {
            QSKIP(qPrintable("cannot generate a large file: " + gen.err));
        }
    }

    void interruptedExportLeavesNoTemporary_data() {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
    }

    void interruptedExportLeavesNoTemporary() {
        QFETCH(int, sig);
        const QByteArray before = fileSha(m_big);
        const QString out = m_dir.filePath("out.safetensors");
        const QString tempPrefix = ".out.safetensors.ckpt-tmp-";
        QProcess p;
        p.start(ckpt::test::cliPath(), {"export", m_big, "-o", out});
        QVERIFY(p.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        bool sent = false;
        while (timer.elapsed() < 60000 && p.state() != QProcess::NotRunning) {
            const auto temps =
                QDir(m_dir.path()).entryInfoList({tempPrefix + "*"}, QDir::Files | QDir::Hidden);
            if (!temps.isEmpty() && temps.first().size() > (1 << 20)) {
                ::kill(static_cast<pid_t>(p.processId()), sig);
                sent = true;
                break;
            }
            QThread::usleep(200);
        }
        QVERIFY(p.waitForFinished(10000));
        QVERIFY2(sent, "the export ended before it could be interrupted");
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);  // ended by the signal, as it asked
        QVERIFY(!QFile::exists(out));
        QCOMPARE(fileSha(m_big), before);
        const auto left =
            QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
        QCOMPARE(left, QStringList{"big.h5"});
    }

    void refusesToWriteOntoItsInput() {
        const QByteArray before = fileSha(m_big);
        const auto r = ckpt::test::run(ckpt::test::cliPath(),
                                       {"export", m_big, "-o", m_dir.path() + "/./big.h5"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("refusing to write onto the input"));
        QCOMPARE(fileSha(m_big), before);
    }
};

QTEST_GUILESS_MAIN(TestCliExportSignal)
#include "test_cli_export_signal.moc"
