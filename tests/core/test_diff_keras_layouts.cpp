// Keras 3 <-> legacy round trips through the diff: the same weights in the "vars" layout
// (layers/<snake_case>/vars/<i>) and in the legacy layout (model_weights/<layer>/<weight_names>)
// must pair layer by layer in weight_names order, sublayers (an RNN's cell, a nested model's
// layers) by name, and compare equal; only what the target cannot hold (the optimizer of a
// file written without one) may be one-sided. Fixtures: tests/fixtures/diff/layouts (written
// with h5py following FORMATS.md, make_keras_layout_fixtures.py), the pickled Keras 3 model of
// tests/fixtures/py and the real Keras files of ../shared/data/real, exported by the product.

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/diff/checkpoint_diff.h"
#include "core/export/export_common.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

QString layout(const QString& name) {
    return ckpt::test::fixture("diff/layouts/" + name);
}

bool trainingState(const std::string& path) {
    return path.find("optimizer") != std::string::npos;
}

/// Every model tensor of both sides paired and equal; one-sided rows only for optimizer state.
/// `guessesAllowed`: pairs by position or shape may appear (names cannot match).
void checkRoundTrip(const DiffReport& r, bool guessesAllowed) {
    QVERIFY(!r.tensors.empty());
    std::size_t paired = 0;
    for (const auto& t : r.tensors) {
        const std::string label = t.aPath + " | " + t.bPath + " (" +
                                  std::string(tensorDiffStatusName(t.status)) + ", " +
                                  std::string(pairedByName(t.pairedBy)) + ")";
        if (t.status == TensorDiffStatus::Added) {
            QVERIFY2(trainingState(t.bPath), label.c_str());
            continue;
        }
        if (t.status == TensorDiffStatus::Removed) {
            QVERIFY2(trainingState(t.aPath), label.c_str());
            continue;
        }
        QVERIFY2(t.status == TensorDiffStatus::Equal, label.c_str());
        QVERIFY2(t.metrics && t.metrics->identical, label.c_str());
        QVERIFY2(guessesAllowed || trainingState(t.aPath) || !pairedByGuess(t.pairedBy),
                 label.c_str());
        ++paired;
    }
    QVERIFY(paired > 0);
}

DiffReport diffFiles(const QString& a, const QString& b) {
    const auto ca = openCheckpoint(a.toStdString());
    const auto cb = openCheckpoint(b.toStdString());
    return diffCheckpoints(*ca, *cb);
}

}  // namespace

class TestDiffKerasLayouts : public QObject {
    Q_OBJECT

private slots:
    void fixtures_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("guessesAllowed");
        for (const char* m : {"dense_bn", "rnn", "conv", "nested"}) {
            const QString n = QString::fromLatin1(m);
            QTest::addRow("%s k3 vs legacy", m) << n + ".weights.h5" << n + ".h5" << false;
            QTest::addRow("%s legacy vs k3", m) << n + ".h5" << n + ".weights.h5" << false;
            // Keras < 3.6 wrote no names: nested layers' groups are dense, batch_normalization
            // against block_dense, block_bn: there shapes must decide.
            QTest::addRow("%s k3 unnamed vs legacy", m)
                << n + "_noname.weights.h5" << n + ".h5" << (n == "nested");
            QTest::addRow("%s k3 named vs unnamed", m)
                << n + ".weights.h5" << n + "_noname.weights.h5" << false;
            if (n != "nested") {
                QTest::addRow("%s k3-written legacy vs k3", m)
                    << n + "_k3legacy.h5" << n + ".weights.h5" << false;
                QTest::addRow("%s k3-written legacy vs k2 legacy", m)
                    << n + "_k3legacy.h5" << n + ".h5" << false;
            }
        }
    }
    void fixtures() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, guessesAllowed);
        const DiffReport r = diffFiles(layout(a), layout(b));
        checkRoundTrip(r, guessesAllowed);
        // The optimizer of the Keras 3 file is the only thing a legacy file without one
        // cannot hold.
        if (a.endsWith(".weights.h5") && !a.contains("noname") && b.endsWith(".h5") &&
            !b.endsWith(".weights.h5")) {
            QVERIFY(r.summary.removed > 0);
        }
    }

    void sublayerOrderDiffersButPairsByName() {
        // The legacy nested model lists block_bn/gamma, beta, block_dense/kernel, bias, then
        // the moving statistics; Keras 3 lists block_bn's four variables, then block_dense's.
        const DiffReport r = diffFiles(layout("nested.weights.h5"), layout("nested.h5"));
        std::map<std::string, std::string> to;
        for (const auto& t : r.tensors) {
            to[t.aPath] = t.bPath;
        }
        const std::string bn = "layers/sequential/layers/batch_normalization/vars/";
        QCOMPARE(to[bn + "2"], std::string("model_weights/block/block_bn/moving_mean:0"));
        QCOMPARE(to[bn + "1"], std::string("model_weights/block/block_bn/beta:0"));
        QCOMPARE(to["layers/sequential/layers/dense/vars/0"],
                 std::string("model_weights/block/block_dense/kernel:0"));
        const DiffReport rnn = diffFiles(layout("rnn.weights.h5"), layout("rnn_k3legacy.h5"));
        for (const auto& t : rnn.tensors) {
            if (t.aPath == "layers/gru/cell/vars/1") {
                QCOMPARE(t.bPath,
                         std::string("model_weights/gru/sequential/gru/gru_cell/recurrent_kernel"));
                QCOMPARE(t.pairedBy, PairedBy::WeightOrder);
            }
        }
    }

    void weightsOnlyLeavesOutTheOptimizer() {
        const auto a = openCheckpoint(layout("dense_bn.weights.h5").toStdString());
        const auto b = openCheckpoint(layout("dense_bn.h5").toStdString());
        const DiffReport all = diffCheckpoints(*a, *b);
        QVERIFY(all.summary.removed > 0);  // Adam's variables: the legacy file has none
        DiffOptions o;
        o.weightsOnly = true;
        const DiffReport weights = diffCheckpoints(*a, *b, o);
        QCOMPARE(weights.summary.removed, std::size_t{0});
        QCOMPARE(weights.summary.tensors, all.summary.tensors - all.summary.removed);
        QVERIFY(!weights.summary.different);
        for (const auto& t : weights.tensors) {
            QVERIFY2(!trainingState(t.aPath) && !trainingState(t.bPath), t.aPath.c_str());
        }
        QVERIFY(std::any_of(weights.notes.begin(), weights.notes.end(), [](const std::string& n) {
            return n.rfind("model weights only: 14 optimizer", 0) == 0;
        }));
        // The same filter on a finished report gives the same rows.
        DiffReport filtered = all;
        keepModelWeightsOnly(filtered);
        QCOMPARE(filtered.tensors.size(), weights.tensors.size());
        QCOMPARE(filtered.summary.equal, weights.summary.equal);
    }

    void pickledKeras3AgainstItsLegacyExport() {
        // The reproduction: "5 changed, 3 added, 3 removed" before.
        const auto a =
            openCheckpoint(ckpt::test::fixture("py/keras3_pickled_model.pkl").toStdString());
        QTemporaryDir dir;
        const std::string out = dir.filePath("k3.h5").toStdString();
        (void)exportCheckpoint(*a, ExportFormat::KerasH5, out);
        const auto b = openCheckpoint(out);
        const DiffReport r = diffCheckpoints(*a, *b);
        checkRoundTrip(r, false);
        QCOMPARE(r.summary.changed, std::size_t{0});
        QCOMPARE(r.summary.added, std::size_t{0});
        QCOMPARE(r.summary.removed, std::size_t{0});
        QCOMPARE(r.summary.equal, r.summary.tensors);
        QVERIFY(!r.summary.classMismatch);
        for (const auto& t : r.tensors) {
            if (t.aPath.find("layers/batch_normalization/vars/3") != std::string::npos) {
                QVERIFY2(t.bPath.find("moving_variance") != std::string::npos, t.bPath.c_str());
            }
            if (t.aPath.find("layers/dense/vars/0") != std::string::npos) {
                QCOMPARE(t.pairedBy, PairedBy::WeightOrder);
            }
        }
    }

    void realKerasFilesRoundTrip_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("target");
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            return;
        }
        for (const QString& sub : {QStringLiteral("keras3"), QStringLiteral("keras_h5_full"),
                                   QStringLiteral("keras_h5_weights")}) {
            for (const QString& f : QDir(real + "/" + sub).entryList(QDir::Files)) {
                const QString target = sub == "keras3" ? "k.h5" : "k.weights.h5";
                QTest::addRow("%s", qPrintable(f)) << real + "/" + sub + "/" + f << target;
            }
        }
    }
    void realKerasFilesRoundTrip() {
        if (ckpt::test::realDataDir().isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        QFETCH(QString, file);
        QFETCH(QString, target);
        const auto a = openCheckpoint(file.toStdString());
        QTemporaryDir dir;
        const std::string out = dir.filePath(target).toStdString();
        ExportFormat format{};
        QVERIFY(exportFormatFromExtension(out, format));
        try {
            (void)exportCheckpoint(*a, format, out);
        } catch (const std::exception& e) {
            QSKIP(qPrintable(QStringLiteral("not exportable: ") + e.what()));
        }
        const auto b = openCheckpoint(out);
        const DiffReport r = diffCheckpoints(*a, *b);
        checkRoundTrip(r, false);
    }
};

QTEST_GUILESS_MAIN(TestDiffKerasLayouts)
#include "test_diff_keras_layouts.moc"
