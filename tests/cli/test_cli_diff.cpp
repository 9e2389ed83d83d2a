// `ckpt diff` as scripts and people meet it: the help, the text table and summary line, the
// --json contract, --map, --only-changed, --top, tolerances and the exit codes 0/1/2/64.

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;

namespace {

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return ckpt::test::run(ckpt::test::cliPath(), args);
}

QString fx(const QString& name) {
    return ckpt::test::fixture("diff/" + name);
}

Json parse(const QByteArray& out) {
    return Json::parse(out.toStdString());
}

/// The JSON row of the tensor with `key`.
Json row(const Json& report, const std::string& key) {
    for (const auto& t : report["tensors"]) {
        if (t["key"] == key) {
            return t;
        }
    }
    return nullptr;
}

}  // namespace

class TestCliDiff : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void helpTeaches() {
        const auto h = runCkpt({"diff", "--help"});
        QCOMPARE(h.exitCode, 0);
        QVERIFY(h.out.startsWith("Usage: ckpt diff A B"));
        for (const char* word : {"--json", "--atol", "--rtol", "--map", "--only-changed", "--top",
                                 "rel_l2", "cosine", "mismatched", "Exit codes", "Example"}) {
            QVERIFY2(h.out.contains(word), word);
        }
        QVERIFY(runCkpt({"--help"}).out.contains("diff"));
    }

    void equalFilesExitZero() {
        const auto r = runCkpt({"diff", fx("base.h5"), fx("base_gzip.h5")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Config: no changes"));
        QVERIFY2(r.out.contains("6 tensors: 6 equal\n"), r.out);
        QVERIFY(r.err.isEmpty());
        // Keras 2 legacy against Keras 3 vars layout: every tensor paired, all equal.
        const auto cross = runCkpt({"diff", fx("base.h5"), fx("k3_named.weights.h5")});
        QCOMPARE(cross.exitCode, 0);
        QVERIFY(cross.out.contains("note: formats differ: keras-h5 vs keras3-weights-h5"));
        QVERIFY(cross.out.contains("6 tensors: 6 equal"));
        QVERIFY(
            cross.out.contains("model_weights/dense_1/dense_1/kernel:0 -> layers/dense_1/vars/0"));
    }

    void retrainedTable() {
        const auto r = runCkpt({"diff", fx("base.h5"), fx("retrained.h5")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("Config: 1 change\n"));
        QVERIFY(
            r.out.contains("~ training_config.optimizer_config.config.learning_rate: "
                           "0.0010000000474974513 -> 0.0005000000237487257"));
        const QRegularExpression summary(
            R"(\n6 tensors: 5 changed, 1 equal; max rel_l2 [0-9.e-]+ at dense/1; )"
            R"(max \|a-b\| [0-9.e-]+ at [a-z_0-9/]+; 1 config change\n$)");
        QVERIFY2(summary.match(r.out).hasMatch(), r.out);
        // Rows are sorted by rel_l2, largest first; the unchanged bias is last.
        const auto lines = r.out.split('\n');
        QList<double> rel;
        for (const auto& l : lines) {
            if (l.startsWith("  changed") || l.startsWith("  identical")) {
                rel << l.simplified().split(' ')[1].toDouble();
            }
        }
        QCOMPARE(rel.size(), 6);
        QVERIFY(std::is_sorted(rel.rbegin(), rel.rend()));
        QVERIFY(r.out.contains("  identical "));
    }

    void jsonContract() {
        const auto r = runCkpt({"diff", "--json", fx("base.h5"), fx("units_changed.h5")});
        QCOMPARE(r.exitCode, 1);
        const Json j = parse(r.out);
        QCOMPARE(j["a"]["format"], "keras-h5");
        QCOMPARE(j["tolerance"]["rtol"].get<double>(), 1e-5);
        QCOMPARE(j["tolerance"]["atol"].get<double>(), 1e-8);
        const Json& changes = j["config"]["changes"];
        QCOMPARE(changes.size(), std::size_t{1});
        QCOMPARE(changes[0]["kind"], "field_changed");
        QCOMPARE(changes[0]["path"], "layers[3].config.units");
        QCOMPARE(changes[0]["layer"], "dense_1");
        QCOMPARE(changes[0]["old"].get<int>(), 16);
        QCOMPARE(changes[0]["new"].get<int>(), 24);
        QCOMPARE(j["tensors"].size(), std::size_t{6});
        for (const auto& t : j["tensors"]) {
            for (const char* k : {"key", "a_path", "b_path", "status", "numel", "max_abs_diff",
                                  "mean_abs_diff", "rms_diff", "rel_l2", "cosine", "mismatched"}) {
                QVERIFY2(t.contains(k), k);
            }
        }
        const Json k = row(j, "dense_1/0");
        QCOMPARE(k["status"], "shape_changed");
        QCOMPARE(k["a_shape"], Json({16, 16}));
        QCOMPARE(k["b_shape"], Json({16, 24}));
        QVERIFY(k["rel_l2"].is_null());
        const Json e = row(j, "dense/0");
        QCOMPARE(e["status"], "equal");
        QCOMPARE(e["a_path"], "model_weights/dense/dense/kernel:0");
        QCOMPARE(e["numel"].get<int>(), 128);
        QCOMPARE(e["rel_l2"].get<double>(), 0.0);
        QCOMPARE(e["cosine"].get<double>(), 1.0);
        QCOMPARE(e["identical"], true);
        const Json& s = j["summary"];
        QCOMPARE(s["tensors"].get<int>(), 6);
        QCOMPARE(s["shape_changed"].get<int>(), 3);
        QCOMPARE(s["equal"].get<int>(), 3);
        QCOMPARE(s["config_changes"].get<int>(), 1);
        QCOMPARE(s["different"], true);
        QVERIFY(j["layers"].is_array() && !j["layers"].empty());
    }

    void addedAndRemovedInJson() {
        const Json added =
            parse(runCkpt({"diff", "--json", fx("base.h5"), fx("layer_added.h5")}).out);
        const Json bn = row(added, "batch_normalization/2");
        QCOMPARE(bn["status"], "added");
        QVERIFY(bn["a_path"].is_null());
        QCOMPARE(bn["b_path"],
                 "model_weights/batch_normalization/batch_normalization/"
                 "moving_mean:0");
        QCOMPARE(added["config"]["changes"][0]["kind"], "layer_added");
        const Json removed =
            parse(runCkpt({"diff", "--json", fx("base.h5"), fx("layer_removed.h5")}).out);
        QCOMPARE(row(removed, "dense_1/1")["status"], "removed");
        QCOMPARE(removed["summary"]["removed"].get<int>(), 2);
    }

    void onlyChangedAndTop() {
        const auto r = runCkpt({"diff", "--only-changed", fx("base.h5"), fx("retrained.h5")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(!r.out.contains("  identical "));
        QVERIFY(r.out.contains("5 changed, 1 equal"));  // the summary still counts all
        const auto top = runCkpt({"diff", "--top", "2", fx("base.h5"), fx("retrained.h5")});
        QVERIFY(top.out.contains("... 4 more rows (--top 0 shows all)"));
        const Json j =
            parse(runCkpt({"diff", "--json", "--top", "2", fx("base.h5"), fx("retrained.h5")}).out);
        QCOMPARE(j["tensors"].size(), std::size_t{2});
        QVERIFY(j["tensors"][0]["rel_l2"].get<double>() >= j["tensors"][1]["rel_l2"].get<double>());
        QCOMPARE(j["tensors"][0]["key"], j["summary"]["max_rel_l2_key"]);
        const Json changed = parse(
            runCkpt({"diff", "--json", "--only-changed", fx("base.h5"), fx("retrained.h5")}).out);
        QCOMPARE(changed["tensors"].size(), std::size_t{5});
    }

    void mapPairsWhatTheUserSays() {
        const Json j = parse(
            runCkpt({"diff", "--json", "--map", "dense_1=dense_2", fx("base.h5"), fx("base.h5")})
                .out);
        const Json t = row(j, "dense_1/0");
        QCOMPARE(t["b_path"], "model_weights/dense_2/dense_2/kernel:0");
        QCOMPARE(t["status"], "shape_changed");
        const Json p = parse(runCkpt({"diff", "--json",
                                      "--map=model_weights/dense/dense/bias:0="
                                      "model_weights/dense_1/dense_1/bias:0",
                                      fx("base.h5"), fx("base.h5")})
                                 .out);
        QCOMPARE(row(p, "dense/1")["paired_by"], "map");
        QCOMPARE(row(p, "dense/1")["status"], "changed");
        QCOMPARE(runCkpt({"diff", "--map", "nothing", fx("base.h5"), fx("base.h5")}).exitCode, 64);
        QCOMPARE(runCkpt({"diff", fx("base.h5"), fx("base.h5"), "--map"}).exitCode, 64);
    }

    void toleranceDecidesTheExitCode() {
        const QString a = m_tmp.filePath("a.h5"), b = m_tmp.filePath("b.h5");
        const auto gen = ckpt::test::run(ckpt::test::systemPython(),
                                         {"-c",
                                          "import sys, h5py, numpy as np\n"
                                          "h5py.File(sys.argv[1], 'w')['w'] = np.array([1.0, "
                                          "2.0], 'f4')\n"
                                          "h5py.File(sys.argv[2], 'w')['w'] = np.array([1.0, "
                                          "2.001], 'f4')\n",
                                          a, b});
        if (gen.exitCode != 0) {
            QSKIP(qPrintable("cannot generate files: " + gen.err));
        }
        const auto strict = runCkpt({"diff", "--json", a, b});
        QCOMPARE(strict.exitCode, 1);
        QCOMPARE(parse(strict.out)["tensors"][0]["mismatched"].get<int>(), 1);
        QCOMPARE(runCkpt({"diff", "--atol", "0.01", a, b}).exitCode, 0);
        QCOMPARE(runCkpt({"diff", "--rtol=1e-3", a, b}).exitCode, 0);
        QCOMPARE(runCkpt({"diff", "--rtol", "1e-4", "--atol", "0", a, b}).exitCode, 1);
        // Dtype changes stay differences even when every value is within tolerance.
        const auto half =
            runCkpt({"diff", "--json", "--atol", "1e-3", fx("base.h5"), fx("float16.h5")});
        QCOMPARE(half.exitCode, 1);
        const Json halfJson = parse(half.out);
        for (const auto& t : halfJson["tensors"]) {
            QCOMPARE(t["status"], "dtype_changed");
            QCOMPARE(t["mismatched"].get<int>(), 0);
        }
    }

    void differentClassesComeFirst() {
        const QString lin = ckpt::test::fixture("sklearn/linreg.pkl");
        const QString pipe = ckpt::test::fixture("sklearn/pipeline.pkl");
        const auto r = runCkpt({"diff", lin, pipe});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith("DIFFERENT CLASSES: A is "
                                  "sklearn.linear_model._base.LinearRegression, B is "
                                  "sklearn.pipeline.Pipeline."),
                 r.out);
        QVERIFY2(r.out.contains("; different classes\n"), r.out);
        const Json j = parse(runCkpt({"diff", "--json", lin, pipe}).out);
        QCOMPARE(j["class_mismatch"], true);
        QCOMPARE(j["a"]["class"], "sklearn.linear_model._base.LinearRegression");
        QCOMPARE(j["b"]["class"], "sklearn.pipeline.Pipeline");
        QCOMPARE(j["summary"]["class_mismatch"], true);
        QVERIFY(j["notes"][0].get<std::string>().find("different classes") != std::string::npos);
        // The same class twice: nothing said.
        const auto same = runCkpt({"diff", lin, ckpt::test::fixture("sklearn/linreg_b.pkl")});
        QVERIFY(!same.out.contains("DIFFERENT CLASSES"));
        QVERIFY(same.out.contains("(pickle, sklearn.linear_model._base.LinearRegression)"));
    }

    void pairedByIsReported() {
        const QString lin = ckpt::test::fixture("sklearn/linreg.pkl");
        const QString pipe = ckpt::test::fixture("sklearn/pipeline.pkl");
        const Json j = parse(runCkpt({"diff", "--json", lin, pipe}).out);
        std::size_t byShape = 0;
        for (const auto& t : j["tensors"]) {
            QVERIFY(t.contains("paired_by"));
            byShape += t["paired_by"] == "shape" ? 1 : 0;
        }
        QVERIFY(byShape >= 1);
        QCOMPARE(j["summary"]["paired_by_shape"].get<std::size_t>(), byShape);
        const auto text = runCkpt({"diff", lin, pipe});
        QVERIFY2(text.out.contains("[paired by order and equal shape only (names differ)]"),
                 text.out);
        QVERIFY2(text.out.contains(QByteArray::number(qulonglong(byShape)) +
                                   (byShape == 1 ? " pair" : " pairs") + " by position or shape"),
                 text.out);
        // Keras legacy against Keras 3: the same layer, weight_names order.
        const Json cross =
            parse(runCkpt({"diff", "--json", fx("base.h5"), fx("k3_same.weights.h5")}).out);
        QCOMPARE(row(cross, "dense/0")["paired_by"], "weight_order");
        QCOMPARE(cross["summary"]["paired_by_shape"].get<int>() +
                     cross["summary"]["paired_by_position"].get<int>(),
                 0);
        const Json same = parse(runCkpt({"diff", "--json", fx("base.h5"), fx("retrained.h5")}).out);
        QCOMPARE(row(same, "dense/0")["paired_by"], "layer");
    }

    void weightsOnly() {
        // The learning rate is training state: with --weights-only only the weights count.
        const auto r = runCkpt({"diff", "--weights-only", fx("base.h5"), fx("retrained.h5")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(!r.out.contains("learning_rate"), r.out);
        QVERIFY(
            r.out.contains("note: model weights only: 0 optimizer and training-state tensors "
                           "and the training config left out"));
        const QString k3 = ckpt::test::fixture("diff/layouts/dense_bn.weights.h5");
        const QString legacy = ckpt::test::fixture("diff/layouts/dense_bn.h5");
        QCOMPARE(runCkpt({"diff", k3, legacy}).exitCode, 1);  // Adam's state: only in A
        const auto w = runCkpt({"diff", "--weights-only", k3, legacy});
        QCOMPARE(w.exitCode, 0);
        QVERIFY2(w.out.contains("8 tensors: 8 equal"), w.out);
        const Json j = parse(runCkpt({"diff", "--json", "--weights-only", k3, legacy}).out);
        QCOMPARE(j["summary"]["removed"].get<int>(), 0);
        for (const auto& t : j["tensors"]) {
            QCOMPARE(t["training_state"], false);
        }
        const Json all = parse(runCkpt({"diff", "--json", k3, legacy}).out);
        QCOMPARE(all["summary"]["removed"].get<int>(), 14);
        QCOMPARE(row(all, "optimizer/vars/0")["training_state"], true);
    }

    void badInput() {
        QFile junk(m_tmp.filePath("junk.bin"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("\x01\x02 not a model");
        junk.close();
        const auto r = runCkpt({"diff", fx("base.h5"), junk.fileName()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(junk.fileName().toUtf8()), r.err);
        QVERIFY(r.err.contains("not a checkpoint format I know"));
        const auto missing = runCkpt({"diff", m_tmp.filePath("nope.h5"), fx("base.h5")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("nope.h5"));
        QCOMPARE(runCkpt({"diff", fx("base.h5")}).exitCode, 64);
        QCOMPARE(runCkpt({"diff", "--atol", "-1", fx("base.h5"), fx("base.h5")}).exitCode, 64);
        QCOMPARE(runCkpt({"diff", "--rtol", "x", fx("base.h5"), fx("base.h5")}).exitCode, 64);
        QCOMPARE(runCkpt({"diff", "--top", "two", fx("base.h5"), fx("base.h5")}).exitCode, 64);
        const auto usage = runCkpt({"diff", "--frobnicate", fx("base.h5"), fx("base.h5")});
        QCOMPARE(usage.exitCode, 64);
        QVERIFY(usage.err.contains("Usage: ckpt diff"));
    }
};

QTEST_GUILESS_MAIN(TestCliDiff)
#include "test_cli_diff.moc"
