// `ckpt scan` past one process: --shard K/N covers a tree exactly once, --merge joins shards
// into what one process writes (and refuses inputs that do not fit), the GNU parallel recipe
// of docs/scale-out.md run as written with two local workers, and the Kubernetes manifests of
// docs/k8s (their structure, and the commands their pods would run).

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "common/scan_lines.h"
#include "common/test_support.h"

using ckpt::core::Json;
using ckpt::test::count;
using ckpt::test::Count;
using ckpt::test::ScanOutput;
using ckpt::test::stable;

namespace {

const QStringList kSources = {"diff/base.h5",          "diff/k3_same.keras",
                              "diff/torch_state.pt",   "diff/torch_state.safetensors",
                              "gguf/v2.gguf",          "pickle/dill_locks.pkl",
                              "hostile/pty_spawn.pkl", "hostile/computed_rot13.pkl"};

bool put(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Runs `program args` with extra environment; returns exit code, stdout, stderr.
ckpt::test::RunResult runWithEnv(const QString& program, const QStringList& args,
                                 const QMap<QString, QString>& env) {
    QProcess p;
    auto e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it) {
        e.insert(it.key(), it.value());
    }
    p.setProcessEnvironment(e);
    p.start(program, args);
    ckpt::test::RunResult r;
    r.exitCode =
        p.waitForFinished(600000) && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -3;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// The content counts of a summary (not how the work was done: opened, cached, times).
Json contentCounts(const Json& s) {
    Json c;
    for (const char* k : {"files", "checkpoints", "not_checkpoints", "unreadable", "bytes",
                          "findings", "suppressed", "config", "exit_code"}) {
        c[k] = s.contains(k) ? s[k] : Json();
    }
    return c;
}

}  // namespace

class TestCliScanScaleout : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_tree;
    ScanOutput m_single;
    int m_singleExit = -1;

    /// Checks that `shards` cover m_single's files exactly once.
    void checkCoverage(const std::vector<ScanOutput>& shards) {
        std::map<std::string, int> seen;
        for (const auto& s : shards) {
            QCOMPARE(s.summaryLines, 1);
            QVERIFY2(!s.lines.empty(), "a shard is empty: the hash does not spread");
            for (const auto& [path, line] : s.lines) {
                ++seen[path];
                QVERIFY2(m_single.lines.count(path) == 1, path.c_str());
                QVERIFY2(stable(line) == stable(m_single.lines.at(path)),
                         (line.dump() + "\n" + m_single.lines.at(path).dump()).c_str());
            }
        }
        QCOMPARE(seen.size(), m_single.lines.size());
        for (const auto& [path, n] : seen) {
            QVERIFY2(n == 1, path.c_str());
        }
    }

    /// Checks that a merged output equals the single-process scan (times and origin aside).
    void checkEqualsSingle(const ScanOutput& merged) {
        QCOMPARE(merged.summaryLines, 1);
        QVERIFY(merged.order == m_single.order);
        for (const auto& [path, line] : m_single.lines) {
            QVERIFY2(stable(merged.lines.at(path)) == stable(line), path.c_str());
        }
        QVERIFY2(contentCounts(merged.summary) == contentCounts(m_single.summary),
                 (merged.summary.dump() + "\n" + m_single.summary.dump()).c_str());
    }

    ckpt::test::RunResult ckpt(const QStringList& args) {
        return ckpt::test::run(ckpt::test::cliPath(), args, 300000);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_tree = m_tmp.filePath("tree");
        for (int i = 0; i < 120; ++i) {
            const QString& src = kSources[i % kSources.size()];
            const QByteArray bytes = readAll(ckpt::test::fixture(src));
            QVERIFY2(!bytes.isEmpty(), qPrintable(src));
            const QString dir = QString("%1/d%2/e%3").arg(m_tree).arg(i % 5).arg(i % 3);
            const QString name = QString("f%1_%2").arg(i).arg(QFileInfo(src).fileName());
            // Every 10th file is cut in half (corrupt), every 15th is plain text.
            const QByteArray content = i % 15 == 0   ? QByteArray("notes ") + QByteArray::number(i)
                                       : i % 10 == 0 ? bytes.left(bytes.size() / 2)
                                                     : bytes;
            QVERIFY(put(dir + "/" + name, content));
        }
        const QString single = m_tmp.filePath("single.jsonl");
        const auto r = ckpt(
            {"scan", "-r", m_tree, "--jsonl", single, "--sarif", m_tmp.filePath("single.sarif")});
        m_singleExit = r.exitCode;
        QVERIFY2(r.exitCode == 2, r.err.constData());
        m_single = ckpt::test::readScanOutput(single);
        QCOMPARE(int(m_single.lines.size()), 120);
    }

    void shardsCoverTheTreeOnceAndMerge() {
        std::vector<ScanOutput> shards;
        QStringList merge{"scan", "--merge"};
        for (int k = 0; k < 3; ++k) {
            const QString out = m_tmp.filePath(QString("s3-%1.jsonl").arg(k));
            const auto r = ckpt({"scan", "-r", m_tree, "--shard", QString("%1/3").arg(k), "--jsonl",
                                 out, "--jobs", "2"});
            QVERIFY2(r.exitCode >= 0 && r.exitCode <= 2, r.err.constData());
            shards.push_back(ckpt::test::readScanOutput(out));
            QCOMPARE(shards.back().summary["shard"]["index"].get<int>(), k);
            merge << out;
        }
        checkCoverage(shards);
        // Any order of the inputs gives the same result.
        std::swap(merge[2], merge[4]);
        const QString merged = m_tmp.filePath("merged3.jsonl");
        const QString sarif = m_tmp.filePath("merged3.sarif");
        const auto r = ckpt(merge << "--jsonl" << merged << "--sarif" << sarif);
        QCOMPARE(r.exitCode, m_singleExit);
        checkEqualsSingle(ckpt::test::readScanOutput(merged));
        const Json a = Json::parse(readAll(sarif).toStdString());
        const Json b = Json::parse(readAll(m_tmp.filePath("single.sarif")).toStdString());
        QVERIFY(!a["runs"][0]["results"].empty());
        QVERIFY(a["runs"][0]["results"] == b["runs"][0]["results"]);
        QVERIFY(a["runs"][0]["tool"] == b["runs"][0]["tool"]);
    }

    void mergeRefusesWhatDoesNotFit() {
        QStringList shards;
        for (int k = 0; k < 2; ++k) {
            shards << m_tmp.filePath(QString("s2-%1.jsonl").arg(k));
            QVERIFY(ckpt({"scan", "-r", m_tree, "--shard", QString("%1/2").arg(k), "--jsonl",
                          shards.back()})
                        .exitCode <= 2);
        }
        const QString out = m_tmp.filePath("refused.jsonl");
        const auto refused = [&](QStringList inputs, int code, const char* says) {
            const auto r = ckpt(QStringList{"scan", "--merge"} << inputs << "--jsonl" << out);
            QVERIFY2(r.exitCode == code, r.err.constData());
            QVERIFY2(r.err.contains(says), r.err.constData());
            QVERIFY2(!QFile::exists(out), "a refused merge wrote its output");
        };
        refused({shards[0], shards[0], shards[1]}, 64, "both shard 0/2");
        refused({shards[1]}, 64, "shard(s) 0/2 missing");
        refused({shards[0], m_tmp.filePath("s3-1.jsonl")}, 64, "only shards of one split");
        refused({m_tmp.filePath("single.jsonl"), m_tmp.filePath("single.jsonl")}, 64, "both hold");
        // A shard cut short (its worker died): no summary line.
        QByteArray cut = readAll(shards[1]);
        cut.truncate(cut.lastIndexOf("{\"summary\""));
        const QString cutFile = m_tmp.filePath("cut.jsonl");
        QVERIFY(put(cutFile, cut));
        refused({shards[0], cutFile}, 2, "no summary line");
        refused({shards[0], m_tmp.filePath("absent.jsonl")}, 2, "cannot read");
        // The two fitting shards merge.
        const auto r = ckpt(QStringList{"scan", "--merge"} << shards << "--jsonl" << out);
        QCOMPARE(r.exitCode, m_singleExit);
        checkEqualsSingle(ckpt::test::readScanOutput(out));
    }

    /// docs/scale-out.md's recipe, as written, with two local workers (parallel -j2, shards
    /// 0/2 and 1/2): the merged result equals the single-process scan.
    void gnuParallelRecipe() {
        if (QStandardPaths::findExecutable("parallel").isEmpty()) {
            QSKIP("GNU parallel is not installed (scripts/setup.sh installs Debian's parallel)");
        }
        const QByteArray doc = readAll(QStringLiteral(CKPT_SOURCE_DIR "/docs/scale-out.md"));
        const auto begin = doc.indexOf("<!-- recipe:begin -->");
        const auto end = doc.indexOf("<!-- recipe:end -->");
        QVERIFY(begin >= 0 && end > begin);
        QByteArray block = doc.mid(begin, end - begin);
        block = block.mid(block.indexOf("```sh\n") + 6);
        block.truncate(block.lastIndexOf("```"));
        QVERIFY(block.contains("--sshlogin") && block.contains("--merge"));
        const QString script = m_tmp.filePath("recipe.sh");
        QVERIFY(put(script, "set -u\n" + block));
        const QString out = m_tmp.filePath("parallel-out");
        const auto r = runWithEnv("bash", {script},
                                  {{"CKPT", ckpt::test::cliPath()},
                                   {"TREE", m_tree},
                                   {"OUT", out},
                                   {"N", "2"},
                                   {"SSHLOGIN", ":"},
                                   {"JOBS", "2"}});
        QVERIFY2(r.exitCode == m_singleExit, (r.out + r.err).constData());
        QVERIFY(QFile::exists(out + "/shard-0.jsonl") && QFile::exists(out + "/shard-1.jsonl"));
        checkCoverage({ckpt::test::readScanOutput(out + "/shard-0.jsonl"),
                       ckpt::test::readScanOutput(out + "/shard-1.jsonl")});
        checkEqualsSingle(ckpt::test::readScanOutput(out + "/scan.jsonl"));
        QVERIFY(Json::parse(readAll(out + "/scan.sarif").toStdString())["runs"].size() == 1);
    }

    /// docs/k8s: an Indexed Job whose N pods each scan shard $JOB_COMPLETION_INDEX/N, and a
    /// merge Job; the commands they would run, run here, give the single-process result.
    void kubernetesManifests() {
        const QString k8s = QStringLiteral(CKPT_SOURCE_DIR "/docs/k8s/");
        const auto load = [&](const QString& file) {
            const auto r =
                ckpt::test::run(ckpt::test::systemPython(),
                                {"-c",
                                 "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all("
                                 "open(sys.argv[1])))))",
                                 k8s + file});
            return r.exitCode == 0 ? Json::parse(r.out.toStdString()) : Json();
        };
        const Json scanDocs = load("scan-job.yaml");
        if (scanDocs.is_null()) {
            QSKIP("python3-yaml is not installed (scripts/setup.sh installs it)");
        }
        QCOMPARE(int(scanDocs.size()), 1);
        const Json& job = scanDocs[0];
        QVERIFY(job["apiVersion"] == "batch/v1");
        QVERIFY(job["kind"] == "Job");
        QVERIFY(job["spec"]["completionMode"] == "Indexed");
        const int n = job["spec"]["completions"].get<int>();
        QVERIFY(n >= 2);
        const Json& pod = job["spec"]["template"]["spec"];
        QVERIFY(pod["restartPolicy"] == "Never");
        const Json& container = pod["containers"][0];
        QVERIFY(container["command"].size() == 3 && container["command"][0] == "sh");
        QString script = QString::fromStdString(container["command"][2].get<std::string>());
        QVERIFY2(script.contains(QString("--shard \"$JOB_COMPLETION_INDEX/%1\"").arg(n)),
                 qPrintable(script));
        QVERIFY(script.contains("shard-$JOB_COMPLETION_INDEX.jsonl"));
        QStringList mounts;
        for (const auto& m : container["volumeMounts"]) {
            mounts << QString::fromStdString(m["mountPath"].get<std::string>());
        }
        QCOMPARE(mounts, (QStringList{"/models", "/out"}));

        const Json mergeDocs = load("merge-job.yaml");
        QCOMPARE(int(mergeDocs.size()), 1);
        QVERIFY(mergeDocs[0]["kind"] == "Job");
        QVERIFY(!mergeDocs[0]["spec"].contains("completionMode"));
        const Json& mergeContainer = mergeDocs[0]["spec"]["template"]["spec"]["containers"][0];
        QString mergeScript =
            QString::fromStdString(mergeContainer["command"][2].get<std::string>());
        QVERIFY(mergeScript.contains("--merge /out/shard-*.jsonl"));

        // The pods' commands, with the volumes mapped to folders here and ckpt on PATH.
        const QString out = m_tmp.filePath("k8s-out");
        QVERIFY(QDir().mkpath(out));
        const auto local = [&](QString s) {
            return s.replace("/models", m_tree).replace("/out", out);
        };
        const QString path =
            QFileInfo(ckpt::test::cliPath()).path() + ":" + QString::fromLocal8Bit(qgetenv("PATH"));
        std::vector<ScanOutput> shards;
        for (int k = 0; k < n; ++k) {
            const auto r =
                runWithEnv("sh", {"-c", local(script)},
                           {{"JOB_COMPLETION_INDEX", QString::number(k)}, {"PATH", path}});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            shards.push_back(ckpt::test::readScanOutput(out + QString("/shard-%1.jsonl").arg(k)));
        }
        checkCoverage(shards);
        const auto r = runWithEnv("sh", {"-c", local(mergeScript)}, {{"PATH", path}});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        checkEqualsSingle(ckpt::test::readScanOutput(out + "/scan.jsonl"));
        QVERIFY(QFile::exists(out + "/scan.sarif"));
        // Without all N shards the merge Job fails and leaves no scan.jsonl.
        QVERIFY(QFile::remove(out + QString("/shard-%1.jsonl").arg(n - 1)));
        const auto missing = runWithEnv("sh", {"-c", local(mergeScript)}, {{"PATH", path}});
        QVERIFY(missing.exitCode != 0);
        QVERIFY(!QFile::exists(out + "/scan.jsonl"));
    }
};

QTEST_GUILESS_MAIN(TestCliScanScaleout)
#include "test_cli_scan_scaleout.moc"
