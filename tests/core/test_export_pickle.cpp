// The cleaned pickle export over the committed fixtures (no Python needed): flagged members taken
// out or set to None, the result re-read and re-validated, untouched pickles copied byte for
// byte, joblib arrays and torch storages kept, code that runs on load refused, cancel leaves
// nothing behind.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "common/test_support.h"
#include "core/export/export_common.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

std::unique_ptr<Checkpoint> open(const QString& path) {
    return openCheckpoint(path.toStdString());
}

std::vector<Finding> findings(const QString& path) {
    ValidateOptions o;
    o.readData = false;
    return validateCheckpoint(*open(path), o).findings;
}

int countRule(const std::vector<Finding>& fs, const std::string& prefix) {
    int n = 0;
    for (const auto& f : fs) {
        n += f.rule.rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
}

bool hasSecurity(const std::vector<Finding>& fs) {
    for (const auto& f : fs) {
        if (f.category == FindingCategory::Security) {
            return true;
        }
    }
    return false;
}

/// Path -> element bytes of every tensor.
std::map<std::string, std::string> tensorBytes(const Checkpoint& c) {
    std::map<std::string, std::string> out;
    for (const Node* n : c.tensorNodes()) {
        std::string bytes;
        if (n->tensor()->readable()) {
            streamTensorBytes(*n->tensor(), 1 << 20, [&](const std::byte* p, std::size_t k) {
                bytes.append(reinterpret_cast<const char*>(p), k);
            });
        }
        out[n->path()] = bytes;
    }
    return out;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

ExportReport exportPickle(const QString& in, const QString& out, ExportOptions o = {}) {
    return exportCheckpoint(*open(in), ExportFormat::Pickle, out.toStdString(), o);
}

}  // namespace

class TestExportPickle : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void flaggedFixtures_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("mode");  // 0 remove, 1 replace with None, 2 drop portability
        const QDir dir(ckpt::test::fixture("py"));
        for (const auto& f :
             dir.entryList({"dill_*.pkl", "cloudpickle_*.pkl"}, QDir::Files, QDir::Name)) {
            for (int mode = 0; mode < 3; ++mode) {
                QTest::newRow(qPrintable(f + "/" + QString::number(mode)))
                    << dir.filePath(f) << mode;
            }
        }
    }

    /// Every dill/cloudpickle fixture: the export keeps no flagged finding, every tensor, and
    /// every other finding; or it is refused with nothing written.
    void flaggedFixtures() {
        QFETCH(QString, file);
        QFETCH(int, mode);
        ExportOptions o;
        o.replaceWithNone = mode == 1;
        o.dropPortability = mode == 2;
        const QString out = m_tmp.filePath(QFileInfo(file).completeBaseName() + "_" +
                                           QString::number(mode) + ".pkl");
        const auto before = findings(file);
        ExportReport r;
        try {
            r = exportPickle(file, out, o);
        } catch (const UnsupportedError& e) {
            // Refused: code that still runs on load, or a root that is itself flagged.
            QVERIFY2(!QFile::exists(out), e.what());
            const std::string msg = e.what();
            QVERIFY2(hasSecurity(before) || msg.find("root") != std::string::npos, e.what());
            return;
        }
        QVERIFY(!hasSecurity(before));
        QVERIFY(QFile::exists(out));
        QCOMPARE(r.fileBytes, static_cast<std::uint64_t>(QFileInfo(out).size()));
        const auto after = findings(out);
        QCOMPARE(countRule(after, "CKPT-U"), 0);
        if (mode == 2) {
            QCOMPARE(countRule(after, "CKPT-P001"), 0);
        } else {
            QCOMPARE(countRule(after, "CKPT-P001") > 0, countRule(before, "CKPT-P001") > 0);
        }
        QCOMPARE(r.cleaned.empty(), countRule(before, "CKPT-U") == 0 &&
                                        (mode != 2 || countRule(before, "CKPT-P001") == 0));
        const auto endsWith = [](const std::string& c, const std::string& suffix) {
            return c.size() > suffix.size() &&
                   c.compare(c.size() - suffix.size(), suffix.size(), suffix) == 0;
        };
        bool replacedSeen = false;
        for (const auto& c : r.cleaned) {
            const bool replaced = endsWith(c, "replaced with None");
            replacedSeen = replacedSeen || replaced;
            QVERIFY2(mode == 1 ? replaced || endsWith(c, "while loading removed")
                               : endsWith(c, "removed"),
                     c.c_str());
        }
        QVERIFY(mode != 1 || r.cleaned.empty() || replacedSeen);
        QCOMPARE(tensorBytes(*open(out)), tensorBytes(*open(file)));
    }

    /// The lock member of a Holder: gone by default, a None value with --replace-with-none.
    void removeOrReplace() {
        const QString in = ckpt::test::fixture("py/dill_lock.pkl");
        const QString removed = m_tmp.filePath("lock_removed.pkl");
        const QString replaced = m_tmp.filePath("lock_none.pkl");
        const auto r1 = exportPickle(in, removed);
        ExportOptions o;
        o.replaceWithNone = true;
        const auto r2 = exportPickle(in, replaced, o);
        QCOMPARE(r1.cleaned.size(), std::size_t{1});
        QVERIFY2(r1.cleaned[0].find("<root>.lock") != std::string::npos, r1.cleaned[0].c_str());
        QVERIFY(r2.cleaned[0].find("replaced with None") != std::string::npos);
        const auto src = open(in);
        QVERIFY(src->root().findChild("lock") != nullptr);
        const auto a = open(removed);
        QVERIFY(a->root().findChild("lock") == nullptr);
        QVERIFY(a->root().findChild("name") != nullptr);
        const auto b = open(replaced);
        const Node* lock = b->root().findChild("lock");
        QVERIFY(lock != nullptr);
        QCOMPARE(QString::fromStdString(lock->value()), QString("None"));
        QVERIFY(readAll(removed).size() < readAll(in).size());
    }

    /// Pickles with nothing flagged come out byte for byte (protocols 0 and 2, legacy torch,
    /// joblib arrays); framed ones keep every tensor.
    void untouchedIsIdentical_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("identical");
        for (const char* f : {"pickle_p0.pkl", "pickle_p2.pkl", "torch_sd_legacy.pt",
                              "torch_full_model_legacy.pt"}) {
            QTest::newRow(f) << ckpt::test::fixture(QString("py/") + f) << true;
        }
        for (const char* f : {"pickle_p4.pkl", "pickle_p5.pkl", "joblib_plain.joblib",
                              "joblib_zlib3.joblib", "joblib_gzip.joblib.gz", "joblib_xz.joblib.xz",
                              "joblib_bz2.joblib.bz2", "joblib_lzma.joblib.lzma", "torch_sd_zip.pt",
                              "torch_views.pt", "torch_train_ckpt.pt"}) {
            QTest::newRow(f) << ckpt::test::fixture(QString("py/") + f) << false;
        }
    }

    void untouchedIsIdentical() {
        QFETCH(QString, file);
        QFETCH(bool, identical);
        const QString out = m_tmp.filePath("same_" + QFileInfo(file).fileName());
        const auto r = exportPickle(file, out);
        QVERIFY(r.cleaned.empty());
        if (identical) {
            QCOMPARE(readAll(out), readAll(file));
        }
        const auto src = open(file);
        const auto dst = open(out);
        QCOMPARE(QString::fromStdString(dst->format()), QString::fromStdString(src->format()));
        QCOMPARE(dst->metadata().value("compression", std::string()),
                 src->metadata().value("compression", std::string()));
        QCOMPARE(tensorBytes(*dst), tensorBytes(*src));
        QCOMPARE(r.tensors, static_cast<std::uint64_t>(src->tensorNodes().size()));
    }

    void refusesCodeThatRuns_data() {
        QTest::addColumn<QString>("file");
        for (const char* f : {"evil_os_system.pkl", "evil_builtins_exec.pkl",
                              "evil_nested_loads.pkl", "evil_torch_zip.pt"}) {
            QTest::newRow(f) << ckpt::test::fixture(QString("py/") + f);
        }
    }

    void refusesCodeThatRuns() {
        QFETCH(QString, file);
        const QString out = m_tmp.filePath("evil_" + QFileInfo(file).fileName());
        bool refused = false;
        try {
            (void)exportPickle(file, out);
        } catch (const UnsupportedError& e) {
            refused = std::string(e.what()).find("refusing") != std::string::npos;
        }
        QVERIFY(refused);
        QVERIFY(!QFile::exists(out));
    }

    void otherFormatsRefused() {
        const QString out = m_tmp.filePath("k.pkl");
        QVERIFY(ckpt::test::throws<UnsupportedError>(
            [&] { (void)exportPickle(ckpt::test::fixture("keras/k3_model.keras"), out); }));
        QVERIFY(!QFile::exists(out));
    }

    void cancelLeavesNothing() {
        const QString out = m_tmp.filePath("cancelled.pt");
        ExportOptions o;
        o.progress = [](std::uint64_t, std::uint64_t) { return false; };
        QVERIFY(ckpt::test::throws<CancelledError>(
            [&] { (void)exportPickle(ckpt::test::fixture("py/torch_sd_zip.pt"), out, o); }));
        QVERIFY(!QFile::exists(out));
        QCOMPARE(QDir(m_tmp.path()).entryList({".cancelled*"}, QDir::Files | QDir::Hidden).size(),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestExportPickle)
#include "test_export_pickle.moc"
