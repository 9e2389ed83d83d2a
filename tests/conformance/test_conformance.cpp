// One set of rules for every reader (issue 13). Rows come from the reader registry and the samples
// of conformance_samples.h. For each sample: a file of another family gets probe 0; truncations
// (every byte up to 4 KiB, else 256 spread cuts plus structural boundaries) and seeded bit flips,
// inserts and deletes each end in a valid open or a typed core error that names the file and the
// format, within 2 s, never a crash, never a change to the input; the same mutants go through
// `ckpt info`, `info --json`, `tensors`, `validate`, `validate --format json` and
// `diff original mutant` (the CLI's own code, in-process). Cases run in forked children.
//
// Environment: CKPT_CONFORMANCE_EDITS (random edits per sample; default 150, the issue's full
// count is 1000), CKPT_CONFORMANCE_STRIDE (the commands run on every Nth truncation; default 8),
// CKPT_CONFORMANCE_FULL=1 (1000 edits and every command on every truncation),
// CKPT_CONFORMANCE_TIME_SCALE (multiplies the time limits; the sanitized build uses 4),
// CKPT_CONFORMANCE_ONLY (substring of the sample paths to run).

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <new>
#include <sstream>

#include "app/cli/cli.h"
#include "common/test_support.h"
#include "conformance/case_runner.h"
#include "conformance/conformance_samples.h"
#include "conformance/mutations.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/util/error.h"

using namespace ckpt::conformance;
namespace core = ckpt::core;

namespace {

constexpr double kCaseSeconds = 2.0;  // the issue's limit for one command on one mutant

std::vector<char> readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray b = f.readAll();
    return {b.begin(), b.end()};
}

QByteArray treeHash(const QString& path) {
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (QFileInfo(path).isDir()) {
        for (const QString& e : QDir(path).entryList(QDir::Files, QDir::Name)) {
            QFile f(path + "/" + e);
            if (f.open(QIODevice::ReadOnly)) {
                h.addData(e.toUtf8());
                h.addData(&f);
            }
        }
    } else if (QFile f(path); f.open(QIODevice::ReadOnly)) {
        h.addData(&f);
    }
    return h.result();
}

std::size_t envCount(const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::size_t(std::strtoull(v, nullptr, 10)) : fallback;
}
bool fullRun() {
    return envCount("CKPT_CONFORMANCE_FULL", 0) != 0;
}

/// Errors that legitimately name no format: no reader recognised the bytes, or the file itself
/// could not be read (a folder whose model JSON is damaged is "not a regular file").
bool unrecognised(const core::Error& e) {
    if (dynamic_cast<const core::IoError*>(&e) != nullptr) {
        return true;
    }
    const std::string& m = e.message();
    return m.rfind("not a checkpoint format I know", 0) == 0 ||
           m.rfind("an HDF5 file, but not", 0) == 0 || m.rfind("a zip archive, but not", 0) == 0 ||
           m.rfind("a folder, but not", 0) == 0;
}

struct Row {
    const Sample* sample = nullptr;
    QString original;         // the sample (file or folder)
    QString target;           // the file the child opens: a copy of the file, or of the folder
    QString mutated;          // the file mutations are written to (target itself, or its member)
    std::vector<char> bytes;  // what mutations start from
};

/// Runs one CLI command in-process; returns the broken rules.
void cliRule(const char* what, std::vector<std::string> argv, const std::string& input,
             bool mayDiffer, std::vector<std::string>& broken) {
    argv.insert(argv.begin(), "ckpt");
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    std::ostringstream out, err;
    const auto t0 = std::chrono::steady_clock::now();
    int code = -1;
    try {
        code = ckpt::cli::run(int(args.size()), args.data(), out, err);
    } catch (const std::bad_alloc&) {
        broken.push_back(std::string(what) + ": out of memory (std::bad_alloc escaped)");
        return;
    } catch (const std::exception& e) {
        broken.push_back(std::string(what) + ": untyped exception escaped: " + e.what());
        return;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    caseProgress();
    if (s > kCaseSeconds * timeScale()) {
        broken.push_back(std::string(what) + " took " + std::to_string(s) + " s");
    }
    if (code == 2) {
        if (err.str().find(input) == std::string::npos) {
            broken.push_back(std::string(what) + ": exit 2 without naming the file: " + err.str());
        }
    } else if (code != 0 && !(mayDiffer && code == 1)) {
        broken.push_back(std::string(what) + ": exit " + std::to_string(code) + ": " + err.str());
    }
}

/// Every rule for one mutant already written to row.mutated. A line starting with '#' is a note
/// for the statistics, not a broken rule.
std::vector<std::string> checkMutant(const Row& row, const std::vector<char>& mutant,
                                     bool withCommands) {
    std::vector<std::string> broken;
    const std::string input = row.target.toStdString();
    const auto t0 = std::chrono::steady_clock::now();
    try {
        (void)core::openCheckpoint(std::filesystem::path(input));
    } catch (const core::Error& e) {
        if (e.context().file.empty() || std::string(e.what()).find(input) == std::string::npos) {
            broken.push_back(std::string("open: the error names no file: ") + e.what());
        }
        if (e.context().format.empty() && !unrecognised(e)) {
            broken.push_back(std::string("open: the error names no format: ") + e.what());
        }
        if (e.context().location.empty() && !e.context().offset.has_value()) {
            broken.push_back("#unlocated " + e.message());
        }
        broken.push_back("#error");
    } catch (const std::bad_alloc&) {
        broken.push_back("open: out of memory (std::bad_alloc escaped)");
    } catch (const std::exception& e) {
        broken.push_back(std::string("open: untyped exception: ") + e.what());
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    caseProgress();
    if (s > kCaseSeconds * timeScale()) {
        broken.push_back("open took " + std::to_string(s) + " s");
    }
    if (withCommands) {
        const std::string orig = row.original.toStdString();
        cliRule("info", {"info", input}, input, false, broken);
        cliRule("info --json", {"info", "--json", input}, input, false, broken);
        cliRule("tensors", {"tensors", input}, input, false, broken);
        cliRule("validate", {"validate", input}, input, true, broken);
        cliRule("validate --format json", {"validate", "--format", "json", input}, input, true,
                broken);
        cliRule("diff", {"diff", orig, input}, input, true, broken);
    }
    if (readAll(row.mutated) != mutant) {
        broken.push_back("the input file changed");
    }
    return broken;
}

}  // namespace

class TestConformance : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::map<std::string, QByteArray> m_originalHashes;

    static bool selected(const Sample& s) {
        const char* only = std::getenv("CKPT_CONFORMANCE_ONLY");
        return !only || std::string(s.path).find(only) != std::string::npos;
    }

    static void sampleRows() {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < samples().size(); ++i) {
            if (selected(samples()[i])) {
                QTest::newRow(samples()[i].path) << int(i);
            }
        }
    }

    /// Prepares the copy that mutants are written to; skips when the sample is absent.
    bool prepare(int index, Row& row) {
        row.sample = &samples()[std::size_t(index)];
        row.original = samplePath(*row.sample);
        if (row.original.isEmpty()) {
            return false;
        }
        const QString dir = m_tmp.filePath(QString::number(index));
        QDir().mkpath(dir);
        const QFileInfo info(row.original);
        row.target = dir + "/" + info.fileName();
        if (info.isDir()) {
            QDir().mkpath(row.target);
            for (const QString& e : QDir(row.original).entryList(QDir::Files)) {
                QFile::remove(row.target + "/" + e);
                QFile::copy(row.original + "/" + e, row.target + "/" + e);
            }
            row.mutated = row.target + "/" + QString::fromUtf8(row.sample->member);
        } else {
            row.mutated = row.target;
        }
        row.bytes =
            readAll(row.sample->member ? row.original + "/" + row.sample->member : row.original);
        m_originalHashes[row.sample->path] = treeHash(row.original);
        return !row.bytes.empty();
    }

    /// Runs the mutations of one row and reports: new failures fail the test, known ones are
    /// listed with their issue.
    void runRow(Row& row, const std::vector<Mutation>& mutations, std::size_t commandStride) {
        const auto t0 = std::chrono::steady_clock::now();
        auto check = [&](std::size_t i) {
            const std::vector<char> mutant = mutations[i].apply(row.bytes);
            {
                std::ofstream f(row.mutated.toStdString(), std::ios::binary | std::ios::trunc);
                f.write(mutant.data(), std::streamsize(mutant.size()));
            }
            return checkMutant(row, mutant, i % commandStride == 0);
        };
        // Each step of a case reports progress; a step silent for 3x its limit is a hang.
        const double hang = 3.0 * kCaseSeconds * timeScale();
        const auto failures = runCases(mutations.size(), check, hang);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

        QStringList fresh, known;
        std::map<std::string, std::pair<int, QString>> knownCounts;  // issue -> count, example
        const QString saveDir = QDir::temp().filePath("ckpt-conformance-failures");
        int errors = 0, unlocated = 0;
        std::string unlocatedExample;
        for (const auto& f : failures) {
            if (f.text == "#error") {
                ++errors;
                continue;
            }
            if (f.text.rfind("#unlocated", 0) == 0) {
                unlocatedExample = unlocated++ ? unlocatedExample : f.text.substr(11);
                continue;
            }
            const Mutation& m = mutations[f.index];
            const KnownIssue* issue = nullptr;
            for (const auto& k : knownIssues()) {
                if (k.family == row.sample->family && f.text.find(k.failure) != std::string::npos) {
                    issue = &k;
                    break;
                }
            }
            const QString line = QString::fromStdString(m.describe() + ": " + f.text);
            if (issue) {
                auto& [n, example] = knownCounts[issue->issue];
                example = n++ ? example : line;
                known << line;
                continue;
            }
            // Keep the reproducer of a new failure where a person can find it.
            QDir().mkpath(saveDir);
            const QString name =
                QString::fromUtf8(row.sample->path).replace('/', '_').replace(':', '_') +
                QString(".case%1").arg(f.index);
            QFile out(saveDir + "/" + name);
            if (out.open(QIODevice::WriteOnly)) {
                const auto bytes = m.apply(row.bytes);
                out.write(bytes.data(), qint64(bytes.size()));
            }
            fresh << line + "  [saved as " + saveDir + "/" + name + "]";
        }
        qInfo(
            "%s: %zu cases in %.1f s (%.1f ms each), %d open errors (%d without offset or member), "
            "%lld new failures, %lld known",
            row.sample->path, mutations.size(), s, 1000.0 * s / double(mutations.size()), errors,
            unlocated, qlonglong(fresh.size()), qlonglong(known.size()));
        if (unlocated > 0) {
            qInfo("  e.g. unlocated: %s", unlocatedExample.c_str());
        }
        for (const auto& [issue, seen] : knownCounts) {
            qInfo("  known (%d): %s, e.g. %s", seen.first, issue.c_str(), qPrintable(seen.second));
        }
        QVERIFY2(treeHash(row.original) == m_originalHashes[row.sample->path],
                 "the original sample changed");
        QVERIFY2(fresh.isEmpty(), qPrintable(QString("%1 of %2 cases broke a rule:\n  ")
                                                 .arg(fresh.size())
                                                 .arg(mutations.size()) +
                                             fresh.mid(0, 12).join("\n  ")));
    }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    // A new reader joins by registering a committed sample (not only a real file, which CI may
    // lack).
    void everyReaderHasASample() {
        for (const core::Reader* r : core::readers()) {
            bool found = false;
            for (const auto& s : samples()) {
                found |= std::string_view(s.reader) == r->id() &&
                         std::string_view(s.path).substr(0, 5) != "real:";
            }
            QVERIFY2(
                found,
                qPrintable("reader '" + QString::fromUtf8(r->id().data(), int(r->id().size())) +
                           "' has no sample in tests/conformance/conformance_samples.h"));
        }
    }

    void sampleOpensWithItsReader_data() { sampleRows(); }
    void sampleOpensWithItsReader() {
        QFETCH(int, index);
        const Sample& s = samples()[std::size_t(index)];
        const QString path = samplePath(s);
        if (path.isEmpty()) {
            QSKIP("real data absent");
        }
        const auto c = core::openCheckpoint(std::filesystem::path(path.toStdString()));
        QVERIFY(c != nullptr);
        if (s.family != Family::Folder) {
            core::ProbeContext ctx(core::FileSource::open(path.toStdString()), path.toStdString());
            const core::Reader* r = core::detectReader(ctx);
            QVERIFY(r != nullptr);
            QCOMPARE(std::string(r->id()), std::string(s.reader));
        }
    }

    // Every reader answers 0, without throwing, for each sample of another family.
    void foreignFilesProbeZero_data() {
        QTest::addColumn<QString>("reader");
        for (const core::Reader* r : core::readers()) {
            const std::string id(r->id());
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
        }
    }
    void foreignFilesProbeZero() {
        QFETCH(QString, reader);
        const core::Reader* r = nullptr;
        for (const core::Reader* c : core::readers()) {
            r = QString::fromUtf8(c->id().data(), int(c->id().size())) == reader ? c : r;
        }
        QVERIFY(r != nullptr);
        std::vector<Family> own;
        for (const auto& s : samples()) {
            if (reader == s.reader) {
                own.push_back(s.family);
            }
        }
        int checked = 0;
        for (const auto& s : samples()) {
            const QString path = samplePath(s);
            if (path.isEmpty() || s.family == Family::Folder ||
                std::find(own.begin(), own.end(), s.family) != own.end()) {
                continue;
            }
            core::ProbeContext ctx(core::FileSource::open(path.toStdString()), path.toStdString());
            int score = -1;
            try {
                score = r->probe(ctx);
            } catch (const std::exception& e) {
                QFAIL(qPrintable(reader + " probe threw on " + path + ": " + e.what()));
            }
            QVERIFY2(score == 0,
                     qPrintable(reader + " probes " + QString::number(score) + " for " + path));
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    void truncations_data() { sampleRows(); }
    void truncations() {
        QFETCH(int, index);
        if (envCount("CKPT_CONFORMANCE_QUICK", 0) != 0) {
            QSKIP("run by the CTest test conformance/truncations");
        }
        Row row;
        if (!prepare(index, row)) {
            QSKIP("sample absent (real data not here)");
        }
        auto cuts = ckpt::conformance::truncations(row.bytes);
        // Every cut is opened (every CKPT_CONFORMANCE_CUT_STRIDE-th under the sanitizers, whose
        // run repeats what the normal build covers whole); the six commands run on every 8th
        // opened cut (CKPT_CONFORMANCE_STRIDE; every cut in a full run).
        if (const std::size_t keep = envCount("CKPT_CONFORMANCE_CUT_STRIDE", 1); keep > 1) {
            std::vector<ckpt::conformance::Mutation> kept;
            for (std::size_t i = 0; i < cuts.size(); i += keep) {
                kept.push_back(cuts[i]);
            }
            cuts = std::move(kept);
        }
        runRow(row, cuts,
               std::max<std::size_t>(1, envCount("CKPT_CONFORMANCE_STRIDE", fullRun() ? 1 : 8)));
    }

    void edits_data() { sampleRows(); }
    void edits() {
        QFETCH(int, index);
        if (envCount("CKPT_CONFORMANCE_QUICK", 0) != 0) {
            QSKIP("run by the CTest test conformance/edits");
        }
        Row row;
        if (!prepare(index, row)) {
            QSKIP("sample absent (real data not here)");
        }
        const std::size_t n = envCount("CKPT_CONFORMANCE_EDITS", fullRun() ? 1000 : 150);
        std::uint64_t seed =
            1469598103934665603ull;  // FNV-1a of the path: the same on every machine
        for (const char* c = row.sample->path; *c; ++c) {
            seed = (seed ^ std::uint8_t(*c)) * 1099511628211ull;
        }
        runRow(row, randomEdits(row.bytes, n, seed), 1);
    }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "test_conformance.moc"
