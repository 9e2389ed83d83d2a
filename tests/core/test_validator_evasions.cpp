// Published evasions of pickle scanners: every file in tests/fixtures/hostile (written as bytes
// by make_hostile.py, never loaded) is flagged security / error, with the rule its technique
// needs and the archive member that holds it. Benign look-alikes made by the real libraries at
// test time stay free of errors and warnings.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

QString hostileDir() {
    return ckpt::test::fixture("hostile");
}

/// The validator as `ckpt validate` runs it: the readers first, the zip sweep alone when no
/// reader accepts the file.
ValidationReport validatePath(const QString& path, bool* opened = nullptr) {
    try {
        const auto checkpoint = openCheckpoint(std::filesystem::path(path.toStdString()));
        if (opened != nullptr) {
            *opened = true;
        }
        ValidateOptions options;
        options.readData = false;
        return validateCheckpoint(*checkpoint, options);
    } catch (const std::exception&) {
        if (opened != nullptr) {
            *opened = false;
        }
        return validateUnopenedFile(path.toStdString());
    }
}

std::string dump(const ValidationReport& r) {
    std::string out;
    for (const auto& f : r.findings) {
        out += f.rule + " " + std::string(severityName(f.severity)) + " " +
               std::string(categoryName(f.category)) + " [" + f.member + "] " + f.symbol + ": " +
               f.message + "\n";
    }
    return out.empty() ? "no findings" : out;
}

QJsonArray manifest() {
    QFile f(hostileDir() + "/manifest.json");
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QJsonDocument::fromJson(f.readAll()).array();
}

}  // namespace

class TestValidatorEvasions : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_benign;
    int m_flagged = 0;

private slots:
    void manifestIsLargeAndCoversEveryFamily() {
        const QJsonArray m = manifest();
        QVERIFY2(m.size() >= 60, qPrintable(QString::number(m.size())));
        QMap<QString, int> perFamily;
        for (const auto& v : m) {
            const auto o = v.toObject();
            QVERIFY2(!o["source"].toString().isEmpty(), qPrintable(o["file"].toString()));
            ++perFamily[o["family"].toString()];
        }
        for (auto it = perFamily.begin(); it != perFamily.end(); ++it) {
            QVERIFY2(it.value() >= 3, qPrintable(it.key()));
        }
        QVERIFY(perFamily.size() >= 10);
    }

    /// The committed bytes are what the generator writes (it was not edited by hand).
    void generatorReproducesTheFixtures() {
        QTemporaryDir out;
        const auto r = ckpt::test::run(ckpt::test::systemPython(),
                                       {hostileDir() + "/make_hostile.py", out.path()});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 unavailable: " + r.err));
        }
        for (const auto& v : manifest()) {
            const QString name = v.toObject()["file"].toString();
            QFile a(hostileDir() + "/" + name);
            QFile b(out.filePath(name));
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), qPrintable(name));
        }
    }

    void hostileIsFlagged_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("member");
        for (const auto& v : manifest()) {
            const auto o = v.toObject();
            const QString file = o["file"].toString();
            QTest::newRow(qPrintable(file))
                << file << o["rule"].toString() << o["member"].toString();
        }
    }

    void hostileIsFlagged() {
        QFETCH(QString, file);
        QFETCH(QString, rule);
        QFETCH(QString, member);
        const ValidationReport r = validatePath(hostileDir() + "/" + file);
        bool securityError = false, ruleSeen = rule.isEmpty(), memberSeen = member.isEmpty();
        for (const auto& f : r.findings) {
            if (f.category != FindingCategory::Security || f.severity != Severity::Error) {
                continue;
            }
            securityError = true;
            QVERIFY2(!f.message.empty() && !f.advice.empty(), f.rule.c_str());
            ruleSeen = ruleSeen || f.rule == rule.toStdString();
            memberSeen = memberSeen || f.member.find(member.toStdString()) != std::string::npos;
        }
        QVERIFY2(securityError, dump(r).c_str());
        QVERIFY2(ruleSeen, (rule.toStdString() + " missing:\n" + dump(r)).c_str());
        QVERIFY2(memberSeen, (member.toStdString() + " not named:\n" + dump(r)).c_str());
        ++m_flagged;
    }

    void reportCount() {
        qInfo("hostile fixtures flagged security/error: %d of %d", m_flagged,
              static_cast<int>(manifest().size()));
        QCOMPARE(m_flagged, static_cast<int>(manifest().size()));
    }

    void benignLookalikes_data() {
        QTest::addColumn<QString>("file");
        const QString script = ckpt::test::fixture("benign/make_lookalikes.py");
        const auto r =
            ckpt::test::run(ckpt::test::systemPython(), {script, m_benign.path()}, 300000);
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 unavailable: " + r.err));
        }
        QFile f(m_benign.filePath("manifest.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto m = QJsonDocument::fromJson(f.readAll()).object();
        for (const auto& s : m["skipped"].toArray()) {
            qInfo("benign look-alikes: %s is not installed, its part is skipped",
                  qPrintable(s.toString()));
        }
        const auto files = m["files"].toArray();
        QVERIFY(files.size() >= 15);
        for (const auto& v : files) {
            QTest::newRow(qPrintable(v.toString())) << v.toString();
        }
    }

    void benignLookalikes() {
        QFETCH(QString, file);
        const ValidationReport r = validatePath(m_benign.filePath(file));
        QCOMPARE(r.count(Severity::Error), std::size_t{0});
        QVERIFY2(r.count(Severity::Warning) == 0, dump(r).c_str());
    }
};

QTEST_GUILESS_MAIN(TestValidatorEvasions)
#include "test_validator_evasions.moc"
