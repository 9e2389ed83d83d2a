// The validator's pickle scan: dangerous globals however they are spelled, unserializable
// members named with their path and owner, benign library output left alone. Hostile pickles
// are built as bytes by /usr/bin/python3 and never loaded by anyone.

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/validate/pickle_scan.h"

using namespace ckpt::core;

namespace {

std::vector<Finding> scanFile(const QString& path) {
    pickle::Machine machine(FileSource::open(path.toStdString()));
    const auto result = machine.loadAll();
    std::vector<pickle::ValueId> roots;
    for (const auto& p : result.pickles) {
        roots.push_back(p.root);
    }
    return scanPickleGraph(machine.graph(), roots);
}

const Finding* findRule(const std::vector<Finding>& fs, const std::string& rule,
                        const std::string& symbolPart = {}) {
    for (const auto& f : fs) {
        if (f.rule == rule && f.symbol.find(symbolPart) != std::string::npos) {
            return &f;
        }
    }
    return nullptr;
}

std::string dump(const std::vector<Finding>& fs) {
    std::string out;
    for (const auto& f : fs) {
        out += f.rule + " " + std::string(severityName(f.severity)) + " " + f.path + " " +
               f.symbol + " @" + std::to_string(f.offset.value_or(0)) + ": " + f.message + "\n";
    }
    return out;
}

}  // namespace

class TestPickleScan : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void initTestCase() {
        // Each payload is written as bytes; the marker file must never appear.
        const QString script = ckpt::test::fixture("pickle/make_scan_payloads.py");
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {script, m_tmp.path()});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 unavailable: " + r.err));
        }
    }

    void cleanupTestCase() { QVERIFY(!QFile::exists(m_tmp.filePath("PWNED"))); }

    void python2NameIsStillOsSystem() {
        const auto fs = scanFile(m_tmp.filePath("posix_p0.pkl"));
        const Finding* f = findRule(fs, "CKPT-S001", "posix.system");
        QVERIFY2(f != nullptr, dump(fs).c_str());
        QCOMPARE(f->severity, Severity::Error);
        QCOMPARE(f->category, FindingCategory::Security);
        QCOMPARE(f->offset.value(), 0ull);
        QCOMPARE(f->path, std::string("<root>"));
        QVERIFY(f->message.find("touch") != std::string::npos);
    }

    void builtinEvalUnderItsOldName() {
        const auto fs = scanFile(m_tmp.filePath("eval_p2.pkl"));
        const Finding* f = findRule(fs, "CKPT-S001", "builtins.eval");
        QVERIFY2(f != nullptr, dump(fs).c_str());
        QVERIFY(f->message.find("__builtin__.eval") != std::string::npos);
        QCOMPARE(f->offset.value(), 2ull);
    }

    void memoIndirectedStackGlobal() {
        const auto fs = scanFile(m_tmp.filePath("memo_sg_p4.pkl"));
        QVERIFY2(findRule(fs, "CKPT-S001", "subprocess.call") != nullptr, dump(fs).c_str());
    }

    void stackedPickleIsScanned() {
        const auto fs = scanFile(m_tmp.filePath("stacked.pkl"));
        const Finding* f = findRule(fs, "CKPT-S001", "os.system");
        QVERIFY2(f != nullptr, dump(fs).c_str());
        QCOMPARE(f->path, std::string("<pickle 2>"));
        QVERIFY(f->offset.value() > 10);
    }

    void getattrChain() {
        const auto fs = scanFile(m_tmp.filePath("getattr_chain.pkl"));
        QVERIFY2(findRule(fs, "CKPT-S003", "importlib.import_module") != nullptr, dump(fs).c_str());
        QCOMPARE(findRule(fs, "CKPT-S003")->severity, Severity::Error);  // 'os' is dangerous
        QVERIFY2(findRule(fs, "CKPT-S004", "builtins.getattr") != nullptr, dump(fs).c_str());
    }

    void benignLibraryOutputIsQuiet() {
        const auto fs = scanFile(m_tmp.filePath("benign.pkl"));
        QVERIFY2(fs.empty(), dump(fs).c_str());
    }

    void userModuleIsOneInfo() {
        const auto fs = scanFile(m_tmp.filePath("user_class.pkl"));
        QCOMPARE(fs.size(), std::size_t{1});
        QCOMPARE(fs[0].rule, std::string("CKPT-P003"));
        QCOMPARE(fs[0].severity, Severity::Info);
        QVERIFY(fs[0].message.find("mymodels") != std::string::npos);
    }

    void mainClassWarns() {
        const auto fs = scanFile(m_tmp.filePath("main_class.pkl"));
        const Finding* f = findRule(fs, "CKPT-P002", "__main__.Net");
        QVERIFY2(f != nullptr, dump(fs).c_str());
        QCOMPARE(f->severity, Severity::Warning);
    }

    void dillLocksAreNamedByMember() {
        const QString p = m_tmp.filePath("dill_holder.pkl");
        if (!QFile::exists(p)) {
            QSKIP("dill is not installed");
        }
        const auto fs = scanFile(p);
        const auto at = [&](const std::string& path) {
            for (const auto& f : fs) {
                if (f.rule == "CKPT-U001" && f.path == path) {
                    return &f;
                }
            }
            return static_cast<const Finding*>(nullptr);
        };
        const Finding* lock = at("<root>.lock");
        QVERIFY2(lock != nullptr, dump(fs).c_str());
        QVERIFY(lock->message.find("cannot pickle '_thread.lock' object") != std::string::npos);
        QVERIFY(lock->symbol.find("dill") != std::string::npos);
        const Finding* rlock = at("<root>.rlock");
        QVERIFY2(rlock != nullptr, dump(fs).c_str());
        QVERIFY(rlock->message.find("cannot pickle '_thread.RLock' object") != std::string::npos);
        QVERIFY2(at("<root>.jobs.mutex") != nullptr, dump(fs).c_str());
        // Nothing here runs code: no security error.
        for (const auto& f : fs) {
            QVERIFY2(!(f.category == FindingCategory::Security && f.severity == Severity::Error),
                     dump(fs).c_str());
        }
    }

    void dillLambdaIsPortability() {
        const QString p = m_tmp.filePath("dill_lambda.pkl");
        if (!QFile::exists(p)) {
            QSKIP("dill is not installed");
        }
        const auto fs = scanFile(p);
        const Finding* f = findRule(fs, "CKPT-P001", "_create_function");
        QVERIFY2(f != nullptr, dump(fs).c_str());
        QCOMPARE(f->path, std::string("<root>['f']"));
    }

    void realPicklesHaveNoErrors() {
        const QString dir = ckpt::test::realDataDir();
        if (dir.isEmpty()) {
            QSKIP("no real data");
        }
        for (const auto& name : QDir(dir + "/pickle").entryList({"*.pkl"}, QDir::Files)) {
            std::vector<Finding> fs;
            try {
                fs = scanFile(dir + "/pickle/" + name);
            } catch (const std::exception& e) {
                continue;  // joblib files need the joblib reader's hook
            }
            for (const auto& f : fs) {
                QVERIFY2(f.severity != Severity::Error,
                         (name.toStdString() + ": " + dump(fs)).c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPickleScan)
#include "test_pickle_scan.moc"
