// Every `ckpt export` option × every target format × a source of each kind: the option takes
// effect (counted in the written file, read back with our readers and with h5py, torch and a
// spec reading of safetensors through /usr/bin/python3), or the command is refused with exit 64 and
// nothing is written. The --dry-run plan (the export dialog's preview) counts what the export then
// writes.

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <set>

#include "common/test_support.h"
#include "core/export/export_common.h"
#include "core/export/export_plan.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/json.h"

using ckpt::core::ExportFormat;
using ckpt::core::ExportOption;
using ckpt::core::Json;

namespace {

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return ckpt::test::run(ckpt::test::cliPath(), args, 120000);
}

const std::vector<ExportFormat>& formats() {
    return ckpt::core::allExportFormats();
}

struct Variant {
    QString name;
    QStringList args;
    std::optional<ExportOption> option;
};

/// Tensor paths in an exported file (a bundle: its weights file), by our readers.
std::vector<std::string> writtenPaths(const QString& out, ExportFormat format) {
    const QString file = format == ExportFormat::Bundle ? out + "/model.weights.h5" : out;
    const auto back = ckpt::core::openCheckpoint(std::filesystem::path(file.toStdString()));
    std::vector<std::string> paths;
    for (const auto* n : back->tensorNodes()) {
        paths.push_back(n->path());
    }
    return paths;
}

/// Counts tensors in files with Python: h5py (the .keras archive's weights member too),
/// torch.load, and safetensors parsed with numpy as its spec says (Debian 12
/// has no safetensors package). Lines of
/// "kind<TAB>path<TAB>expected"; returns the lines whose count differs, or the Python error.
QString checkWithPython(const QStringList& lines) {
    static const char* script = R"PY(
import io, pickle, sys, zipfile
bad = []
def h5count(f):
    import h5py
    n = []
    with h5py.File(f, "r") as h:
        h.visititems(lambda k, v: n.append(k) if isinstance(v, h5py.Dataset) else None)
    return len(n)
def tcount(v):
    import torch
    if isinstance(v, torch.Tensor):
        return 1
    if isinstance(v, dict):
        return sum(tcount(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return sum(tcount(x) for x in v)
    return 0
for line in sys.stdin.read().splitlines():
    kind, path, expected = line.split("\t")
    if kind == "safetensors":
        # No safetensors package on Debian 12: the format read with numpy, as its spec says.
        import json, struct, numpy as np
        with open(path, "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n])
        header.pop("__metadata__", None)
        sizes = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                 "I8": 1, "U8": 1, "U16": 2, "U32": 4, "U64": 8, "BOOL": 1, "C64": 8}
        end = 0
        for name, t in header.items():
            lo, hi = t["data_offsets"]
            assert hi - lo == sizes[t["dtype"]] * int(np.prod(t["shape"], dtype=np.int64)), name
            end = max(end, hi)
        assert 8 + n + end == len(data), path
        got = len(header)
    elif kind == "h5":
        got = h5count(path)
    elif kind == "keras":
        with zipfile.ZipFile(path) as z:
            got = h5count(io.BytesIO(z.read("model.weights.h5")))
    elif kind == "torch":
        import torch
        try:
            v = torch.load(path, weights_only=True)
        except pickle.UnpicklingError:
            # This torch's weights-only loader refuses floats (BINFLOAT) that the source already
            # had; the file comes from our own fixture, so the full loader may read it.
            v = torch.load(path, weights_only=False)
        got = tcount(v)
    else:
        continue
    if got != int(expected):
        bad.append("%s: %s tensors, expected %s" % (path, got, expected))
print("\n".join(bad))
)PY";
    QProcess p;
    p.start(ckpt::test::systemPython(), {"-c", QString::fromUtf8(script)});
    p.write(lines.join("\n").toUtf8());
    p.closeWriteChannel();
    if (!p.waitForFinished(300000) || p.exitCode() != 0) {
        return QString::fromUtf8(p.readAllStandardError());
    }
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

QString pythonKind(const QString& source, ExportFormat format) {
    switch (format) {
        case ExportFormat::Safetensors:
            return "safetensors";
        case ExportFormat::KerasH5:
        case ExportFormat::WeightsH5:
        case ExportFormat::Bundle:
            return "h5";
        case ExportFormat::Keras:
            return "keras";
        case ExportFormat::Pickle:
            return source.endsWith(".pt") ? "torch" : "";
    }
    return {};
}

}  // namespace

class TestCliExportOptions : public QObject {
    Q_OBJECT

private slots:
    void everyOptionEveryFormat_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("glob");  // matches some but not all tensors
        const QString fx = ckpt::test::fixtureDir();
        QTest::newRow("keras-h5 full + Adam") << fx + "/keras/k2_vlen_functional.h5"
                                              << "*kernel*";
        QTest::newRow("keras-h5 weights") << fx + "/keras/k2_weights_only.h5"
                                          << "*kernel*";
        QTest::newRow("keras3 .keras") << fx + "/keras/k3_model.keras"
                                       << "*dense*";
        QTest::newRow("keras3 .weights.h5") << fx + "/keras/k3_model.weights.h5"
                                            << "*dense_1*";
        QTest::newRow("torch training checkpoint") << fx + "/py/torch_train_ckpt.pt"
                                                   << "model/*";
        QTest::newRow("torch legacy") << fx + "/py/torch_sd_legacy.pt"
                                      << "*weight*";
        QTest::newRow("safetensors") << fx + "/diff/torch_state.safetensors"
                                     << "*weight*";
        QTest::newRow("dill locks and lambdas") << fx + "/py/dill_all.pkl"
                                                << "*";
        QTest::newRow("joblib") << fx + "/py/joblib_plain.joblib"
                                << "*";
        QTest::newRow("pickled keras3 model") << fx + "/py/keras3_pickled_model.pkl"
                                              << "*dense*";
        QTest::newRow("KerasClassifier") << fx + "/py/keras_wrapper_classifier.pkl"
                                         << "*dense*";
        const QString real = ckpt::test::realDataDir();
        // The real files are of the kinds above: the sanitized build (every export a process
        // of its own under ASan) leaves them to the normal build.
        if (!real.isEmpty() && !ckpt::test::kSanitizedBuild) {
            // Keras 3.8 writing the legacy format: 6 model tensors and 14 optimizer weights.
            QTest::newRow("real keras-h5 full")
                << real + "/keras_h5_full/02tanishk__ANN-Classfication__model.h5"
                << "*kernel*";
            QTest::newRow("real torch")
                << real + "/torch/AntoniaSophia__DRLND_BananaCollector__checkpoint_reward_15.pth"
                << "*weight*";
        }
    }

    void everyOptionEveryFormat() {
        QFETCH(QString, source);
        QFETCH(QString, glob);
        QVERIFY2(QFile::exists(source), qPrintable(source));
        const auto checkpoint =
            ckpt::core::openCheckpoint(std::filesystem::path(source.toStdString()));
        std::size_t optimizerTensors = 0;
        for (const auto* n : checkpoint->tensorNodes()) {
            optimizerTensors += ckpt::core::isOptimizerStatePath(n->path()) ? 1 : 0;
        }
        const std::vector<Variant> variants{
            {"plain", {}, std::nullopt},
            {"no-optimizer", {"--no-optimizer"}, ExportOption::NoOptimizer},
            {"tensors", {"--tensors", glob}, ExportOption::TensorGlob},
            {"replace-with-none", {"--replace-with-none"}, ExportOption::ReplaceWithNone},
            {"drop-flagged", {"--drop-flagged"}, ExportOption::DropFlagged},
        };
        QTemporaryDir dir;
        QStringList pythonChecks;
        int exported = 0;
        for (ExportFormat format : formats()) {
            const auto fit = ckpt::core::exportFormatFit(*checkpoint, format);
            const QString fname = QString::fromStdString(ckpt::core::exportFormatName(format));
            std::optional<std::size_t> plain;
            std::size_t plainCleaned = 0;
            std::size_t plainOptimizer = 0;  // optimizer tensors the plain export wrote
            for (const Variant& v : variants) {
                const QString what = QStringLiteral("%1 -> %2 %3").arg(source, fname, v.name);
                const QString out = dir.filePath(
                    fname + "_" + v.name + "_out" +
                    (format == ExportFormat::Pickle
                         ? QString::fromStdString(ckpt::core::exportExtension(*checkpoint, format))
                         : QString()));
                QStringList args{"export", source, "-o", out, "--format", fname, "--json"};
                args += v.args;
                const bool applies =
                    !v.option || ckpt::core::exportOptionApplies(*v.option, format);
                const auto r = runCkpt(args);
                if (!applies) {
                    QVERIFY2(r.exitCode == 64, qPrintable(what + ": " + r.err));
                    QVERIFY2(r.err.contains(v.args[0].toUtf8()) && r.err.contains("only to"),
                             qPrintable(what + ": " + r.err));
                    QVERIFY2(!QFile::exists(out), qPrintable(what));
                    continue;
                }
                if (!fit.enabled) {
                    QVERIFY2(r.exitCode == 2, qPrintable(what + ": " + r.err));
                    QVERIFY2(r.err.contains(QByteArray::fromStdString(fit.reason)),
                             qPrintable(what + ": " + r.err));
                    QVERIFY2(!QFile::exists(out), qPrintable(what));
                    continue;
                }
                if (r.exitCode == 2 && format == ExportFormat::Pickle &&
                    (r.err.contains("refusing to export") ||
                     r.err.contains("could not take out"))) {
                    QVERIFY2(!QFile::exists(out), qPrintable(what));
                    continue;  // a pickle that would stay unsafe once cleaned is refused
                }
                QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(what + ": " + r.err));
                const Json report = Json::parse(r.out.toStdString());
                const auto paths = writtenPaths(out, format);
                QVERIFY2(paths.size() == report["tensors"].get<std::size_t>(),
                         qPrintable(QStringLiteral("%1: file %2, report %3")
                                        .arg(what)
                                        .arg(paths.size())
                                        .arg(report["tensors"].dump().c_str())));
                ++exported;

                // The dry run (the dialog's preview) announced the same count.
                args << "--dry-run";
                const QString dryOut = out + ".dry";
                args[3] = dryOut;
                const auto dry = runCkpt(args);
                QVERIFY2(dry.exitCode == 0, qPrintable(what + " --dry-run: " + dry.err));
                QVERIFY2(!QFile::exists(dryOut), qPrintable(what));
                const Json plan = Json::parse(dry.out.toStdString());
                QVERIFY2(plan["tensors"].get<std::size_t>() == paths.size(),
                         qPrintable(QStringLiteral("%1: preview %2, file %3")
                                        .arg(what, plan["tensors"].dump().c_str())
                                        .arg(paths.size())));

                const QString kind = pythonKind(source, format);
                if (!kind.isEmpty()) {
                    const QString file =
                        format == ExportFormat::Bundle ? out + "/model.weights.h5" : out;
                    pythonChecks << QStringLiteral("%1\t%2\t%3").arg(kind, file).arg(paths.size());
                }
                if (!v.option) {
                    plain = paths.size();
                    plainCleaned = report["cleaned"].size();
                    plainOptimizer = 0;
                    for (const auto& p : paths) {
                        plainOptimizer += ckpt::core::isOptimizerStatePath(p) ? 1 : 0;
                    }
                    continue;
                }
                QVERIFY(plain.has_value());
                switch (*v.option) {
                    case ExportOption::NoOptimizer:
                        for (const auto& p : paths) {
                            QVERIFY2(!ckpt::core::isOptimizerStatePath(p),
                                     qPrintable(what + ": wrote " + QString::fromStdString(p)));
                        }
                        // Exactly the optimizer state the plain export wrote is left out.
                        QVERIFY2(paths.size() + plainOptimizer == *plain,
                                 qPrintable(QStringLiteral("%1: %2 + %3 != %4")
                                                .arg(what)
                                                .arg(paths.size())
                                                .arg(plainOptimizer)
                                                .arg(*plain)));
                        if (format == ExportFormat::Safetensors) {
                            QCOMPARE(plainOptimizer, optimizerTensors);
                        }
                        if (plainOptimizer > 0) {
                            QVERIFY2(!report["excluded"].empty(), qPrintable(what));
                        }
                        break;
                    case ExportOption::TensorGlob: {
                        std::size_t matching = 0;
                        for (const auto* n : checkpoint->tensorNodes()) {
                            matching += ckpt::core::tensorGlobMatches(glob.toStdString(), n->path())
                                            ? 1
                                            : 0;
                        }
                        QVERIFY2(paths.size() <= matching, qPrintable(what));
                        for (const auto& p : paths) {
                            QVERIFY2(ckpt::core::tensorGlobMatches(glob.toStdString(), p),
                                     qPrintable(what + ": wrote " + QString::fromStdString(p)));
                        }
                        if (glob != "*") {
                            QVERIFY2(paths.size() < *plain, qPrintable(what));
                        }
                        break;
                    }
                    case ExportOption::ReplaceWithNone:
                        QCOMPARE(report["cleaned"].size(), plainCleaned);
                        for (const auto& c : report["cleaned"]) {
                            QVERIFY2(c.get<std::string>().find("replaced with None") !=
                                         std::string::npos,
                                     qPrintable(what + ": " + QString::fromStdString(c.dump())));
                        }
                        break;
                    case ExportOption::DropFlagged:
                        QVERIFY2(report["cleaned"].size() >= plainCleaned, qPrintable(what));
                        if (source.endsWith("dill_all.pkl")) {
                            QVERIFY2(report["cleaned"].size() > plainCleaned, qPrintable(what));
                        }
                        break;
                }
            }
        }
        QVERIFY2(exported > 0, qPrintable(source));
        // The python loads check the files, not the code that wrote them: the normal build
        // runs them, the sanitized one (where each python start is most of the row's time) not.
        if (!pythonChecks.isEmpty() && !ckpt::test::kSanitizedBuild) {
            const QString bad = checkWithPython(pythonChecks);
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
    }

    void readmeTableMatchesBehaviour() {
        // README's option x format table says "refused (64)" exactly where the CLI refuses.
        QFile readme(QStringLiteral(CKPT_SOURCE_DIR "/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(readme.readAll()).split('\n');
        const std::vector<std::pair<QString, ExportOption>> options{
            {"`--no-optimizer`", ExportOption::NoOptimizer},
            {"`--tensors GLOB`", ExportOption::TensorGlob},
            {"`--replace-with-none`", ExportOption::ReplaceWithNone},
            {"`--drop-flagged`", ExportOption::DropFlagged}};
        int rows = 0;
        for (const auto& [flag, option] : options) {
            for (const QString& line : lines) {
                if (!line.startsWith("| " + flag)) {
                    continue;
                }
                ++rows;
                const QStringList cells = line.split('|');
                QCOMPARE(cells.size(), 9);  // "", option, 6 formats, ""
                for (std::size_t i = 0; i < formats().size(); ++i) {
                    const bool refused = cells[static_cast<int>(i) + 2].contains("refused (64)");
                    QVERIFY2(refused != ckpt::core::exportOptionApplies(option, formats()[i]),
                             qPrintable(flag + " / " +
                                        QString::fromStdString(
                                            ckpt::core::exportFormatName(formats()[i]))));
                }
            }
        }
        QCOMPARE(rows, 4);
        // The help says the same: every option, --dry-run, and what a refusal exits with.
        const auto help = runCkpt({"export", "--help"});
        QCOMPARE(help.exitCode, 0);
        for (const char* s :
             {"--no-optimizer", "--tensors GLOB", "--replace-with-none", "--drop-flagged",
              "--dry-run", "refused with exit 64", "optimizer_state_dict/", "all but pickle"}) {
            QVERIFY2(help.out.contains(s), s);
        }
        for (const char* cmd : {"info", "tensors"}) {
            const auto h = runCkpt({cmd, "--help"});
            QVERIFY(h.out.startsWith(QByteArray("Usage: ckpt ") + cmd + " FILE..."));
            QVERIFY2(h.out.contains("one JSON array"), cmd);
        }
    }

    void issueExample() {
        // The issue's command: a real Keras full model with 14 optimizer weights to safetensors.
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        QTemporaryDir dir;
        const QString out = dir.filePath("x.safetensors");
        const auto r =
            runCkpt({"export", real + "/keras_h5_full/02tanishk__ANN-Classfication__model.h5", "-o",
                     out, "--no-optimizer", "--json"});
        QCOMPARE(r.exitCode, 0);
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j["tensors"].get<int>(), 6);
        QCOMPARE(j["excluded"].size(), std::size_t{14});
        QCOMPARE(writtenPaths(out, ExportFormat::Safetensors).size(), std::size_t{6});
    }
};

QTEST_MAIN(TestCliExportOptions)
#include "test_cli_export_options.moc"
