// `ckpt scan` over a generated tree of 1,000 files (valid checkpoints, hostile pickles, corrupt
// and truncated files, duplicates, plain text, and the reproducers of ../shared/data/hostile
// when present): exactly one line per file, the right verdict for each kind, and a second run
// with --cache that opens only what changed. Also the walk's symlink rules and bad usage.

#include <sys/stat.h>
#include <utime.h>

#include <set>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include "common/run_measured.h"
#include "common/scan_lines.h"
#include "common/test_support.h"

using ckpt::core::Json;
using ckpt::test::count;
using ckpt::test::Count;
using ckpt::test::stable;

namespace {

// 1,000 files (issue 19); 300 in the sanitized run, whose scans take 4x as long (the files
// other than copies of valid checkpoints are about 215).
constexpr int kTreeFiles = ckpt::test::kSanitized ? 300 : 1000;

/// Small valid checkpoints of several formats; the corrupt ones are cut from the first seven
/// (HDF5 and zip containers: a cut one is always recognised, then fails).
const QStringList kValid = {
    "diff/base.h5",        "diff/k3_same.keras",           "diff/k3_same.weights.h5",
    "diff/torch_state.pt", "keras/k2_nested.h5",           "keras/k3_model.keras",
    "keras/generic.h5",    "diff/torch_state.safetensors", "gguf/v3_types.gguf",
    "pickle/graph_p4.pkl", "pickle/dill_locks.pkl"};
constexpr int kContainers = 7;

bool copyWritable(const QString& from, const QString& to) {
    QDir().mkpath(QFileInfo(to).path());
    return QFile::copy(from, to) &&
           QFile::setPermissions(to, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString info(const ckpt::test::MeasuredRun& r) {
    return QString("exit %1 signal %2 %3 s %4 KiB; stderr: %5")
        .arg(r.exitCode)
        .arg(r.signal)
        .arg(r.seconds)
        .arg(r.maxRssKiB)
        .arg(QString::fromUtf8(r.err.left(600)));
}

}  // namespace

class TestCliScan : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_root;                    // the tree
    QSet<QString> m_all;               // every path as ckpt prints it
    QMap<QString, QString> m_hostile;  // path -> rule the manifest expects ("" = any)
    QStringList m_corrupt;
    QStringList m_text;
    QStringList m_shared;                 // copies of ../shared/data/hostile
    QMap<QString, QStringList> m_copies;  // fixture -> its copies in the tree
    ckpt::test::ScanOutput m_first;

    QString add(const QString& rel) {
        const QString p = m_root + "/" + rel;
        m_all.insert(p);
        return p;
    }

    ckpt::test::MeasuredRun scan(const QStringList& extra) {
        QStringList args{"scan", "--recursive", m_root, "--jobs", "2"};
        args << extra;
        return ckpt::test::runMeasured(ckpt::test::cliPath(), args,
                                       int(ckpt::test::timeBudgetSeconds(600) * 1000));
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_root = m_tmp.filePath("tree");
        const QString fx = ckpt::test::fixtureDir();
        QFile manifest(fx + "/hostile/manifest.json");
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        for (const auto& e : Json::parse(manifest.readAll().toStdString())) {
            const QString name = QString::fromStdString(e["file"].get<std::string>());
            const QString p = add("hostile/" + name);
            QVERIFY(copyWritable(fx + "/hostile/" + name, p));
            m_hostile[p] = e["rule"].is_string()
                               ? QString::fromStdString(e["rule"].get<std::string>())
                               : QString();
        }
        for (int i = 0; i < kContainers; ++i) {
            QFile src(fx + "/" + kValid[i]);
            QVERIFY2(src.open(QIODevice::ReadOnly), qPrintable(kValid[i]));
            const QByteArray bytes = src.readAll();
            for (const double cut : {0.4, 0.7}) {
                const QString p = add(QString("corrupt/%1_%2")
                                          .arg(int(cut * 100))
                                          .arg(QFileInfo(kValid[i]).fileName()));
                QVERIFY(writeFile(p, bytes.left(int(bytes.size() * cut))));
                m_corrupt << p;
            }
        }
        for (const auto& name : QDir(fx + "/bad").entryList(QDir::Files | QDir::Hidden)) {
            QVERIFY(copyWritable(fx + "/bad/" + name, add("bad/" + name)));
        }
        for (const auto& name :
             QDir(ckpt::test::hostileDataDir()).entryList(QDir::Files | QDir::Hidden)) {
            const QString p = add("shared-hostile/" + name);
            QVERIFY(copyWritable(ckpt::test::hostileDataDir() + "/" + name, p));
            m_shared << p;
        }
        for (int i = 0; i < 60; ++i) {
            const QString p = add(QString("docs/notes_%1.txt").arg(i));
            QVERIFY(writeFile(p, QString("release notes %1\n").arg(i).toUtf8()));
            m_text << p;
        }
        // Duplicates fill the tree up to 1,000 files, spread over nested folders.
        for (int i = 0; m_all.size() < kTreeFiles; ++i) {
            const QString& src = kValid[i % kValid.size()];
            const QString p = add(QString("models/a%1/b%2/copy%3_%4")
                                      .arg(i % 10)
                                      .arg(i % 7)
                                      .arg(i)
                                      .arg(QFileInfo(src).fileName()));
            QVERIFY(copyWritable(fx + "/" + src, p));
            m_copies[src] << p;
        }
        QCOMPARE(m_all.size(), kTreeFiles);
    }

    void oneLinePerFile() {
        const QString out = m_tmp.filePath("first.jsonl");
        const auto r = scan({"--jsonl", out, "--cache", m_tmp.filePath("cache")});
        QVERIFY2(!r.timedOut && r.signal == 0, qPrintable(info(r)));
        QVERIFY2(r.exitCode == 2, qPrintable(info(r)));  // the corrupt files cannot be read
        m_first = ckpt::test::readScanOutput(out);
        QCOMPARE(m_first.badLines, 0);
        QCOMPARE(m_first.summaryLines, 1);
        QCOMPARE(int(m_first.order.size()), kTreeFiles);
        QCOMPARE(int(m_first.lines.size()), kTreeFiles);
        QVERIFY(std::is_sorted(m_first.order.begin(), m_first.order.end()));
        for (const auto& p : m_all) {
            QVERIFY2(m_first.lines.count(p.toStdString()) == 1, qPrintable(p));
        }
        const Json& s = m_first.summary;
        QCOMPARE(count(s, "files"), Count(kTreeFiles));
        // The cache is keyed by content: copies met later in the same run are not opened
        // again (two workers may both open one content when its copies meet at once).
        std::set<std::string> contents;
        for (const auto& [path, line] : m_first.lines) {
            contents.insert(line["sha256"].get<std::string>());
        }
        QVERIFY2(
            count(s, "opened") >= Count(contents.size()) && count(s, "opened") < Count(kTreeFiles),
            s.dump().c_str());
        QCOMPARE(count(s, "opened") + count(s, "cached"), Count(kTreeFiles));
        QCOMPARE(count(s, "hashed"), Count(kTreeFiles));
        QVERIFY(count(s, "unreadable") >= Count(m_corrupt.size()));
        QCOMPARE(s["exit_code"].get<int>(), 2);
        // The text summary goes to stdout when the lines go to a file.
        const QString files =
            kTreeFiles == 1000 ? QStringLiteral("1,000") : QString::number(kTreeFiles);
        QVERIFY2(r.out.contains((files + " file(s)").toUtf8()), r.out.constData());
    }

    void hostileFilesAreFlagged() {
        QVERIFY(!m_first.lines.empty());
        for (auto it = m_hostile.begin(); it != m_hostile.end(); ++it) {
            const Json& line = m_first.lines.at(it.key().toStdString());
            bool securityError = false;
            bool ruleSeen = it.value().isEmpty();
            for (const auto& f : line["findings"]) {
                if (f["category"] == "security" && f["severity"] == "error") {
                    securityError = true;
                    ruleSeen = ruleSeen || f["rule"] == it.value().toStdString();
                }
            }
            QVERIFY2(securityError && ruleSeen, qPrintable(it.key() + " " + it.value() + ": " +
                                                           QString::fromStdString(line.dump())));
            QVERIFY(count(line["findings_by_severity"], "error") >= 1);
        }
        for (const auto& p : m_shared) {
            // Each crash, hang or bomb reproducer ends as a reader error or with findings; the
            // slow_* ones are valid files that were only slow, and README.md is text.
            const Json& line = m_first.lines.at(p.toStdString());
            const QString name = QFileInfo(p).fileName();
            if (name.startsWith("slow_") || name.endsWith(".md")) {
                QVERIFY2(line["errors"].empty(), qPrintable(p));
                continue;
            }
            QVERIFY2(!line["errors"].empty() || !line["findings"].empty(),
                     qPrintable(p + " " + QString::fromStdString(line.dump())));
        }
    }

    void corruptFilesHaveReaderErrors() {
        QVERIFY(!m_first.lines.empty());
        for (const auto& p : m_corrupt) {
            const Json& line = m_first.lines.at(p.toStdString());
            QVERIFY2(!line["errors"].empty(),
                     qPrintable(p + " " + QString::fromStdString(line.dump())));
            QCOMPARE(line["checkpoint"].get<bool>(), true);
            QVERIFY(line["tensors"].is_null());
            // The message names the file, as every reader error does.
            QVERIFY2(
                line["errors"][0].get<std::string>().find(p.toStdString()) != std::string::npos,
                qPrintable(p));
        }
    }

    void otherFilesAreNotCheckpoints() {
        QVERIFY(!m_first.lines.empty());
        for (const auto& p : m_text) {
            const Json& line = m_first.lines.at(p.toStdString());
            QVERIFY2(line["format"].is_null(), qPrintable(p));
            QCOMPARE(line["checkpoint"].get<bool>(), false);
            QVERIFY(line["errors"].empty());
            QVERIFY(line["findings"].empty());
        }
        QVERIFY(count(m_first.summary, "not_checkpoints") >= Count(m_text.size()));
    }

    void duplicatesGiveTheSameVerdict() {
        QVERIFY(!m_first.lines.empty());
        QCOMPARE(m_copies.size(), kValid.size());
        for (auto it = m_copies.begin(); it != m_copies.end(); ++it) {
            QVERIFY(it.value().size() >= 2);
            Json first = stable(m_first.lines.at(it.value().front().toStdString()));
            first.erase("path");
            QVERIFY2(first["format"].is_string() && first["errors"].empty(),
                     qPrintable(it.key() + " " + QString::fromStdString(first.dump())));
            QVERIFY2(first["tensors"].get<std::uint64_t>() > 0 || it.key().endsWith(".pkl"),
                     qPrintable(it.key()));
            QCOMPARE(QByteArray::fromStdString(first["sha256"].get<std::string>()),
                     ckpt::test::fileSha(ckpt::test::fixture(it.key())).toHex());
            for (const auto& copy : it.value()) {
                Json other = stable(m_first.lines.at(copy.toStdString()));
                other.erase("path");
                QVERIFY2(other == first, qPrintable(copy));
            }
        }
        // dill_locks.pkl holds locks: an unserializable finding in every copy.
        const Json& locks = m_first.lines.at(m_copies["pickle/dill_locks.pkl"][0].toStdString());
        QVERIFY2(locks.dump().find("CKPT-U001") != std::string::npos, locks.dump().c_str());
    }

    /// A second run with --cache re-reads only what changed: 3 files edited (opened again),
    /// 3 touched (hashed again, same content: from the cache), 1 new copy of a known file (a
    /// new path whose content the cache knows).
    void cacheOpensOnlyChangedFiles() {
        QVERIFY(!m_first.lines.empty());
        const QString cache = m_tmp.filePath("cache");
        const QString again = m_tmp.filePath("again.jsonl");
        auto r = scan({"--jsonl", again, "--cache", cache});
        QVERIFY2(r.exitCode == 2, qPrintable(info(r)));
        auto warm = ckpt::test::readScanOutput(again);
        QCOMPARE(count(warm.summary, "files"), Count(kTreeFiles));
        QCOMPARE(count(warm.summary, "opened"), 0ull);
        QCOMPARE(count(warm.summary, "cached"), Count(kTreeFiles));
        QCOMPARE(count(warm.summary, "hashed"), 0ull);
        for (const auto& [path, line] : m_first.lines) {
            QVERIFY2(stable(warm.lines.at(path)) == stable(line), path.c_str());
            QCOMPARE(warm.lines.at(path)["cached"].get<bool>(), true);
        }

        const QStringList edited{m_copies["diff/base.h5"][0], m_copies["pickle/graph_p4.pkl"][0],
                                 m_text[0]};
        for (const auto& p : edited) {
            QFile f(p);
            QVERIFY(f.open(QIODevice::Append));
            QVERIFY(f.write("\n#edited\n") > 0);
        }
        const QStringList touched{m_copies["diff/base.h5"][1], m_text[1], m_corrupt[0]};
        for (const auto& p : touched) {
            struct stat st {};
            QVERIFY(::stat(p.toLocal8Bit().constData(), &st) == 0);
            const struct utimbuf times { st.st_atime, st.st_mtime + 100 };
            QVERIFY(::utime(p.toLocal8Bit().constData(), &times) == 0);
        }
        const QString copy = add("models/new_copy_of_graph_p4.pkl");
        QVERIFY(copyWritable(ckpt::test::fixture("pickle/graph_p4.pkl"), copy));

        const QString third = m_tmp.filePath("third.jsonl");
        r = scan({"--jsonl", third, "--cache", cache});
        QVERIFY2(r.exitCode == 2, qPrintable(info(r)));
        const auto after = ckpt::test::readScanOutput(third);
        QCOMPARE(count(after.summary, "files"), Count(kTreeFiles + 1));
        QCOMPARE(count(after.summary, "opened"), 3ull);
        QCOMPARE(count(after.summary, "cached"), Count(kTreeFiles + 1 - 3));
        QCOMPARE(count(after.summary, "hashed"), 7ull);
        for (const auto& p : edited) {
            const Json& line = after.lines.at(p.toStdString());
            QCOMPARE(line["cached"].get<bool>(), false);
            QVERIFY(line["sha256"] != m_first.lines.at(p.toStdString())["sha256"]);
        }
        for (const auto& p : touched) {
            const Json& line = after.lines.at(p.toStdString());
            QCOMPARE(line["cached"].get<bool>(), true);
            QVERIFY(stable(line) == stable(m_first.lines.at(p.toStdString())));
        }
        // A cached error names the file it is shown for.
        QVERIFY(after.lines.at(m_corrupt[0].toStdString())["errors"][0].get<std::string>().find(
                    m_corrupt[0].toStdString()) != std::string::npos);
        QCOMPARE(after.lines.at(copy.toStdString())["cached"].get<bool>(), true);
    }

    void anIndexIsReadAgainWhenAShardChanges() {
        // A shard index's verdict depends on its shards, not on its own bytes: it is never
        // served from the cache by its content (nor is an ONNX model's or a bundle's).
        QTemporaryDir dir;
        const QString model = dir.filePath("model");
        QVERIFY(QDir().mkpath(model));
        const QString st = ckpt::test::fixture("sharded/st");
        for (const QString& e : QDir(st).entryList(QDir::Files)) {
            QVERIFY(copyWritable(st + "/" + e, model + "/" + e));
        }
        const std::string index = (model + "/model.safetensors.index.json").toStdString();
        const QString cache = dir.filePath("cache");
        auto scanOnce = [&](const QString& out) {
            const auto r = ckpt::test::runMeasured(
                ckpt::test::cliPath(),
                {"scan", "--recursive", model, "--jsonl", out, "--cache", cache},
                int(ckpt::test::timeBudgetSeconds(60) * 1000));
            return ckpt::test::readScanOutput(out);
        };
        const auto first = scanOnce(dir.filePath("first.jsonl"));
        QVERIFY(first.lines.count(index) == 1);
        const Json before = first.lines.at(index);
        QCOMPARE(before["format"].get<std::string>(), std::string("sharded"));
        // One shard is cut in half; the index file itself is untouched.
        const QString shard = model + "/model-00002-of-00003.safetensors";
        QVERIFY(QFile::resize(shard, QFileInfo(shard).size() / 2));
        const auto second = scanOnce(dir.filePath("second.jsonl"));
        QVERIFY(second.lines.count(index) == 1);
        const Json after = second.lines.at(index);
        QCOMPARE(after["sha256"], before["sha256"]);
        QCOMPARE(after["cached"].get<bool>(), false);
        QVERIFY2(stable(after) != stable(before), after.dump().c_str());
        // The shards themselves are cached as any file: the two unchanged ones come from it.
        QCOMPARE(count(second.summary, "cached"), 2ull);
    }

    /// Every file of tests/fixtures/bad and ../shared/data/hostile in one scan: each ends as a
    /// line, the process is not killed, and it stays within time and memory.
    void hostileAndBadFilesEndAsLines() {
        QStringList dirs{ckpt::test::fixture("bad")};
        if (QDir(ckpt::test::hostileDataDir()).exists()) {
            dirs << ckpt::test::hostileDataDir();
        }
        int files = 0;
        for (const auto& d : dirs) {
            files += QDir(d).entryList(QDir::Files | QDir::Hidden).size();
        }
        QStringList args{"scan"};
        args << dirs << "--jobs"
             << "2";
        const auto r = ckpt::test::runMeasured(ckpt::test::cliPath(), args,
                                               int(ckpt::test::timeBudgetSeconds(120) * 1000));
        QVERIFY2(!r.timedOut && r.signal == 0 && r.exitCode == 2, qPrintable(info(r)));
        QVERIFY2(r.maxRssKiB < ckpt::test::memoryBudgetKiB(320 * 1024), qPrintable(info(r)));
        const auto out = ckpt::test::parseScanOutput(r.out);
        QCOMPARE(out.badLines, 0);
        QCOMPARE(int(out.lines.size()), files);
        QCOMPARE(count(out.summary, "files"), Count(files));
        // Nothing from a file reaches the terminal raw.
        for (const char c : r.out + r.err) {
            QVERIFY(static_cast<unsigned char>(c) >= 0x20 || c == '\n');
        }
    }

    void symlinksNeverLeadOutOfTheTree() {
        QTemporaryDir dir;
        const QString root = dir.filePath("root");
        QVERIFY(copyWritable(ckpt::test::fixture("pickle/graph_p4.pkl"), root + "/real.pkl"));
        QVERIFY(copyWritable(ckpt::test::fixture("diff/base.h5"), root + "/sub/inner.h5"));
        QVERIFY(copyWritable(ckpt::test::fixture("diff/base.h5"), dir.filePath("outside/o.h5")));
        QVERIFY(QFile::link("sub/inner.h5", root + "/link_in.h5"));
        QVERIFY(QFile::link(dir.filePath("outside/o.h5"), root + "/link_out.h5"));
        QVERIFY(QFile::link(dir.filePath("outside"), root + "/link_dir"));
        QVERIFY(QFile::link("../root", root + "/sub/loop"));
        QVERIFY(QFile::link("nowhere.h5", root + "/dangling.h5"));
        QVERIFY(::mkfifo((root + "/fifo").toLocal8Bit().constData(), 0600) == 0);

        auto r = ckpt::test::runMeasured(ckpt::test::cliPath(), {"scan", "-r", root}, 60000);
        QVERIFY2(r.exitCode == 0, qPrintable(info(r)));
        auto out = ckpt::test::parseScanOutput(r.out);
        const std::vector<std::string> expected{(root + "/link_in.h5").toStdString(),
                                                (root + "/real.pkl").toStdString(),
                                                (root + "/sub/inner.h5").toStdString()};
        QVERIFY2(out.order == expected, r.out.constData());
        QCOMPARE(count(out.summary, "skipped"), 5ull);
        for (const char* name : {"link_out.h5", "link_dir", "loop", "dangling.h5", "fifo"}) {
            QVERIFY2(r.err.contains(QByteArray("skipped ")) && r.err.contains(name), r.err);
        }
        QVERIFY(r.err.contains("outside"));

        // Its own outputs and cache inside the tree are never scanned (second run: they exist).
        for (int run = 0; run < 2; ++run) {
            r = ckpt::test::runMeasured(
                ckpt::test::cliPath(),
                {"scan", "-r", root, "--jsonl", root + "/own.jsonl", "--sarif", root + "/own.sarif",
                 "--cache", root + "/.cache"},
                60000);
            QVERIFY2(r.exitCode == 0, qPrintable(info(r)));
            QVERIFY(ckpt::test::readScanOutput(root + "/own.jsonl").order == expected);
        }

        // Without --recursive: the folder's own files only.
        QVERIFY(QFile::remove(root + "/own.jsonl") && QFile::remove(root + "/own.sarif"));
        r = ckpt::test::runMeasured(ckpt::test::cliPath(), {"scan", root}, 60000);
        out = ckpt::test::parseScanOutput(r.out);
        QCOMPARE(int(out.lines.size()), 2);
        QVERIFY(out.lines.count((root + "/sub/inner.h5").toStdString()) == 0);

        // A PATH that does not exist: exit 2, named on stderr, the others still scanned.
        r = ckpt::test::runMeasured(ckpt::test::cliPath(),
                                    {"scan", root + "/real.pkl", root + "/absent"}, 60000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("absent"));
        QCOMPARE(int(ckpt::test::parseScanOutput(r.out).lines.size()), 1);
    }

    void badUsage_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no path") << QStringList{"scan"};
        QTest::newRow("shard K = N") << QStringList{"scan", ".", "--shard", "3/3"};
        QTest::newRow("shard no slash") << QStringList{"scan", ".", "--shard", "3"};
        QTest::newRow("jobs 0") << QStringList{"scan", ".", "--jobs", "0"};
        QTest::newRow("jobs text") << QStringList{"scan", ".", "--jobs", "two"};
        QTest::newRow("merge + shard") << QStringList{"scan", "--merge", "a", "--shard", "0/2"};
        QTest::newRow("unknown option") << QStringList{"scan", ".", "--follow"};
        QTest::newRow("fail-on") << QStringList{"scan", ".", "--fail-on", "fatal"};
    }

    void badUsage() {
        QFETCH(QStringList, args);
        const auto r = ckpt::test::run(ckpt::test::cliPath(), args);
        QCOMPARE(r.exitCode, 64);
        QVERIFY2(r.err.contains("Usage: ckpt scan") || r.err.contains("--fail-on"), r.err);
        QVERIFY(r.out.isEmpty());
    }

    void helpStatesTheLineContract() {
        const auto r = ckpt::test::run(ckpt::test::cliPath(), {"scan", "--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* s : {"one JSON line per regular file", "null and checkpoint false",
                              "SHA-256", "--shard K/N", "--merge", "docs/scale-out.md"}) {
            QVERIFY2(r.out.contains(s), s);
        }
    }
};

QTEST_GUILESS_MAIN(TestCliScan)
#include "test_cli_scan.moc"
