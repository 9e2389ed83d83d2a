// Every reproducer in ../shared/data/hostile, in every command (text and JSON): a clear error
// or a valid result within 5 s and 64 MiB, no terminal escape bytes in the output, JSON that
// parses, and the input unchanged (hash before and after).

#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "common/run_measured.h"
#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;

namespace {

using ckpt::test::fileSha;

constexpr long kMaxRssKiB = ckpt::test::memoryBudgetKiB(64 * 1024);

}  // namespace

class TestCliHostile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void everyCommandEndsCleanly_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("json");
        for (const auto& p : ckpt::test::hostileInputs()) {
            const QString n = QFileInfo(p).fileName();
            const auto row = [&](const char* label, QStringList args, bool json) {
                QTest::newRow(qPrintable(n + " " + label)) << p << args << json;
            };
            row("info", {"info", p}, false);
            row("info --json", {"info", "--json", p}, true);
            row("tensors", {"tensors", p}, false);
            row("tensors --json", {"tensors", "--json", p}, true);
            row("validate", {"validate", p}, false);
            row("validate --json", {"validate", "--json", p}, true);
            row("validate sarif", {"validate", "--format", "sarif", p}, true);
            row("diff", {"diff", p, p}, false);
            row("diff --json", {"diff", "--json", p, p}, true);
            row("export", {"export", p, "-o", "OUT/x.safetensors"}, false);
            row("export --json", {"export", "--json", p, "-o", "OUT/y.safetensors"}, true);
        }
    }

    void everyCommandEndsCleanly() {
        QFETCH(QString, file);
        QFETCH(QStringList, args);
        QFETCH(bool, json);
        if (!QFile::exists(file)) {
            QSKIP("../shared/data/hostile is absent");
        }
        const QString outDir = m_tmp.filePath(QString::number(qHash(QTest::currentDataTag())));
        QVERIFY(QDir().mkpath(outDir));
        for (auto& a : args) {
            a.replace("OUT/", outDir + "/");
        }
        // Known and not fixed yet: 40k tensors are a valid file whose tree takes ~59 MiB (diff:
        // 130 MiB), about 1.5 KiB per tensor (the header's JSON DOM and a node per tensor).
        // Its export takes 0.3 s (was 3.7 s: the header was built by ordered-map lookups).
        const bool manyTensors = file.endsWith("slow_st_40k_tensors.safetensors");
        const long maxRss = manyTensors ? ckpt::test::memoryBudgetKiB(160 * 1024) : kMaxRssKiB;
        const QByteArray before = fileSha(file);
        const auto r = ckpt::test::runMeasured(ckpt::test::cliPath(), args,
                                               int(ckpt::test::timeBudgetSeconds(5) * 1000));
        const QByteArray info = QString("exit %1 signal %2 %3 s %4 KiB; stderr: %5")
                                    .arg(r.exitCode)
                                    .arg(r.signal)
                                    .arg(r.seconds)
                                    .arg(r.maxRssKiB)
                                    .arg(QString::fromUtf8(r.err.left(300)))
                                    .toUtf8();
        QVERIFY2(!r.timedOut, info.constData());
        QCOMPARE(r.signal, 0);
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1 || r.exitCode == 2 || r.exitCode == 64,
                 info.constData());
        QVERIFY2(r.maxRssKiB < maxRss, info.constData());
        QCOMPARE(fileSha(file), before);
        // Nothing from the file reaches the terminal raw: no ESC, no other C0 control except
        // newline, and every error is one line.
        for (const QByteArray* stream : {&r.out, &r.err}) {
            for (const char c : *stream) {
                const auto b = static_cast<unsigned char>(c);
                QVERIFY2(b >= 0x20 || b == '\n' || (b == '\t' && stream == &r.out),
                         info.constData());
            }
        }
        if (r.exitCode == 2) {
            QVERIFY2(r.err.startsWith("ckpt: error: "), info.constData());
            QCOMPARE(r.err.count('\n'), 1);
        }
        if (json && (r.exitCode == 0 || r.exitCode == 1)) {
            const auto parsed = Json::parse(r.out.toStdString(), nullptr, false);
            QVERIFY2(!parsed.is_discarded(), r.out.left(400).constData());
        }
        // No temporary left beside an export's output.
        for (const auto& left : QDir(outDir).entryList(QDir::Files | QDir::Hidden)) {
            QVERIFY2(!left.contains(".ckpt-tmp-"), qPrintable(left));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliHostile)
#include "test_cli_hostile.moc"
