// `ckpt validate` on archives no reader accepts: the pickles inside are still judged and shown
// with their member, and the exit code stays 2 (the file could not be read as a checkpoint).

#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;

class TestCliValidateSweep : public QObject {
    Q_OBJECT

private slots:
    void unreadableZipStillShowsItsPickle() {
        const QString file = ckpt::test::fixture("hostile/zip_name_mismatch.pt");
        const auto r = ckpt::test::run(ckpt::test::cliPath(), {"validate", "--json", file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.startsWith("ckpt: error: "));
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["unreadable"].size(), std::size_t{1});
        bool payload = false, mismatch = false;
        for (const auto& f : j["findings"]) {
            const std::string member = f["member"];
            payload = payload || (f["rule"] == "CKPT-S001" && f["severity"] == "error" &&
                                  member.find("archive/data.pkl") != std::string::npos);
            mismatch = mismatch || f["rule"] == "CKPT-S008";
        }
        QVERIFY2(payload, r.out.constData());
        QVERIFY2(mismatch, r.out.constData());
    }

    void hiddenMemberOfAReadableTorchZipIsNamed() {
        const QString file = ckpt::test::fixture("hostile/zip_odd_name.pt");
        const auto r = ckpt::test::run(ckpt::test::cliPath(), {"validate", file});
        QCOMPARE(r.exitCode, 1);  // findings at or above --fail-on error
        QVERIFY2(r.out.contains("in archive/extra/weights.bin"), r.out.constData());
        QVERIFY2(r.out.contains("os.system"), r.out.constData());
    }

    void brokenStreamIsJudgedOnWhatRanBeforeTheBreak() {
        // GLOBAL os.system, a REDUCE, then an opcode whose length runs past the end.
        QTemporaryDir dir;
        const QString file = dir.filePath("broken.pkl");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        static const char kBytes[] =
            "\x80\x02"
            "cos\nsystem\n(X\x02\x00\x00\x00idtR0X\xff\xff\xff\x7f";
        f.write(kBytes, sizeof(kBytes) - 1);
        f.close();
        const auto r = ckpt::test::run(ckpt::test::cliPath(), {"validate", "--json", file});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.out.contains("CKPT-S001"), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliValidateSweep)
#include "test_cli_validate_sweep.moc"
