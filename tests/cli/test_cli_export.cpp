// `ckpt export` as scripts meet it: help, usage errors, exit codes, --json, refusing to write
// onto the input, and a child export killed with SIGKILL mid-way: no partial OUT, the input
// unchanged, at most a stray temporary named .OUT.ckpt-tmp-*.

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

using ckpt::test::fileSha;

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return run(ckpt::test::cliPath(), args, 120000);
}

}  // namespace

class TestCliExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void helpTeaches() {
        const auto h = runCkpt({"export", "--help"});
        QCOMPARE(h.exitCode, 0);
        QVERIFY(h.out.startsWith("Usage: ckpt export"));
        for (const char* s : {"--json", "--no-optimizer", "--tensors", "Exit codes", "safetensors",
                              "weights-h5", ".keras", "ckpt-tmp", "pickle", "bundle",
                              "--drop-flagged", "--replace-with-none", "unserializable"}) {
            QVERIFY2(h.out.contains(s), s);
        }
        QVERIFY(runCkpt({"--help"}).out.contains("export"));
    }

    void usageErrors() {
        const QString in = ckpt::test::fixture("keras/k3_model.keras");
        QCOMPARE(runCkpt({"export", in}).exitCode, 64);                                 // no -o
        QCOMPARE(runCkpt({"export", in, "-o", m_tmp.filePath("x.bin")}).exitCode, 64);  // extension
        QCOMPARE(runCkpt({"export", in, "-o", m_tmp.filePath("x"), "--format", "nope"}).exitCode,
                 64);
        const auto pickle =
            runCkpt({"export", in, "-o", m_tmp.filePath("x.pkl"), "--format", "pickle"});
        // A format this input cannot be written in: 2 (cannot export), with the reason.
        QCOMPARE(pickle.exitCode, 2);  // a .keras file holds no pickle to clean
        QVERIFY(pickle.err.contains("cleaned pickle"));
        QVERIFY(!QFile::exists(m_tmp.filePath("x.pkl")));
        // Cleaning options only make sense for a pickle.
        QCOMPARE(runCkpt({"export", in, "-o", m_tmp.filePath("y.safetensors"), "--drop-flagged"})
                     .exitCode,
                 64);
        QCOMPARE(runCkpt({"export", in, "-o", m_tmp.filePath("x.st"), "--bogus"}).exitCode, 64);
        // .keras needs a model config: a weights-only source cannot make one.
        const auto weightsOnly = runCkpt({"export", ckpt::test::fixture("keras/k2_weights_only.h5"),
                                          "-o", m_tmp.filePath("w.keras")});
        QCOMPARE(weightsOnly.exitCode, 2);
        QVERIFY(weightsOnly.err.contains("weights-only"));
        QVERIFY(!QFile::exists(m_tmp.filePath("w.keras")));
    }

    void unreadableInput() {
        const QString bad = m_tmp.filePath("bad.h5");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a checkpoint at all");
        f.close();
        const auto r = runCkpt({"export", bad, "-o", m_tmp.filePath("bad.safetensors")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("bad.h5"));
        QVERIFY(!QFile::exists(m_tmp.filePath("bad.safetensors")));
    }

    void exportsAndReopens() {
        const QString in = ckpt::test::fixture("keras/k2_vlen_functional.h5");
        for (const char* ext : {".safetensors", ".weights.h5", ".keras", ".h5"}) {
            const QString out = m_tmp.filePath(QString("model_out") + ext);
            const auto r = runCkpt({"export", in, "-o", out, "--json"});
            QVERIFY2(r.exitCode == 0 || r.exitCode == 1, r.err.constData());
            const Json j = Json::parse(r.out.toStdString());
            QVERIFY(j["tensors"].get<int>() > 0);
            QCOMPARE(j["file_bytes"].get<qint64>(), QFileInfo(out).size());
            QCOMPARE(j["dropped"].empty(), r.exitCode == 0);
            const auto info = runCkpt({"info", "--json", out});
            QCOMPARE(info.exitCode, 0);
            const Json ij = Json::parse(info.out.toStdString());
            QCOMPARE(ij["tensors"].size(), j["written"].size());
        }
        const auto text = runCkpt({"export", in, "-o", m_tmp.filePath("t.safetensors")});
        QVERIFY(text.out.startsWith("Wrote "));
        QVERIFY(text.out.contains("tensors"));
        const auto noOpt =
            runCkpt({"export", in, "-o", m_tmp.filePath("n.h5"), "--no-optimizer", "--json"});
        QVERIFY(noOpt.exitCode == 0 || noOpt.exitCode == 1);
    }

    void cleanedPickleAndBundle() {
        // A dill pickle with a lock: the text output says what was taken out.
        const QString lock = ckpt::test::fixture("py/dill_lock.pkl");
        const auto text = runCkpt({"export", lock, "-o", m_tmp.filePath("lock.pkl")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.startsWith("Wrote "));
        QVERIFY(text.out.contains("<root>.lock (_thread.lock): removed"));
        const auto none = runCkpt({"export", lock, "-o", m_tmp.filePath("lock_none.pkl"),
                                   "--replace-with-none", "--json"});
        QCOMPARE(none.exitCode, 0);
        const Json nj = Json::parse(none.out.toStdString());
        QCOMPARE(nj["cleaned"].size(), std::size_t{1});
        QVERIFY(nj["cleaned"][0].get<std::string>().find("replaced with None") !=
                std::string::npos);
        const auto v = runCkpt({"validate", m_tmp.filePath("lock.pkl")});
        QVERIFY2(!v.out.contains("CKPT-U001"), v.out.constData());
        // Code that runs on load: refused, nothing written.
        const auto evil = runCkpt({"export", ckpt::test::fixture("py/evil_os_system.pkl"), "-o",
                                   m_tmp.filePath("evil.pkl")});
        QCOMPARE(evil.exitCode, 2);
        QVERIFY(evil.err.contains("refusing"));
        QVERIFY(!QFile::exists(m_tmp.filePath("evil.pkl")));
        // The split bundle of a pickled KerasClassifier stand-in.
        const QString out = m_tmp.filePath("bundle");
        const auto b = runCkpt({"export", ckpt::test::fixture("py/keras_wrapper_classifier.pkl"),
                                "-o", out, "--format", "bundle", "--no-optimizer", "--json"});
        QVERIFY2(b.exitCode == 0 || b.exitCode == 1, b.err.constData());
        QCOMPARE(Json::parse(b.out.toStdString())["format"].get<std::string>(),
                 std::string("bundle"));
        for (const char* f : {"model.json", "model.weights.h5", "params.json"}) {
            QVERIFY2(QFile::exists(out + "/" + f), f);
        }
        const auto info = runCkpt({"info", "--json", out + "/model.weights.h5"});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(!Json::parse(info.out.toStdString())["tensors"].empty());
    }

    void refusesTheInput() {
        const QString in = m_tmp.filePath("self.h5");
        QVERIFY(QFile::copy(ckpt::test::fixture("keras/k2_fixed_names.h5"), in));
        const QByteArray before = fileSha(in);
        const auto r = runCkpt({"export", in, "-o", in});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("refusing to write onto the input"));
        QCOMPARE(fileSha(in), before);
    }

    void killedMidWay() {
        QTemporaryDir dir;
        const QString big = dir.filePath("big.h5");
        const auto gen = run(
            ckpt::test::systemPython(),
            {QStringLiteral(CKPT_SOURCE_DIR "/bench/make_big_keras.py"), big, "--size-mib", "512"},
            300000);
        if (gen.exitCode != 0) {
            QSKIP(qPrintable("cannot generate a large file: " + gen.err));
        }
        const QByteArray before = fileSha(big);
        const QString out = dir.filePath("out.safetensors");
        const QString tempPrefix = ".out.safetensors.ckpt-tmp-";
        QProcess p;
        p.start(ckpt::test::cliPath(), {"export", big, "-o", out});
        QVERIFY(p.waitForStarted());
        // Kill it once its temporary holds some data.
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
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFile::exists(out));    // no partial output at the target
        QCOMPARE(fileSha(big), before);  // the input is unchanged
        for (const auto& name :
             QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)) {
            QVERIFY2(name == "big.h5" || name.startsWith(tempPrefix), qPrintable(name));
        }
        // A new export still succeeds beside the stray temporary.
        const auto again = runCkpt({"export", big, "-o", out});
        QCOMPARE(again.exitCode, 0);
        QVERIFY(QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
