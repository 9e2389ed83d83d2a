// picklescan's public test data (tests/data and tests/data2 of mmaitre314/picklescan): every
// hostile file is flagged security / error and its benign files stay free of errors and
// warnings. The data comes from a local git snapshot ($CKPT_PICKLESCAN_GIT, default the mirror
// made by the team's fetch tool); the test skips when it is absent.

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

QString snapshot() {
    const QString env = qEnvironmentVariable("CKPT_PICKLESCAN_GIT");
    return env.isEmpty() ? QStringLiteral("/work/.mirror/mmaitre314+picklescan/repo") : env;
}

// picklescan's own test suite expects these to scan clean.
const QStringList kBenign = {"benign0_v0.pkl",
                             "benign0_v3.pkl",
                             "benign0_v4.pkl",
                             "benign_password_protected.zip",
                             "bad_pytorch.pt",
                             "not_a_pickle.bin",
                             "pytorch_model.bin",
                             "new_pytorch_model.bin",
                             "int_array.npy",
                             "int_arrays.npz",
                             "int_arrays_compressed.npz",
                             "object_array.npy",
                             "object_arrays.npz",
                             "object_arrays_compressed.npz"};

// Hostile files of a class this validator does not read yet (none since 7z is read through
// libarchive; kept so that a new gap is stated here, not skipped silently).
const QStringList kKnownGaps = {};

ValidationReport validatePath(const QString& path) {
    try {
        const auto checkpoint = openCheckpoint(std::filesystem::path(path.toStdString()));
        ValidateOptions options;
        options.readData = false;
        return validateCheckpoint(*checkpoint, options);
    } catch (const std::exception&) {
        return validateUnopenedFile(path.toStdString());
    }
}

std::string dump(const ValidationReport& r) {
    std::string out;
    for (const auto& f : r.findings) {
        out += f.rule + " " + std::string(severityName(f.severity)) + " " + f.symbol + "\n";
    }
    return out.empty() ? "no findings" : out;
}

bool securityError(const ValidationReport& r) {
    return std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) {
        return f.category == FindingCategory::Security && f.severity == Severity::Error;
    });
}

}  // namespace

class TestValidatorPicklescan : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    int m_hostile = 0;
    int m_flagged = 0;

private slots:
    void files_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("hostile");
        if (!QDir(snapshot()).exists()) {
            QSKIP("no picklescan snapshot (set CKPT_PICKLESCAN_GIT)");
        }
        QProcess git;
        git.setStandardOutputFile(m_tmp.filePath("data.tar"));
        git.start("git", {"--git-dir", snapshot(), "archive", "HEAD", "tests/data", "tests/data2"});
        QVERIFY(git.waitForFinished(60000) && git.exitCode() == 0);
        const auto r =
            ckpt::test::run("tar", {"-xf", m_tmp.filePath("data.tar"), "-C", m_tmp.path()});
        QCOMPARE(r.exitCode, 0);
        for (const char* sub : {"tests/data", "tests/data2"}) {
            const QDir dir(m_tmp.filePath(sub));
            for (const auto& name : dir.entryList(QDir::Files, QDir::Name)) {
                QTest::newRow(qPrintable(QString(sub).mid(6) + "/" + name))
                    << dir.filePath(name) << !kBenign.contains(name);
            }
        }
    }

    void files() {
        QFETCH(QString, path);
        QFETCH(bool, hostile);
        const ValidationReport r = validatePath(path);
        if (!hostile) {
            QCOMPARE(r.count(Severity::Error), std::size_t{0});
            QVERIFY2(r.count(Severity::Warning) == 0, dump(r).c_str());
            return;
        }
        ++m_hostile;
        if (securityError(r)) {
            ++m_flagged;
            return;
        }
        if (kKnownGaps.contains(QFileInfo(path).fileName())) {
            QSKIP("a known gap (7z)");
        }
        QFAIL(("not flagged: " + dump(r)).c_str());
    }

    void summary() {
        if (m_hostile == 0) {
            QSKIP("no picklescan snapshot");
        }
        qInfo("picklescan test data: %d of %d hostile files flagged security/error", m_flagged,
              m_hostile);
        QVERIFY(m_flagged <= m_hostile);
        QVERIFY(m_flagged + kKnownGaps.size() >= m_hostile);
    }
};

QTEST_GUILESS_MAIN(TestValidatorPicklescan)
#include "test_validator_picklescan.moc"
