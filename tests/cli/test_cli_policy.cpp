// `ckpt validate` as CI uses it: one finding per member (parts inside), advice once per rule,
// a policy file (allow, deny, severity, suppression with expiry and file hash), a baseline that
// leaves only new findings, and SARIF that the SARIF 2.1.0 JSON schema accepts.

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;

namespace {

struct Out {
    int exitCode = -1;
    std::string out;
    std::string err;
};

Out runCkpt(const QStringList& args, const QString& workDir = {}) {
    QProcess p;
    if (!workDir.isEmpty()) {
        p.setWorkingDirectory(workDir);
    }
    p.start(ckpt::test::cliPath(), args);
    Out o;
    if (p.waitForFinished(60000)) {
        o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    }
    o.out = p.readAllStandardOutput().toStdString();
    o.err = p.readAllStandardError().toStdString();
    return o;
}

std::size_t countOf(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) {
        ++n;
    }
    return n;
}

std::vector<Json> withRule(const Json& report, const std::string& rule) {
    std::vector<Json> out;
    for (const auto& f : report["findings"]) {
        if (f["rule"] == rule) {
            out.push_back(f);
        }
    }
    return out;
}

const QString kDill = ckpt::test::fixture("py/dill_all.pkl");
const QString kEvil = ckpt::test::fixture("py/evil_os_system.pkl");

}  // namespace

class TestCliPolicy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    QString write(const QString& name, const QByteArray& text) {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) {
            return {};
        }
        f.write(text);
        return path;
    }

    Json validateJson(const QStringList& extra, const QString& file = kDill) {
        const auto r = runCkpt(QStringList{"validate", "--format", "json", file} + extra);
        return Json::parse(r.out, nullptr, false);
    }

    /// Validates SARIF text against the committed schema with Debian's python3-jsonschema.
    void checkSchema(const std::string& sarif) {
        const QString path = write(QStringLiteral("out.sarif"), QByteArray::fromStdString(sarif));
        const QString script = QStringLiteral(R"(
import json, sys
try:
    import jsonschema
except ImportError:
    print("no jsonschema"); sys.exit(3)
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print(list(e.path), e.message)
sys.exit(1 if errors else 0)
)");
        const auto r = ckpt::test::run(
            ckpt::test::systemPython(),
            {"-c", script, ckpt::test::fixture("sarif/sarif-schema-2.1.0.json"), path});
        if (r.exitCode == 3) {
            QSKIP("python3-jsonschema is not installed (scripts/setup.sh installs it)");
        }
        QVERIFY2(r.exitCode == 0, qPrintable(QString::fromUtf8(r.out + r.err)));
    }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void oneFindingPerMemberInText() {
        const auto r = runCkpt({"validate", kDill});
        QCOMPARE(r.exitCode, 1);
        // lock, rlock, cond, event, sem, bsem, queue, fh: 8 members, not 19 locks.
        QCOMPARE(countOf(r.out, "error   CKPT-U001"), std::size_t(8));
        QVERIFY2(r.out.find("4 parts inside it:\n        <root>.queue.mutex") != std::string::npos,
                 r.out.c_str());
        QVERIFY(r.out.find("<root>.queue.all_tasks_done") != std::string::npos);
        // The advice of a rule is printed once, not under each of its findings.
        QCOMPARE(countOf(r.out, "-> Drop it in __getstate__"), std::size_t(1));
        QCOMPARE(countOf(r.out, "-> Replace lambdas"), std::size_t(1));
        QVERIFY(r.out.find("8 error(s), 3 warning(s), 1 info") != std::string::npos);
    }

    void oneFindingPerMemberInJsonAndSarif() {
        const Json j = validateJson({});
        const auto u = withRule(j, "CKPT-U001");
        QCOMPARE(u.size(), std::size_t(8));
        const auto queue = std::find_if(u.begin(), u.end(),
                                        [](const Json& f) { return f["path"] == "<root>.queue"; });
        QVERIFY(queue != u.end());
        QCOMPARE((*queue)["parts"].size(), std::size_t(4));
        QCOMPARE((*queue)["parts"][0]["path"].get<std::string>(),
                 std::string("<root>.queue.mutex"));
        QVERIFY((*queue)["parts"][0]["offset"].is_number());

        const auto s = runCkpt({"validate", "--format", "sarif", kDill});
        const Json sarif = Json::parse(s.out);
        std::size_t u001 = 0;
        for (const auto& res : sarif["runs"][0]["results"]) {
            if (res["ruleId"] != "CKPT-U001") {
                continue;
            }
            ++u001;
            // Message and advice are separate fields.
            const std::string text = res["message"]["text"];
            QVERIFY2(text.find("__getstate__") == std::string::npos, text.c_str());
            QVERIFY(res["properties"]["advice"].get<std::string>().find("__getstate__") !=
                    std::string::npos);
            if (res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] ==
                "<root>.queue") {
                QCOMPARE(res["relatedLocations"].size(), std::size_t(4));
            }
        }
        QCOMPARE(u001, std::size_t(8));
    }

    void torchScriptClassesAreNotImports() {
        // __torch__.* names TorchScript classes compiled from the archive's code/ folder
        // (FORMATS.md, corrections): no CKPT-P003 "loading imports module __torch__...".
        const auto r =
            runCkpt({"validate", "--format", "json", ckpt::test::fixture("py/torch_script.pt")});
        QCOMPARE(r.exitCode, 0);
        const Json j = Json::parse(r.out);
        QVERIFY2(j["findings"].empty(), r.out.c_str());
    }

    void sarifHelpComesFromRulesMd() {
        const Json sarif = Json::parse(runCkpt({"validate", "--format", "sarif", kEvil}).out);
        const Json& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
        QVERIFY(!rules.empty());
        QFile md(QStringLiteral(CKPT_SOURCE_DIR "/docs/rules.md"));
        QVERIFY(md.open(QIODevice::ReadOnly));
        const std::string doc = md.readAll().toStdString();
        for (const auto& rule : rules) {
            const std::string help = rule["help"]["markdown"];
            // The rule's own section: its heading and its first line of text.
            QVERIFY2(help.rfind(rule["id"].get<std::string>() + " — ", 0) == 0, help.c_str());
            const auto nl = help.find('\n');
            QVERIFY(nl != std::string::npos);
            QVERIFY2(doc.find(help.substr(nl + 1, 60)) != std::string::npos, help.c_str());
        }
    }

    void sarifUrisAndSchema() {
        // Relative inputs: URIs relative to SRCROOT, which originalUriBaseIds makes absolute.
        const auto rel =
            runCkpt({"validate", "--format", "sarif", "py/dill_all.pkl", "py/evil_os_system.pkl"},
                    ckpt::test::fixtureDir());
        const Json s = Json::parse(rel.out);
        const Json& loc = s["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        QCOMPARE(loc["artifactLocation"]["uriBaseId"].get<std::string>(), std::string("SRCROOT"));
        QVERIFY(loc["artifactLocation"]["uri"].get<std::string>().rfind("py/", 0) == 0);
        const std::string base = s["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"];
        QVERIFY2(base.rfind("file:///", 0) == 0 && base.back() == '/', base.c_str());
        checkSchema(rel.out);

        // Absolute inputs, and a file name that needs escaping: file:// URIs.
        const QString odd = m_tmp.filePath(QStringLiteral("my model #1.pkl"));
        QVERIFY(QFile::copy(kDill, odd));
        const auto abs = runCkpt({"validate", "--format", "sarif", odd, kEvil});
        const Json a = Json::parse(abs.out);
        const std::string uri = a["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                                 ["artifactLocation"]["uri"];
        QVERIFY2(uri.rfind("file:///", 0) == 0, uri.c_str());
        QVERIFY2(uri.find("my%20model%20%231.pkl") != std::string::npos, uri.c_str());
        checkSchema(abs.out);

        // A run with policy counts and suppressed findings still validates.
        const QString policy = write(QStringLiteral("s.toml"),
                                     "[[suppress]]\nrule = \"CKPT-U001\"\npath = \"<root>.q*\"\n");
        checkSchema(runCkpt({"validate", "--format", "sarif", "--policy", policy, kDill}).out);
    }

    void policyAllowAndDeny() {
        // allow: the user's own module is trusted, no CKPT-P003 for it.
        const QString allow = write(QStringLiteral("allow.toml"), "allow = [\"mymodels.*\"]\n");
        QVERIFY(withRule(validateJson({}), "CKPT-P003").size() == 1);
        QVERIFY(withRule(validateJson({"--policy", allow}), "CKPT-P003").empty());
        // ...but allow never silences what runs code: os.* stays an error.
        const QString lax = write(QStringLiteral("lax.toml"), "allow = [\"os.*\", \"posix.*\"]\n");
        const auto evil = runCkpt({"validate", "--policy", lax, kEvil});
        QCOMPARE(evil.exitCode, 1);
        QVERIFY(evil.out.find("CKPT-S001") != std::string::npos);
        // deny: any global named, even one that only builds a lock, is an error.
        const QString deny = write(QStringLiteral("deny.json"),
                                   R"({"deny": {"globals": ["dill._dill._create_lock"]}})");
        const auto s009 = withRule(validateJson({"--policy", deny}), "CKPT-S009");
        QCOMPARE(s009.size(), std::size_t(1));
        QCOMPARE(s009[0]["severity"].get<std::string>(), std::string("error"));
        QCOMPARE(s009[0]["symbol"].get<std::string>(), std::string("dill._dill._create_lock"));
    }

    void policySeverityOverride() {
        const QString warn =
            write(QStringLiteral("sev.toml"),
                  "[severity]\n\"CKPT-U001\" = \"warning\"\n\"CKPT-P003\" = \"off\"\n");
        const auto r = runCkpt({"validate", "--format", "json", "--policy", warn, kDill});
        QCOMPARE(r.exitCode, 0);  // no error left: U001 is a warning now
        const Json j = Json::parse(r.out);
        QCOMPARE(withRule(j, "CKPT-U001").size(), std::size_t(8));
        QCOMPARE(withRule(j, "CKPT-U001")[0]["severity"].get<std::string>(),
                 std::string("warning"));
        QVERIFY(withRule(j, "CKPT-P003").empty());
        QCOMPARE(j["summary"]["disabled"].get<int>(), 1);
    }

    void policySuppressions() {
        QFile dill(kDill);
        QVERIFY(dill.open(QIODevice::ReadOnly));
        const QByteArray sha =
            QCryptographicHash::hash(dill.readAll(), QCryptographicHash::Sha256).toHex();
        const QString live = write(
            QStringLiteral("sup.toml"),
            "[[suppress]]\nrule = \"CKPT-U001\"\npath = \"<root>.queue\"\nexpires = 2999-12-31\n"
            "reason = \"the loader recreates it\"\n\n"
            "[[suppress]]\nrule = \"CKPT-U001\"\npath = \"<root>.*lock\"\nsha256 = \"" +
                sha +
                "\"\n\n"
                "[[suppress]]\nrule = \"CKPT-U001\"\npath = \"<root>.fh\"\nsha256 = \"" +
                QByteArray(64, '0') + "\"\n");
        const Json j = validateJson({"--policy", live});
        const auto u = withRule(j, "CKPT-U001");
        // queue, lock and rlock suppressed; fh's suppression names another file's hash.
        QCOMPARE(u.size(), std::size_t(5));
        for (const auto& f : u) {
            QVERIFY(f["path"] != "<root>.queue" && f["path"] != "<root>.lock" &&
                    f["path"] != "<root>.rlock");
        }
        QCOMPARE(j["summary"]["suppressed"].get<int>(), 3);
        QVERIFY(withRule(j, "CKPT-V001").empty());

        // Expired: the finding is back, and the expiry itself is a warning.
        const QString old = write(QStringLiteral("old.toml"),
                                  "[[suppress]]\nrule = \"CKPT-U001\"\npath = \"<root>.queue\"\n"
                                  "expires = 2020-01-31\n");
        const Json e = validateJson({"--policy", old});
        QCOMPARE(withRule(e, "CKPT-U001").size(), std::size_t(8));
        const auto v = withRule(e, "CKPT-V001");
        QCOMPARE(v.size(), std::size_t(1));
        QCOMPARE(v[0]["severity"].get<std::string>(), std::string("warning"));
        QVERIFY(v[0]["message"].get<std::string>().find("2020-01-31") != std::string::npos);
    }

    void policyErrorsAreClear() {
        const QString bad = write(QStringLiteral("bad.toml"), "allow = [\"a.b\"\nseverity = 3\n");
        const auto r = runCkpt({"validate", "--policy", bad, kDill});
        QCOMPARE(r.exitCode, 64);
        QVERIFY2(
            r.err.find("bad.toml") != std::string::npos && r.err.find("line") != std::string::npos,
            r.err.c_str());
        const QString key = write(QStringLiteral("key.toml"), "alow = [\"a.b\"]\n");
        const auto k = runCkpt({"validate", "--policy", key, kDill});
        QCOMPARE(k.exitCode, 64);
        QVERIFY2(k.err.find("unknown key 'alow'") != std::string::npos, k.err.c_str());
        const QString sev =
            write(QStringLiteral("sev2.toml"), "[severity]\nCKPT-U001 = \"fatal\"\n");
        QCOMPARE(runCkpt({"validate", "--policy", sev, kDill}).exitCode, 64);
        const QString date = write(QStringLiteral("date.json"),
                                   R"({"suppress": [{"rule": "CKPT-U001", "expires": "soon"}]})");
        const auto d = runCkpt({"validate", "--policy", date, kDill});
        QCOMPARE(d.exitCode, 64);
        QVERIFY2(d.err.find("YYYY-MM-DD") != std::string::npos, d.err.c_str());
        QCOMPARE(runCkpt({"validate", "--policy", m_tmp.filePath("absent.toml"), kDill}).exitCode,
                 64);
    }

    void baselineShowsOnlyNewFindings() {
        const QString copy = m_tmp.filePath(QStringLiteral("model.pkl"));
        QVERIFY(QFile::copy(kDill, copy));
        const auto first = runCkpt({"validate", "--format", "json", copy});
        QCOMPARE(first.exitCode, 1);
        const QString baseline =
            write(QStringLiteral("baseline.json"), QByteArray::fromStdString(first.out));
        const auto again = runCkpt({"validate", "--baseline", baseline, copy});
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.find("12 finding(s) already in the baseline") != std::string::npos,
                 again.out.c_str());
        // A new payload in another file is reported; the known ones are not.
        const auto both =
            runCkpt({"validate", "--format", "json", "--baseline", baseline, copy, kEvil});
        QCOMPARE(both.exitCode, 1);
        const Json j = Json::parse(both.out);
        for (const auto& f : j["findings"]) {
            QCOMPARE(f["file"].get<std::string>(), kEvil.toStdString());
        }
        QVERIFY(!withRule(j, "CKPT-S001").empty());
        QCOMPARE(j["summary"]["known_from_baseline"].get<int>(), 12);
        // Not a report: a clear usage error.
        const QString notReport = write(QStringLiteral("nr.json"), "[1, 2]");
        const auto nr = runCkpt({"validate", "--baseline", notReport, copy});
        QCOMPARE(nr.exitCode, 64);
        QVERIFY2(nr.err.find("not a `ckpt validate --format json` report") != std::string::npos,
                 nr.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCliPolicy)
#include "test_cli_policy.moc"
