// Tensor values of the real torch and pickle files (../shared/data/real, skipped when absent)
// against torch/numpy: tensor_sums.py loads each file with a restricted unpickler (torch, numpy,
// joblib's array wrapper are real; every other class is an inert stub) and prints the shape and
// float64 sum of every tensor; our readers must give the same multiset.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <cmath>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

using ShapeSum = std::pair<std::vector<std::uint64_t>, double>;

double sumOf(const Tensor& t) {
    constexpr std::uint64_t kChunk = 1 << 16;
    std::vector<double> buf(kChunk);
    double sum = 0;
    for (std::uint64_t first = 0; first < t.numel(); first += kChunk) {
        const auto n = std::min(kChunk, t.numel() - first);
        t.readAsDouble(first, n, buf.data());
        for (std::uint64_t i = 0; i < n; ++i) {
            sum += buf[i];
        }
    }
    return sum;
}

bool close(double a, double b) {
    return std::abs(a - b) <= 1e-6 * std::max({1.0, std::abs(a), std::abs(b)});
}

}  // namespace

class TestTensorValues : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (ckpt::test::realDataDir().isEmpty()) {
            QSKIP("../shared/data/real is not available");
        }
        // One Python run for all files (importing torch takes seconds).
        QStringList args{QStringLiteral(CKPT_SOURCE_DIR "/tests/core/tensor_sums.py")};
        for (const QString& f : files()) {
            args << ckpt::test::realDataDir() + "/" + f;
        }
        const auto r = ckpt::test::run(ckpt::test::systemPython(), args, 300000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        m_sums = QJsonDocument::fromJson(r.out).object();
    }

    void sumsMatchTorchAndNumpy_data() {
        QTest::addColumn<QString>("file");
        for (const QString& f : files()) {
            QTest::newRow(f.toUtf8().constData()) << f;
        }
    }

    void sumsMatchTorchAndNumpy() {
        QFETCH(QString, file);
        const QString path = ckpt::test::realDataDir() + "/" + file;
        std::vector<ShapeSum> want;
        for (const auto& v : m_sums[path].toArray()) {
            const QJsonArray pair = v.toArray();
            std::vector<std::uint64_t> shape;
            for (const auto& d : pair[0].toArray()) {
                shape.push_back(static_cast<std::uint64_t>(d.toInteger()));
            }
            want.emplace_back(shape, pair[1].toDouble());
        }
        std::vector<ShapeSum> got;
        const auto c = openCheckpoint(path.toStdString());
        for (const Node* n : c->tensorNodes()) {
            if (n->tensor()->readable()) {
                got.emplace_back(n->tensor()->shape(), sumOf(*n->tensor()));
            }
        }
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        QCOMPARE(got.size(), want.size());
        QVERIFY(!got.empty());
        for (std::size_t i = 0; i < got.size(); ++i) {
            QVERIFY(got[i].first == want[i].first);
            QVERIFY2(close(got[i].second, want[i].second),
                     qPrintable(QString("%1 vs %2").arg(got[i].second).arg(want[i].second)));
        }
    }

private:
    /// The real torch and pickle files with tensors outside HDF5: the two pickled Keras models
    /// hold HDF5 weights (the Keras tests cover those), training_args.bin holds no tensor.
    static QStringList files() {
        QStringList out;
        for (const QString sub : {"torch", "pickle"}) {
            const QDir dir(ckpt::test::realDataDir() + "/" + sub);
            for (const QString& f : dir.entryList(QDir::Files, QDir::Name)) {
                if (!f.contains("keras_model") && !f.contains("ann_model") &&
                    !f.contains("training_args")) {
                    out << sub + "/" + f;
                }
            }
        }
        return out;
    }

    QJsonObject m_sums;
};

QTEST_GUILESS_MAIN(TestTensorValues)
#include "test_tensor_values.moc"
