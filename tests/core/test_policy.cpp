// The validation policy and the grouping of findings, without the CLI: wildcards, TOML and JSON
// read alike, expiry against an injected date, and one finding per member.

#include <QFile>
#include <QtTest>

#include "common/test_support.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

Finding finding(std::string rule, FindingCategory cat, std::string path, std::uint64_t offset,
                std::string member = {}) {
    Finding f;
    f.rule = std::move(rule);
    f.category = cat;
    f.severity = Severity::Error;
    f.path = std::move(path);
    f.offset = offset;
    f.member = std::move(member);
    f.message = "m " + f.path;
    return f;
}

}  // namespace

class TestPolicy : public QObject {
    Q_OBJECT

private slots:
    void wildcards() {
        QVERIFY(wildcardMatch("mypkg.*", "mypkg.models.Net"));
        QVERIFY(!wildcardMatch("mypkg.*", "mypkgx.Net"));
        QVERIFY(wildcardMatch("*", ""));
        QVERIFY(wildcardMatch("<root>.*lock", "<root>.rlock"));
        QVERIFY(!wildcardMatch("<root>.*lock", "<root>.lock.x"));
        QVERIFY(wildcardMatch("a*b*c", "aXbYbZc"));
        QVERIFY(!wildcardMatch("a*b*c", "aXbYbZ"));
        QVERIFY(wildcardMatch("exact", "exact"));
        QVERIFY(!wildcardMatch("exact", "exactly"));
        // Many stars over a long text stay fast (no exponential backtracking).
        QVERIFY(!wildcardMatch("*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
    }

    void tomlAndJsonReadAlike() {
        const Policy t = parsePolicy(R"(
allow = ["mypkg.*"]
[deny]
globals = ["numpy.load"]
[severity]
CKPT-P003 = "off"
"CKPT-U001" = "warning"
[[suppress]]
rule = "CKPT-U001"
path = "<root>.lock"
expires = 2027-03-01
reason = "reviewed"
)",
                                     "p.toml");
        const Policy j = parsePolicy(R"({"allow": ["mypkg.*"], "deny": ["numpy.load"],
            "severity": {"CKPT-P003": "off", "CKPT-U001": "warning"},
            "suppress": [{"rule": "CKPT-U001", "path": "<root>.lock", "expires": "2027-03-01",
                          "reason": "reviewed"}]})",
                                     "p.json");
        for (const Policy* p : {&t, &j}) {
            QCOMPARE(p->allow, std::vector<std::string>{"mypkg.*"});
            QVERIFY(p->denies("numpy.load") && !p->denies("numpy.loads"));
            QVERIFY(p->allows("mypkg.a.B") && !p->allows("os.system"));
            QCOMPARE(p->severities.size(), std::size_t(2));
            QCOMPARE(p->suppressions.size(), std::size_t(1));
            QCOMPARE(p->suppressions[0].expires->text(), std::string("2027-03-01"));
            QCOMPARE(p->suppressions[0].reason, std::string("reviewed"));
        }
        QVERIFY(
            ckpt::test::throws<FormatError>([] { (void)parsePolicy("allow = \"os\"", "p.toml"); }));
        QVERIFY(ckpt::test::throws<FormatError>(
            [] { (void)parsePolicy("allow = [\"nodot\"]", "p.toml"); }));
        QVERIFY(ckpt::test::throws<FormatError>(
            [] { (void)parsePolicy("{\"suppress\": [{}]}", "p.json"); }));
        QVERIFY(ckpt::test::throws<FormatError>(
            [] { (void)parsePolicy("[[suppress]]\nrule=\"X\"\nsha256=\"12\"\n", "p.toml"); }));
    }

    void theDocumentedExampleParses() {
        QFile f(QStringLiteral(CKPT_SOURCE_DIR "/docs/policy.md"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string md = f.readAll().toStdString();
        const auto block = [&](const std::string& lang) {
            const auto start = md.find("```" + lang + "\n");
            const auto end = md.find("```", start + 4 + lang.size());
            return md.substr(start + 4 + lang.size(), end - start - 4 - lang.size());
        };
        const Policy t = parsePolicy(block("toml"), "policy.toml");
        const Policy j = parsePolicy(block("json"), "policy.json");
        QCOMPARE(t.allow, j.allow);
        QCOMPARE(t.deny, j.deny);
        auto ts = t.severities, js = j.severities;
        std::sort(ts.begin(), ts.end());
        std::sort(js.begin(), js.end());
        QCOMPARE(ts, js);
        QCOMPARE(t.suppressions.size(), std::size_t(1));
        QCOMPARE(t.suppressions[0].expires->key(), j.suppressions[0].expires->key());
        QCOMPARE(t.suppressions[0].sha256.size(), std::size_t(64));
    }

    void expiryUsesTheGivenDay() {
        const Policy p = parsePolicy(
            "[[suppress]]\nrule = \"R\"\npath = \"<root>.a\"\nexpires = 2027-03-01\n", "p.toml");
        const auto make = [] {
            ValidationReport r;
            r.findings.push_back(finding("R", FindingCategory::Unserializable, "<root>.a", 1));
            r.findings.push_back(finding("R", FindingCategory::Unserializable, "<root>.b", 2));
            return r;
        };
        ValidationReport onTheDay = make();
        applyPolicy(onTheDay, p, {2027, 3, 1}, {});
        QCOMPARE(onTheDay.findings.size(), std::size_t(1));  // the last day still applies
        QCOMPARE(onTheDay.suppressed.size(), std::size_t(1));
        ValidationReport after = make();
        applyPolicy(after, p, {2027, 3, 2}, {});
        QCOMPARE(after.findings.size(), std::size_t(3));  // both, plus the expiry warning
        QCOMPARE(after.findings.back().rule, std::string("CKPT-V001"));
        QCOMPARE(after.findings.back().category, FindingCategory::Policy);
        QVERIFY(after.suppressed.empty());
    }

    void oneFindingPerMember() {
        std::vector<Finding> fs;
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.q.mutex", 20));
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.q", 10));
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.q.not_empty._lock", 40));
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.q.not_empty", 30));
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.qq", 50));  // a sibling
        fs.push_back(finding("U", FindingCategory::Unserializable, "<root>.q.x", 60, "other.pkl"));
        fs.push_back(finding("CKPT-P001", FindingCategory::Portability, "<root>.f(0)", 70));
        fs.push_back(finding("CKPT-P001", FindingCategory::Portability, "<root>.f", 80));
        fs.push_back(finding("CKPT-P003", FindingCategory::Portability, "<root>", 90));
        fs.push_back(finding("CKPT-P003", FindingCategory::Portability, "<root>.a", 91));
        fs.push_back(finding("S", FindingCategory::Security, "<root>", 1));
        fs.push_back(finding("S", FindingCategory::Security, "<root>.q", 2));
        fs[0].severity = Severity::Error;
        fs[1].severity = Severity::Warning;  // the owner takes its parts' worst severity
        groupFindingsByMember(fs);
        QCOMPARE(fs.size(), std::size_t(8));
        QCOMPARE(fs[0].path, std::string("<root>.q"));
        QCOMPARE(fs[0].severity, Severity::Error);
        QCOMPARE(fs[0].parts.size(), std::size_t(3));
        QCOMPARE(fs[0].parts[0].path, std::string("<root>.q.mutex"));  // by offset
        QCOMPARE(fs[0].parts[2].path, std::string("<root>.q.not_empty._lock"));
        QCOMPARE(fs[1].path, std::string("<root>.qq"));
        QVERIFY(fs[1].parts.empty());
        QCOMPARE(fs[2].member, std::string("other.pkl"));  // another stream: its own finding
        QCOMPARE(fs[3].path, std::string("<root>.f"));
        QCOMPARE(fs[3].parts.size(), std::size_t(1));
        // Module notes are not about members: never folded.
        QCOMPARE(fs[4].rule, std::string("CKPT-P003"));
        QCOMPARE(fs[5].rule, std::string("CKPT-P003"));
        // Security findings stay one per call.
        QCOMPARE(fs[6].rule, std::string("S"));
        QCOMPARE(fs[7].rule, std::string("S"));
    }
};

QTEST_GUILESS_MAIN(TestPolicy)
#include "test_policy.moc"
