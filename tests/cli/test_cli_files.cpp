// `ckpt info`, `tensors` and `validate` over several files (one JSON array, per-file errors that
// do not stop the others, the worst exit code), "did you mean" for a mistyped command, and the
// version taken from the CMake project.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;
using ckpt::test::run;

namespace {

ckpt::test::RunResult ckptRun(const QStringList& args) {
    return run(ckpt::test::cliPath(), args);
}

/// VERSION of project() in the top-level CMakeLists.txt.
QString projectVersion() {
    QFile f(QStringLiteral(CKPT_SOURCE_DIR "/CMakeLists.txt"));
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    static const QRegularExpression re(QStringLiteral("project\\([^)]*VERSION ([0-9.]+)"));
    return re.match(QString::fromUtf8(f.readAll())).captured(1);
}

}  // namespace

class TestCliFiles : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_a = ckpt::test::fixture("keras/k2_vlen_functional.h5");
    QString m_b = ckpt::test::fixture("diff/torch_state.safetensors");
    QString m_bad;

private slots:
    void initTestCase() {
        m_bad = m_tmp.filePath("junk.h5");
        QFile junk(m_bad);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("\x01\x02not a model");
    }

    void infoTakesSeveralFiles() {
        const auto r = ckptRun({"info", "--json", m_a, m_bad, m_b});
        QCOMPARE(r.exitCode, 2);  // the worst: one file cannot be read
        const Json j = Json::parse(r.out.toStdString());
        QVERIFY(j.is_array());
        QCOMPARE(j.size(), std::size_t{3});
        QCOMPARE(j[0]["format"].get<std::string>(), std::string("keras-h5"));
        QVERIFY(!j[0]["layers"].empty());
        QCOMPARE(j[1]["file"].get<std::string>(), m_bad.toStdString());
        QVERIFY(j[1]["error"].get<std::string>().find("junk.h5") != std::string::npos);
        QCOMPARE(j[2]["format"].get<std::string>(), std::string("safetensors"));
        QVERIFY(r.err.contains("junk.h5"));

        const auto ok = ckptRun({"info", "--json", m_a, m_b});
        QCOMPARE(ok.exitCode, 0);
        QCOMPARE(Json::parse(ok.out.toStdString()).size(), std::size_t{2});
        // One file keeps the single-object form scripts already parse.
        QVERIFY(Json::parse(ckptRun({"info", "--json", m_a}).out.toStdString()).is_object());

        const auto text = ckptRun({"info", m_a, m_bad, m_b});
        QCOMPARE(text.exitCode, 2);
        QCOMPARE(text.out.count("\nFormat   ") + (text.out.startsWith("Format") ? 1 : 0), 2);
        QVERIFY(text.out.contains("torch_state.safetensors"));
    }

    void tensorsTakesSeveralFiles() {
        const auto one = ckptRun({"tensors", "--json", m_b});
        QCOMPARE(one.exitCode, 0);
        const Json single = Json::parse(one.out.toStdString());
        QVERIFY(single.is_array() && !single.empty() && single[0].contains("path"));

        const auto r = ckptRun({"tensors", "--json", m_bad, m_b, m_a});
        QCOMPARE(r.exitCode, 2);
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j.size(), std::size_t{3});
        QVERIFY(j[0].contains("error"));
        QCOMPARE(j[1]["file"].get<std::string>(), m_b.toStdString());
        QCOMPARE(j[1]["tensors"], single);
        QVERIFY(!j[2]["tensors"].empty());

        const auto text = ckptRun({"tensors", m_a, m_b});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains(m_a.toUtf8() + ":\n"));
        QVERIFY(text.out.contains(m_b.toUtf8() + ":\n"));
    }

    void validateGoesOnAfterAnUnreadableFile() {
        const QString lock = ckpt::test::fixture("py/dill_lock.pkl");
        const auto r = ckptRun({"validate", "--json", m_bad, lock});
        QCOMPARE(r.exitCode, 2);  // worse than the lock's findings (1)
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["summary"]["files"].get<int>(), 1);
        QVERIFY(!j["findings"].empty());
        QCOMPARE(j["unreadable"].size(), std::size_t{1});
        QCOMPARE(j["unreadable"][0]["file"].get<std::string>(), m_bad.toStdString());
        const auto text = ckptRun({"validate", m_bad, lock});
        QCOMPARE(text.exitCode, 2);
        QVERIFY(text.out.contains("dill_lock.pkl"));
        QVERIFY(text.out.contains("1 file(s) could not be read"));
        QCOMPARE(ckptRun({"validate", lock}).exitCode, 1);
    }

    void mistypedCommandSuggests() {
        const struct {
            const char* typed;
            const char* meant;
        } cases[] = {{"ifno", "info"},     {"tensor", "tensors"}, {"valdiate", "validate"},
                     {"exprot", "export"}, {"dif", "diff"},       {"val", "validate"}};
        for (const auto& c : cases) {
            const auto r = ckptRun({c.typed, m_a});
            QCOMPARE(r.exitCode, 64);
            QVERIFY2(r.err.contains(QByteArray("Did you mean '") + c.meant + "'?"),
                     r.err.constData());
            // A short usage line, not the whole help.
            QVERIFY2(r.err.count('\n') <= 3, r.err.constData());
            QVERIFY(r.err.contains("Usage: ckpt <command>"));
            QVERIFY(!r.err.contains("Examples:"));
        }
        const auto far = ckptRun({"explode"});
        QCOMPARE(far.exitCode, 64);
        QVERIFY(!far.err.contains("Did you mean"));
        QVERIFY(far.err.contains("unknown command 'explode'"));
    }

    void versionComesFromCMake() {
        const QString version = projectVersion();
        QVERIFY(!version.isEmpty());
        const auto r = ckptRun({"--version"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out).trimmed(), "ckpt " + version);
        const auto sarif =
            ckptRun({"validate", "--format", "sarif", ckpt::test::fixture("py/dill_lock.pkl")});
        const Json j = Json::parse(sarif.out.toStdString());
        QCOMPARE(QString::fromStdString(j["runs"][0]["tool"]["driver"]["version"]), version);
        // No second constant: the sources never spell the version themselves.
        const QByteArray literal = '"' + version.toUtf8() + '"';
        for (const char* folder : {"app", "core", "ui"}) {
            QDirIterator it(QStringLiteral(CKPT_SOURCE_DIR "/") + folder,
                            {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                            QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                QVERIFY2(!f.readAll().contains(literal), qPrintable(f.fileName()));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestCliFiles)
#include "test_cli_files.moc"
