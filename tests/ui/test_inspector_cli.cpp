// `ckpt-inspector --help` and `--version` answer without a display: run with no QT_QPA_PLATFORM,
// no DISPLAY and no WAYLAND_DISPLAY, they print and exit 0 (they used to abort, exit 134).

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include "common/test_support.h"

namespace {

struct Result {
    int code = -1;
    QProcess::ExitStatus status = QProcess::CrashExit;
    QString out;
    QString err;
};

Result runWithoutDisplay(const QStringList& args) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) {
        env.remove(QString::fromLatin1(name));
    }
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CKPT_INSPECTOR_PATH), args);
    Result r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitCode();
    r.status = p.exitStatus();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString projectVersion() {
    QFile f(QStringLiteral(CKPT_SOURCE_DIR "/CMakeLists.txt"));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    static const QRegularExpression re(QStringLiteral("project\\([^)]*VERSION ([0-9.]+)"));
    return re.match(QString::fromUtf8(f.readAll())).captured(1);
}

}  // namespace

class TestInspectorCli : public QObject {
    Q_OBJECT

private slots:
    void helpWithoutDisplay() {
        for (const char* flag : {"--help", "-h"}) {
            const Result r = runWithoutDisplay({QString::fromLatin1(flag)});
            QCOMPARE(r.status, QProcess::NormalExit);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains("Usage:"), qPrintable(r.out));
            for (const char* option : {"--screenshot", "--compare", "--version", "FILE"}) {
                QVERIFY2(r.out.contains(QLatin1String(option)), option);
            }
        }
    }

    void versionWithoutDisplay() {
        const QString version = projectVersion();
        QVERIFY(!version.isEmpty());
        for (const char* flag : {"--version", "-v"}) {
            const Result r = runWithoutDisplay({QString::fromLatin1(flag)});
            QCOMPARE(r.status, QProcess::NormalExit);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QCOMPARE(r.out.trimmed(), QStringLiteral("Checkpoint Inspector ") + version);
        }
    }

    void optionErrorsStillExplain() {
        // An unknown option next to --help is reported as such, still without a display.
        const Result r = runWithoutDisplay({"--help", "--frobnicate"});
        QCOMPARE(r.status, QProcess::NormalExit);
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("frobnicate"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestInspectorCli)
#include "test_inspector_cli.moc"
