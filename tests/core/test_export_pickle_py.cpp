// Cleaned pickle exports checked by the real clients (Debian's /usr/bin/python3 with dill, torch
// and joblib): inputs written by tests/fixtures/export/make_export_fixtures.py, exported with the
// `ckpt` CLI, loaded again by check_export.py (every data member equal, flagged ones gone or
// None), re-validated (no `unserializable` finding) and diffed (every tensor equal). A SIGKILL
// mid-export leaves no output and the input unchanged.

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;
using ckpt::test::run;

namespace {

QString exportDir() {
    return ckpt::test::fixture("export");
}

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return run(ckpt::test::cliPath(), args, 120000);
}

bool pythonHas(const QString& modules) {
    return run(ckpt::test::systemPython(), {"-c", "import " + modules}).exitCode == 0;
}

using ckpt::test::fileSha;

}  // namespace

class TestExportPicklePy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    bool m_ready = false;

private slots:
    void initTestCase() {
        if (!QFile::exists(ckpt::test::systemPython()) ||
            !pythonHas("dill, torch, joblib, numpy")) {
            return;
        }
        const auto gen = run(ckpt::test::systemPython(),
                             {exportDir() + "/make_export_fixtures.py", m_tmp.path()}, 300000);
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        m_ready = true;
    }

    void realClients_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("loader");  // how check_export.py loads the export
        QTest::addColumn<QString>("flagged");
        QTest::addColumn<int>("cleaned");
        const QString all = "lock,rlock,jobs,log";
        QTest::newRow("dill: lock, rlock, queue, file")
            << "holder_all.dill"
            << "holder.pkl" << QStringList{} << "dill" << all << 4;
        QTest::newRow("dill: replaced with None")
            << "holder_all.dill"
            << "holder_none.pkl" << QStringList{"--replace-with-none"} << "dill" << all << 4;
        QTest::newRow("locks only: plain pickle loads it")
            << "locks_only.dill"
            << "locks.pkl" << QStringList{} << "pickle"
            << "lock,rlock" << 2;
        QTest::newRow("torch zip saved with dill: torch.load")
            << "torch_dill.pt"
            << "torch_clean.pt" << QStringList{} << "torch"
            << "lock,holder.lock" << 2;
        QTest::newRow("torch zip: replaced with None, loaded with dill")
            << "torch_dill.pt"
            << "torch_none.pt" << QStringList{"--replace-with-none"} << "torch-dill"
            << "lock,holder.lock" << 2;
        QTest::newRow("joblib") << "lockbox.joblib"
                                << "lockbox_clean.joblib" << QStringList{} << "joblib"
                                << "lock" << 1;
        QTest::newRow("joblib zlib") << "lockbox_zlib.joblib"
                                     << "lockbox_zlib_clean.joblib" << QStringList{} << "joblib"
                                     << "lock" << 1;
    }

    void realClients() {
        if (!m_ready) {
            QSKIP("Debian's python3 with dill, torch, joblib and numpy is needed");
        }
        QFETCH(QString, input);
        QFETCH(QString, output);
        QFETCH(QStringList, flags);
        QFETCH(QString, loader);
        QFETCH(QString, flagged);
        QFETCH(int, cleaned);
        const QString in = m_tmp.filePath(input);
        const QString out = m_tmp.filePath(output);
        const QByteArray before = fileSha(in);
        const auto r = runCkpt(QStringList{"export", in, "-o", out, "--json"} + flags);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["format"].get<std::string>(), std::string("pickle"));
        QCOMPARE(static_cast<int>(j["cleaned"].size()), cleaned);
        QCOMPARE(fileSha(in), before);

        // The real library loads it, with every data member equal.
        const QString mode = flags.contains("--replace-with-none") ? "none" : "remove";
        const auto check =
            run(ckpt::test::systemPython(),
                {exportDir() + "/check_export.py", loader, in, out, mode, flagged}, 300000);
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
        QVERIFY(check.out.startsWith("OK"));

        // No `unserializable` finding left.
        const auto v = runCkpt({"validate", "--json", out});
        const Json vj = Json::parse(v.out.toStdString());
        for (const auto& f : vj["findings"]) {
            QVERIFY2(f["category"].get<std::string>() != "unserializable", f.dump().c_str());
        }
        // Same tensors, all equal.
        const auto info = runCkpt({"info", "--json", out});
        QCOMPARE(info.exitCode, 0);
        const auto infoIn = runCkpt({"info", "--json", in});
        QCOMPARE(Json::parse(info.out.toStdString())["tensors"],
                 Json::parse(infoIn.out.toStdString())["tensors"]);
        const auto d = runCkpt({"diff", "--json", in, out});
        const Json dj = Json::parse(d.out.toStdString());
        QVERIFY(!dj["tensors"].empty() || Json::parse(infoIn.out.toStdString())["tensors"].empty());
        for (const auto& t : dj["tensors"]) {
            QVERIFY2(t["status"].get<std::string>() == "equal", t.dump().c_str());
        }
    }

    void killedMidWay() {
        if (!m_ready) {
            QSKIP("Debian's python3 with dill, torch, joblib and numpy is needed");
        }
        QTemporaryDir dir;
        const auto gen =
            run(ckpt::test::systemPython(),
                {exportDir() + "/make_export_fixtures.py", dir.path(), "--big-mib", "384"}, 300000);
        QVERIFY2(gen.exitCode == 0, gen.err.constData());
        const QString big = dir.filePath("big_dill.pt");
        const QByteArray before = fileSha(big);
        const QString out = dir.filePath("out.pt");
        const QString tempPrefix = ".out.pt.ckpt-tmp-";
        QProcess p;
        p.start(ckpt::test::cliPath(), {"export", big, "-o", out});
        QVERIFY(p.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        bool killed = false;
        while (timer.elapsed() < 60000 && p.state() != QProcess::NotRunning) {
            const auto temps =
                QDir(dir.path()).entryInfoList({tempPrefix + "*"}, QDir::Files | QDir::Hidden);
            if (!temps.isEmpty() && temps.first().size() > (1 << 20)) {
                p.kill();  // SIGKILL
                killed = true;
                break;
            }
            QThread::usleep(200);
        }
        p.waitForFinished();
        QVERIFY2(killed, "the export ended before it could be killed");
        QVERIFY(!QFile::exists(out));
        QCOMPARE(fileSha(big), before);
        for (const auto& name :
             QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)) {
            QVERIFY2(name == "big_dill.pt" || name == "handle.txt" || name.startsWith(tempPrefix),
                     qPrintable(name));
        }
        const auto again = runCkpt({"export", big, "-o", out, "--json"});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(Json::parse(again.out.toStdString())["cleaned"].size(), std::size_t{1});
    }
};

QTEST_GUILESS_MAIN(TestExportPicklePy)
#include "test_export_pickle_py.moc"
