// Bool and complex statistics against torch's own figures, and exports of 8-bit floats (issue
// 18): safetensors keeps the stored bytes and dtype strings exactly; HDF5, which has no 8-bit
// float type, gets float32 values decoded exactly, and the export says so.

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <vector>

#include "common/test_support.h"
#include "core/analysis/tensor_stats.h"
#include "core/export/export_common.h"
#include "core/export/hdf5_writer.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/dtype.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

std::string fixture(const char* name) {
    return CKPT_SOURCE_DIR "/tests/fixtures/dtypes/" + std::string(name);
}

/// The header JSON of a safetensors file.
QJsonObject safetensorsHeader(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray bytes = f.readAll();
    quint64 n = 0;
    for (int i = 7; i >= 0; --i) {
        n = (n << 8) | quint8(bytes[i]);
    }
    return QJsonDocument::fromJson(bytes.mid(8, qsizetype(n))).object();
}

/// torch's figures for the bool and complex tensors of torch_dtypes.pt.
const char* kTorchFigures = R"(
import json, sys, torch
d = torch.load(sys.argv[1])
m = d["mask"]
out = {"mask": {"true": int(m.sum()), "count": m.numel(), "mean": float(m.double().mean())}}
for k in ("spectrum", "spectrum128"):
    a = d[k].abs().double()
    out[k] = {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean()),
              "std": float(a.std(unbiased=False)), "count": a.numel()}
print(json.dumps(out))
)";

}  // namespace

class TestDtypesExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

private slots:
    void boolAndComplexStatsMatchTorch() {
        if (!QFileInfo::exists(ckpt::test::systemPython())) {
            QSKIP("no /usr/bin/python3 for the reference");
        }
        const auto r = ckpt::test::run(ckpt::test::systemPython(),
                                       {QStringLiteral("-c"), QString::fromUtf8(kTorchFigures),
                                        QString::fromStdString(fixture("torch_dtypes.pt"))});
        if (r.exitCode != 0 && r.err.contains("No module named 'torch'")) {
            QSKIP("torch is absent");
        }
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject ref = QJsonDocument::fromJson(r.out).object();
        const auto c = openCheckpoint(fixture("torch_dtypes.pt"));

        const Tensor& mask = *c->findTensor("mask")->tensor();
        QCOMPARE(mask.dtype(), DType::Bool);
        const TensorStats ms = computeStats(mask);
        const QJsonObject mref = ref["mask"].toObject();
        QVERIFY(ms.boolean && !ms.complexMagnitude);
        QCOMPARE(ms.count, std::uint64_t(mref["count"].toInteger()));
        QCOMPARE(ms.count - ms.zeros, std::uint64_t(mref["true"].toInteger()));
        QVERIFY(std::fabs(ms.mean - mref["mean"].toDouble()) <= 1e-15);
        QCOMPARE(ms.histogram.counts.size(), std::size_t(2));  // one bin per value: false, true
        QCOMPARE(ms.histogram.counts[1], ms.count - ms.zeros);

        for (const char* name : {"spectrum", "spectrum128"}) {
            const Tensor& t = *c->findTensor(name)->tensor();
            QVERIFY(dtypeIsComplex(t.dtype()));
            const TensorStats s = computeStats(t);
            const QJsonObject o = ref[QLatin1String(name)].toObject();
            QVERIFY(s.complexMagnitude && !s.boolean);
            QCOMPARE(s.count, std::uint64_t(o["count"].toInteger()));
            // complex64 magnitudes: torch computes |z| in float32, then widens.
            const double tol = t.dtype() == DType::Complex64 ? 1e-6 : 1e-12;
            for (const char* k : {"min", "max", "mean", "std"}) {
                const double want = o[QLatin1String(k)].toDouble();
                const double have = k == std::string("min")    ? s.min
                                    : k == std::string("max")  ? s.max
                                    : k == std::string("mean") ? s.mean
                                                               : s.std;
                QVERIFY2(std::fabs(have - want) <= tol * std::fabs(want),
                         qPrintable(QStringLiteral("%1 %2: %3 != %4")
                                        .arg(name, k)
                                        .arg(have, 0, 'g', 17)
                                        .arg(want, 0, 'g', 17)));
            }
            QVERIFY(s.min >= 0.0);  // magnitudes, not real parts
        }
    }

    void safetensorsExportKeepsFloat8Bytes() {
        QVERIFY(m_tmp.isValid());
        const auto source = openCheckpoint(fixture("float8.safetensors"));
        const QString out = m_tmp.filePath("f8.safetensors");
        const ExportReport report =
            exportCheckpoint(*source, ExportFormat::Safetensors, out.toStdString());
        QVERIFY(report.warnings.empty());  // nothing converted
        // The packed F4/F6 tensors are dropped with their reason, not written converted.
        QCOMPARE(report.dropped.size(), std::size_t(2));
        for (const auto& d : report.dropped) {
            QVERIFY2(d.find("not decoded") != std::string::npos, d.c_str());
        }
        const auto copy = openCheckpoint(out.toStdString());
        const QJsonObject before =
            safetensorsHeader(QString::fromStdString(fixture("float8.safetensors")));
        const QJsonObject after = safetensorsHeader(out);
        int float8 = 0;
        for (const Node* node : source->tensorNodes()) {
            const Tensor& t = *node->tensor();
            if (!t.readable()) {
                continue;
            }
            const Node* other = copy->findTensor(node->path());
            QVERIFY2(other != nullptr, node->path().c_str());
            const Tensor& u = *other->tensor();
            QCOMPARE(u.dtype(), t.dtype());
            QCOMPARE(u.shape(), t.shape());
            const QString key = QString::fromStdString(node->path());
            QCOMPARE(after[key].toObject()["dtype"].toString(),
                     before[key].toObject()["dtype"].toString());
            std::vector<std::byte> a(t.nbytes());
            std::vector<std::byte> b(u.nbytes());
            t.readRaw(0, t.numel(), a.data());
            u.readRaw(0, u.numel(), b.data());
            QVERIFY2(a == b, node->path().c_str());
            float8 += dtypeIsFloat8(t.dtype()) ? 1 : 0;
        }
        QCOMPARE(float8, 6);
    }

    void hdf5GetsDecodedFloat32WithANote() {
        QVERIFY(m_tmp.isValid());
        const auto source = openCheckpoint(fixture("float8.safetensors"));
        const Tensor& weight = *source->findTensor("weight")->tensor();
        QVERIFY(decodedFloat8View(*source->findTensor("mask")->tensor()) == nullptr);
        const auto view = decodedFloat8View(weight);
        QVERIFY(view != nullptr);
        QCOMPARE(view->dtype(), DType::Float32);
        QCOMPARE(view->shape(), weight.shape());
        QCOMPARE(view->storedBytes(), weight.nbytes());

        const QString out = m_tmp.filePath("decoded.h5");
        {
            Hdf5Writer w(out.toStdString());
            w.writeDataset("weight", *view, 64, [](std::uint64_t) {});
            w.close();
        }
        const auto written = openCheckpoint(out.toStdString());
        const Tensor& back = *written->findTensor("weight")->tensor();
        QCOMPARE(back.dtype(), DType::Float32);
        std::vector<std::byte> codes(weight.numel());
        weight.readRaw(0, weight.numel(), codes.data());
        std::vector<double> values(back.numel());
        back.readAsDouble(0, back.numel(), values.data());
        for (std::size_t i = 0; i < values.size(); ++i) {
            QCOMPARE(values[i], double(float8ToFloat(DType::Float8E4M3FN,
                                                     std::to_integer<std::uint8_t>(codes[i]))));
        }

        DecodedEncodings decoded;
        decoded.add(*view);
        decoded.add(weight);  // stored as itself: not counted
        const std::string note = decoded.note();
        QVERIFY2(note.find("1 tensor stored as float8_e4m3fn is written decoded, as float32") !=
                     std::string::npos,
                 note.c_str());
        QVERIFY2(note.find("(128 bytes in the file, 512 bytes written)") != std::string::npos,
                 note.c_str());

        // Without the view the writer refuses rather than writing bytes of another type.
        Hdf5Writer w(m_tmp.filePath("refused.h5").toStdString());
        QVERIFY(ckpt::test::throws<UnsupportedError>(
            [&] { w.writeDataset("weight", weight, 64, [](std::uint64_t) {}); }));
    }
};

QTEST_GUILESS_MAIN(TestDtypesExport)
#include "test_dtypes_export.moc"
