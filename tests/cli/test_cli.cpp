// The `ckpt` binary as scripts meet it: help texts, the --json contract, exit codes and error
// messages on stderr.

#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/model/json.h"

using ckpt::core::Json;
using ckpt::test::run;

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_model;  // a small Keras full model, real or generated

    static ckpt::test::RunResult ckpt(const QStringList& args) {
        return run(ckpt::test::cliPath(), args);
    }

private slots:
    void initTestCase() {
        const QString real = ckpt::test::realDataDir();
        if (!real.isEmpty()) {
            m_model = real + "/keras_h5_full/0xArt__CryptoANN__model.h5";
            return;
        }
        m_model = m_tmp.filePath("model.h5");
        const QString script = R"(
import sys, json, h5py, numpy as np
cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "Dense", "config": {"name": "dense", "units": 3}}]}}
with h5py.File(sys.argv[1], 'w') as f:
    f.attrs['keras_version'] = '2.4.0'; f.attrs['backend'] = 'tensorflow'
    f.attrs['model_config'] = json.dumps(cfg).encode()
    g = f.create_group('model_weights'); g.attrs['layer_names'] = [b'dense']
    d = g.create_group('dense'); d.attrs['weight_names'] = [b'dense/kernel:0', b'dense/bias:0']
    d.create_dataset('dense/kernel:0', data=np.ones((4, 3), 'f4'))
    d.create_dataset('dense/bias:0', data=np.arange(3, dtype='f4'))
)";
        const auto r = run(ckpt::test::systemPython(), {"-c", script, m_model});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("cannot generate a model: " + r.err));
        }
    }

    void helpTeaches() {
        const auto top = ckpt({"--help"});
        QCOMPARE(top.exitCode, 0);
        for (const char* cmd : {"info", "tensors", "stats", "formats", "Exit codes", "--json"}) {
            QVERIFY2(top.out.contains(cmd), cmd);
        }
        for (const char* cmd : {"info", "tensors", "stats", "formats"}) {
            const auto h = ckpt({cmd, "--help"});
            QCOMPARE(h.exitCode, 0);
            QVERIFY(h.out.startsWith("Usage: ckpt " + QByteArray(cmd)));
            QVERIFY2(h.out.contains("--json"), cmd);
        }
        const auto none = ckpt({});
        QCOMPARE(none.exitCode, 64);
        QVERIFY(none.err.contains("Usage"));
        const auto unknown = ckpt({"explode"});
        QCOMPARE(unknown.exitCode, 64);
        QVERIFY(unknown.err.contains("unknown command 'explode'"));
        QCOMPARE(ckpt({"info", "--frobnicate", m_model}).exitCode, 64);
        QVERIFY(ckpt({"--version"}).out.startsWith("ckpt "));
    }

    void infoJsonContract() {
        const auto r = ckpt({"info", "--json", m_model});
        QCOMPARE(r.exitCode, 0);
        const Json j = Json::parse(r.out.toStdString());
        QVERIFY(j["format"].is_string());
        QCOMPARE(j["format"].get<std::string>(), std::string("keras-h5"));
        QVERIFY(j["metadata"].is_object());
        QVERIFY(j["metadata"].contains("keras_version"));
        QVERIFY(j["layers"].is_array() && !j["layers"].empty());
        std::uint64_t sum = 0;
        for (const auto& l : j["layers"]) {
            QVERIFY(l["name"].is_string() && l["class_name"].is_string());
            QVERIFY(l["params"].is_number_unsigned());
            sum += l["params"].get<std::uint64_t>();
        }
        QCOMPARE(j["total_params"].get<std::uint64_t>(), sum);
        QVERIFY(j["tensors"].is_array() && !j["tensors"].empty());
        for (const auto& t : j["tensors"]) {
            QVERIFY(t["path"].is_string());
            QVERIFY(t["path"].get<std::string>().rfind("/", 0) != 0);  // no leading slash
            QVERIFY(t["dtype"].is_string());
            QVERIFY(t["shape"].is_array());
        }
    }

    void infoTextShowsSummary() {
        const auto r = ckpt({"info", m_model});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Layer (type)"));
        QVERIFY(r.out.contains("Total params:"));
        QVERIFY(r.out.contains("Tensors:"));
        QVERIFY(r.err.isEmpty());
    }

    void tensorsAndStats() {
        const auto list = ckpt({"tensors", "--json", m_model});
        QCOMPARE(list.exitCode, 0);
        const Json tensors = Json::parse(list.out.toStdString());
        QVERIFY(!tensors.empty());
        const std::string path = tensors[0]["path"];
        std::uint64_t numel = 1;
        for (const auto& d : tensors[0]["shape"]) {
            numel *= d.get<std::uint64_t>();
        }
        const auto stats = ckpt({"stats", "--json", m_model, QString::fromStdString(path)});
        QCOMPARE(stats.exitCode, 0);
        const Json s = Json::parse(stats.out.toStdString());
        QCOMPARE(s["path"].get<std::string>(), path);
        QCOMPARE(s["count"].get<std::uint64_t>(), numel);
        std::uint64_t binned = 0;
        for (const auto& c : s["histogram"]["counts"]) {
            binned += c.get<std::uint64_t>();
        }
        QCOMPARE(binned, s["finite"].get<std::uint64_t>());
        QVERIFY(s["min"].get<double>() <= s["mean"].get<double>());
        QVERIFY(s["mean"].get<double>() <= s["max"].get<double>());

        const auto text = ckpt({"stats", m_model, QString::fromStdString(path), "--bins", "8"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("Histogram (8 bins)"));
        QCOMPARE(ckpt({"stats", m_model, QString::fromStdString(path), "--bins", "0"}).exitCode,
                 64);

        const auto missing = ckpt({"stats", m_model, "no/such/tensor"});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("no tensor at 'no/such/tensor'"));
    }

    // A scikit-learn tree's node array has a structured dtype: numpy's descr of it (as
    // make_sklearn_fixtures.py prints it) in the text and JSON tables, and its real byte size
    // (5 nodes x 56 bytes); an object array is an object, its elements in the object tree.
    void structuredAndObjectArrays() {
        const QString tree = ckpt::test::fixture("sklearn/tree.pkl");
        const std::string descr =
            "[('left_child', '<i8'), ('right_child', '<i8'), ('feature', '<i8'), "
            "('threshold', '<f8'), ('impurity', '<f8'), ('n_node_samples', '<i8'), "
            "('weighted_n_node_samples', '<f8')]";
        const auto list = ckpt({"tensors", "--json", tree});
        QCOMPARE(list.exitCode, 0);
        bool seen = false;
        for (const auto& t : Json::parse(list.out.toStdString())) {
            if (t["path"] == "tree_/nodes") {
                seen = true;
                QCOMPARE(t.value("dtype_detail", std::string()), descr);
                QCOMPARE(t["nbytes"].get<std::uint64_t>(), std::uint64_t{5 * 56});
            }
        }
        QVERIFY(seen);
        const auto text = ckpt({"tensors", tree});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("struct"), text.out.constData());
        QVERIFY2(text.out.contains(QByteArray::fromStdString("fields " + descr)),
                 text.out.constData());
        QVERIFY2(text.out.contains("280 B"), text.out.constData());

        const auto objects = ckpt({"info", ckpt::test::fixture("sklearn/object_array.pkl")});
        QCOMPARE(objects.exitCode, 0);
        QVERIFY2(objects.out.contains("labels: numpy.ndarray"), objects.out.constData());
        QVERIFY2(objects.out.contains("0 = 'cat'"), objects.out.constData());
        QVERIFY2(objects.out.contains("nested = 1"), objects.out.constData());
    }

    void unreadableInputExitsTwo() {
        QFile junk(m_tmp.filePath("junk.h5"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("\x01\x02not a model");
        junk.close();
        const auto r = ckpt({"info", junk.fileName()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY(r.err.contains(junk.fileName().toUtf8()));
        QVERIFY(r.err.contains("not a checkpoint format I know (first bytes: 01 02 6e"));

        const auto missing = ckpt({"info", "--json", m_tmp.filePath("absent.keras")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("No such file"));
    }

    void formatsListsReaders() {
        const auto r = ckpt({"formats", "--json"});
        QCOMPARE(r.exitCode, 0);
        const Json j = Json::parse(r.out.toStdString());
        std::vector<std::string> ids;
        for (const auto& f : j) {
            ids.push_back(f["id"]);
        }
        for (const char* id : {"keras-h5", "keras-archive", "keras3-weights-h5", "hdf5"}) {
            QVERIFY2(std::find(ids.begin(), ids.end(), id) != ids.end(), id);
        }
        // Each reader says how it recognises a file; all but the folder reader name endings.
        for (const auto& f : j) {
            QVERIFY(!f["signature"].get<std::string>().empty());
            QVERIFY(f["id"] == "bundle" || !f["extensions"].empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
