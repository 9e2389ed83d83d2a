// The pickle scan against the fixtures made by the real libraries (tests/fixtures/py): every
// member whose class plain pickle refuses is flagged at its path, every dangerous global of the
// hand-built hostile pickles is flagged at its offset, benign library pickles stay quiet.

#include <QDir>
#include <QFile>
#include <QtTest>

#include <set>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/model/json.h"
#include "core/pickle/machine.h"
#include "core/validate/pickle_scan.h"

using namespace ckpt::core;

namespace {

Json expectedOf(const QString& file) {
    QFile f(file + ".expected.json");
    if (!f.open(QIODevice::ReadOnly)) {
        return nullptr;
    }
    return Json::parse(f.readAll().toStdString());
}

std::vector<Finding> scan(const QString& path) {
    pickle::Machine machine(FileSource::open(path.toStdString()));
    const auto result = machine.loadAll();
    std::vector<pickle::ValueId> roots;
    for (const auto& p : result.pickles) {
        roots.push_back(p.root);
    }
    return scanPickleGraph(machine.graph(), roots);
}

std::string dump(const std::vector<Finding>& fs) {
    std::string out;
    for (const auto& f : fs) {
        out += f.rule + " " + std::string(severityName(f.severity)) + " " + f.path + " " +
               f.symbol + " @" + std::to_string(f.offset.value_or(0)) + "\n";
    }
    return out;
}

/// Classes that plain pickle refuses, as the reference lister names them.
bool unpicklable(const std::string& cls) {
    static const std::set<std::string> names{
        "_thread.lock",    "_thread.RLock",       "threading.Condition",
        "threading.Event", "threading.Semaphore", "threading.BoundedSemaphore",
        "queue.Queue",     "_thread._local",      "_io.TextIOWrapper",
    };
    return names.count(cls) != 0;
}

}  // namespace

class TestValidatorPy : public QObject {
    Q_OBJECT

private slots:
    void fixture_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(ckpt::test::fixture("py"));
        for (const auto& f : dir.entryList({"dill_*.pkl", "cloudpickle_*.pkl", "evil_*.pkl"},
                                           QDir::Files, QDir::Name)) {
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
        }
    }

    void fixture() {
        QFETCH(QString, file);
        const Json expected = expectedOf(file);
        QVERIFY(expected.is_object());
        const auto findings = scan(file);
        const std::string all = dump(findings);

        for (const auto& obj : expected["objects"]) {
            const std::string cls = obj["class"];
            if (!unpicklable(cls)) {
                continue;
            }
            std::string path = "<root>";
            std::string rel = obj["path"];
            for (char& c : rel) {
                c = c == '/' ? '.' : c;
            }
            if (!rel.empty()) {
                path += "." + rel;
            }
            const bool flagged =
                std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
                    return f.rule == "CKPT-U001" && f.path == path &&
                           f.category == FindingCategory::Unserializable;
                });
            QVERIFY2(flagged, (path + " (" + cls + ") not flagged in:\n" + all).c_str());
        }
        for (const auto& d : expected.value("dangerous", Json::array())) {
            const std::string symbol =
                d["module"].get<std::string>() + "." + d["name"].get<std::string>();
            const auto offset = d["offset"].get<std::uint64_t>();
            const bool flagged =
                std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
                    return f.category == FindingCategory::Security &&
                           f.severity == Severity::Error && f.offset == offset;
                });
            QVERIFY2(flagged,
                     (symbol + " @" + std::to_string(offset) + " not flagged in:\n" + all).c_str());
        }
        if (file.contains("/dill_") || file.contains("/cloudpickle_")) {
            for (const auto& f : findings) {  // benign library output: no security error
                QVERIFY2(
                    !(f.category == FindingCategory::Security && f.severity == Severity::Error),
                    all.c_str());
            }
        }
        if (file.contains("_lam") || file.contains("_local")) {
            QVERIFY2(std::any_of(findings.begin(), findings.end(),
                                 [](const Finding& f) { return f.rule == "CKPT-P001"; }),
                     all.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestValidatorPy)
#include "test_validator_py.moc"
