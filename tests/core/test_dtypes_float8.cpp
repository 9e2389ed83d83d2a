// 8-bit floats (issue 18): every code of each type against float8_reference.py (torch where it
// has the type, else the specs' definitions and Python's own binary16 decoder), the spec's
// landmark values, and the float8 tensors of safetensors and torch files read, summarised and
// compared with their float32 original.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "common/test_support.h"
#include "core/analysis/tensor_stats.h"
#include "core/diff/checkpoint_diff.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/dtype.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

struct Float8Type {
    DType dtype;
    const char* name;         ///< torch's and ml_dtypes' name
    const char* safetensors;  ///< the crate's dtype string
};

constexpr Float8Type kTypes[] = {
    {DType::Float8E4M3FN, "float8_e4m3fn", "F8_E4M3"},
    {DType::Float8E5M2, "float8_e5m2", "F8_E5M2"},
    {DType::Float8E4M3FNUZ, "float8_e4m3fnuz", "F8_E4M3FNUZ"},
    {DType::Float8E5M2FNUZ, "float8_e5m2fnuz", "F8_E5M2FNUZ"},
    {DType::Float8E8M0FNU, "float8_e8m0fnu", "F8_E8M0"},
};

std::string fixture(const char* name) {
    return CKPT_SOURCE_DIR "/tests/fixtures/dtypes/" + std::string(name);
}

/// True when `a` and `b` are the same double bit for bit, or both NaN.
bool sameValue(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) ||
           std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

double parseReference(const QString& text) {
    if (text == QLatin1String("nan")) {
        return std::nan("");
    }
    if (text == QLatin1String("inf") || text == QLatin1String("-inf")) {
        return text.startsWith('-') ? -INFINITY : INFINITY;
    }
    return std::strtod(text.toLatin1().constData(), nullptr);  // float.hex() text
}

}  // namespace

class TestDtypesFloat8 : public QObject {
    Q_OBJECT

    QJsonObject m_reference;

    /// The 256 reference values of `name`, or an empty vector (the test is then skipped).
    std::vector<double> reference(const char* name) {
        if (m_reference.isEmpty()) {
            const auto r = ckpt::test::run(
                ckpt::test::systemPython(),
                {QStringLiteral(CKPT_SOURCE_DIR "/tests/core/float8_reference.py")});
            if (r.exitCode != 0) {
                qWarning("float8_reference.py failed: %s", r.err.constData());
                return {};
            }
            m_reference = QJsonDocument::fromJson(r.out).object();
        }
        const QJsonObject entry = m_reference[QLatin1String(name)].toObject();
        std::vector<double> out;
        for (const auto& v : entry["values"].toArray()) {
            out.push_back(parseReference(v.toString()));
        }
        qInfo("%s: reference from %s", name, qPrintable(entry["source"].toString()));
        return out;
    }

private slots:
    void everyCodeMatchesTheReference_data() {
        QTest::addColumn<int>("index");
        for (int i = 0; i < 5; ++i) {
            QTest::newRow(kTypes[i].name) << i;
        }
    }
    void everyCodeMatchesTheReference() {
        QFETCH(int, index);
        const Float8Type& type = kTypes[index];
        if (!QFileInfo::exists(ckpt::test::systemPython())) {
            QSKIP("no /usr/bin/python3 for the reference");
        }
        const auto want = reference(type.name);
        QCOMPARE(want.size(), std::size_t(256));
        std::vector<std::byte> codes(256);
        for (int c = 0; c < 256; ++c) {
            codes[std::size_t(c)] = std::byte(c);
        }
        std::vector<double> converted(256);
        convertToDouble(type.dtype, codes.data(), 256, converted.data());
        for (int c = 0; c < 256; ++c) {
            const double one = float8ToFloat(type.dtype, std::uint8_t(c));
            QVERIFY2(sameValue(one, want[std::size_t(c)]),
                     qPrintable(QStringLiteral("%1 code 0x%2: %3, reference %4")
                                    .arg(type.name)
                                    .arg(c, 2, 16, QLatin1Char('0'))
                                    .arg(one, 0, 'g', 17)
                                    .arg(want[std::size_t(c)], 0, 'g', 17)));
            QVERIFY(sameValue(converted[std::size_t(c)], one));
        }
    }

    void specLandmarks() {
        // OCP OFP8 rev 1.0, table 1 (E4M3 / E5M2); arXiv 2206.02915 (FNUZ); OCP MX v1.0 (E8M0).
        const auto v = [](DType t, int code) {
            return double(float8ToFloat(t, std::uint8_t(code)));
        };
        QCOMPARE(v(DType::Float8E4M3FN, 0x7e), 448.0);
        QCOMPARE(v(DType::Float8E4M3FN, 0xfe), -448.0);
        QCOMPARE(v(DType::Float8E4M3FN, 0x08), std::ldexp(1.0, -6));  // min normal
        QCOMPARE(v(DType::Float8E4M3FN, 0x01), std::ldexp(1.0, -9));  // min subnormal
        QVERIFY(std::signbit(v(DType::Float8E4M3FN, 0x80)) && v(DType::Float8E4M3FN, 0x80) == 0);
        QCOMPARE(v(DType::Float8E5M2, 0x7b), 57344.0);
        QCOMPARE(v(DType::Float8E5M2, 0x7c), double(INFINITY));
        QCOMPARE(v(DType::Float8E5M2, 0xfc), -double(INFINITY));
        QCOMPARE(v(DType::Float8E5M2, 0x04), std::ldexp(1.0, -14));
        QCOMPARE(v(DType::Float8E5M2, 0x01), std::ldexp(1.0, -16));
        QCOMPARE(v(DType::Float8E4M3FNUZ, 0x7f), 240.0);
        QCOMPARE(v(DType::Float8E4M3FNUZ, 0x01), std::ldexp(1.0, -10));
        QCOMPARE(v(DType::Float8E5M2FNUZ, 0x7f), 57344.0);
        QCOMPARE(v(DType::Float8E5M2FNUZ, 0x01), std::ldexp(1.0, -17));
        QCOMPARE(v(DType::Float8E8M0FNU, 0x7f), 1.0);
        QCOMPARE(v(DType::Float8E8M0FNU, 0x00), std::ldexp(1.0, -127));
        QCOMPARE(v(DType::Float8E8M0FNU, 0xfe), std::ldexp(1.0, 127));
        // NaN codes: E4M3FN S.1111.111; E5M2 exponent 31 with a mantissa; FNUZ 0x80 only;
        // E8M0 0xff. Infinities only in E5M2.
        const std::pair<DType, std::vector<int>> nans[] = {
            {DType::Float8E4M3FN, {0x7f, 0xff}},
            {DType::Float8E5M2, {0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff}},
            {DType::Float8E4M3FNUZ, {0x80}},
            {DType::Float8E5M2FNUZ, {0x80}},
            {DType::Float8E8M0FNU, {0xff}},
        };
        for (const auto& [type, codes] : nans) {
            std::vector<int> found;
            int infinities = 0;
            for (int c = 0; c < 256; ++c) {
                if (std::isnan(v(type, c))) {
                    found.push_back(c);
                }
                infinities += std::isinf(v(type, c)) ? 1 : 0;
            }
            QCOMPARE(found, codes);
            QCOMPARE(infinities, type == DType::Float8E5M2 ? 2 : 0);
        }
    }

    void namesAndSizes() {
        for (const auto& t : kTypes) {
            QCOMPARE(std::string(dtypeName(t.dtype)), std::string(t.name));
            QCOMPARE(dtypeFromName(t.name), std::optional<DType>(t.dtype));
            QCOMPARE(dtypeSize(t.dtype), std::size_t(1));
            QVERIFY(dtypeIsNumeric(t.dtype) && dtypeIsFloat(t.dtype) && dtypeIsFloat8(t.dtype));
        }
        QVERIFY(!dtypeIsFloat8(DType::UInt8) && !dtypeIsFloat8(DType::Float16));
    }

    void safetensorsCodesReadAndSummarise() {
        const auto c = openCheckpoint(fixture("float8.safetensors"));
        for (const auto& t : kTypes) {
            const Node* node = c->findTensor("codes." + std::string(t.safetensors));
            QVERIFY2(node != nullptr, t.safetensors);
            const Tensor& tensor = *node->tensor();
            QCOMPARE(tensor.dtype(), t.dtype);
            QVERIFY(tensor.readable());
            QCOMPARE(tensor.storedBytes(), std::uint64_t(256));
            std::vector<double> values(256);
            tensor.readAsDouble(0, 256, values.data());
            int nans = 0;
            int posInf = 0;
            int negInf = 0;
            int zeros = 0;
            for (int code = 0; code < 256; ++code) {
                const double want = float8ToFloat(t.dtype, std::uint8_t(code));
                QVERIFY(sameValue(values[std::size_t(code)], want));
                nans += std::isnan(want) ? 1 : 0;
                posInf += want == INFINITY ? 1 : 0;
                negInf += want == -INFINITY ? 1 : 0;
                zeros += want == 0.0 ? 1 : 0;
            }
            const TensorStats s = computeStats(tensor);
            QCOMPARE(s.count, std::uint64_t(256));
            QCOMPARE(s.nans, std::uint64_t(nans));
            QCOMPARE(s.posInf, std::uint64_t(posInf));
            QCOMPARE(s.negInf, std::uint64_t(negInf));
            QCOMPARE(s.zeros, std::uint64_t(zeros));
            std::uint64_t inHistogram = 0;
            for (const auto n : s.histogram.counts) {
                inHistogram += n;
            }
            QCOMPARE(inHistogram, s.finite);
        }
        const TensorStats e4m3 = computeStats(*c->findTensor("codes.F8_E4M3")->tensor());
        QCOMPARE(e4m3.min, -448.0);
        QCOMPARE(e4m3.max, 448.0);
        const TensorStats e8m0 = computeStats(*c->findTensor("codes.F8_E8M0")->tensor());
        QCOMPARE(e8m0.min, std::ldexp(1.0, -127));
        QCOMPARE(e8m0.max, std::ldexp(1.0, 127));
    }

    void diffAgainstTheFloat32Original() {
        if (!QFileInfo::exists(ckpt::test::systemPython())) {
            QSKIP("no /usr/bin/python3 for the reference");
        }
        const auto e4m3 = reference("float8_e4m3fn");
        QCOMPARE(e4m3.size(), std::size_t(256));
        const auto a = openCheckpoint(fixture("float32.safetensors"));
        const auto b = openCheckpoint(fixture("float8.safetensors"));
        const Tensor& ta = *a->findTensor("weight")->tensor();
        const Tensor& tb = *b->findTensor("weight")->tensor();
        std::vector<double> va(128);
        std::vector<std::byte> codes(128);
        ta.readAsDouble(0, 128, va.data());
        tb.readRaw(0, 128, codes.data());
        double maxAbs = 0.0;
        double sumSq = 0.0;
        double normA = 0.0;
        for (std::size_t i = 0; i < 128; ++i) {
            const double d = va[i] - e4m3[std::to_integer<std::size_t>(codes[i])];
            maxAbs = std::max(maxAbs, std::fabs(d));
            sumSq += d * d;
            normA += va[i] * va[i];
        }
        QVERIFY(maxAbs >= 1000.0 - 448.0);  // the clipped weight

        const DiffReport r = diffCheckpoints(*a, *b);
        const TensorDiff* row = nullptr;
        for (const auto& t : r.tensors) {
            row = t.key == "weight" ? &t : row;
        }
        QVERIFY(row != nullptr);
        QCOMPARE(row->status, TensorDiffStatus::DtypeChanged);
        QCOMPARE(row->aDtype, DType::Float32);
        QCOMPARE(row->bDtype, DType::Float8E4M3FN);
        QVERIFY2(row->metrics.has_value(), row->note.c_str());
        QCOMPARE(row->metrics->numel, std::uint64_t(128));
        QCOMPARE(row->metrics->maxAbsDiff, maxAbs);
        QVERIFY(std::fabs(row->metrics->relL2 - std::sqrt(sumSq / normA)) <=
                1e-12 * std::sqrt(sumSq / normA));
        QVERIFY(row->metrics->relL2 > 0.0);
    }

    void torchFloat8Storages() {
        const auto t = openCheckpoint(fixture("torch_float8.pt"));
        const auto s = openCheckpoint(fixture("float8.safetensors"));
        const Tensor& weight = *t->findTensor("weight")->tensor();
        QCOMPARE(weight.dtype(), DType::Float8E4M3FN);
        QCOMPARE(weight.shape(), (std::vector<std::uint64_t>{8, 16}));
        std::vector<std::byte> fromTorch(128);
        std::vector<std::byte> fromSafetensors(128);
        weight.readRaw(0, 128, fromTorch.data());
        s->findTensor("weight")->tensor()->readRaw(0, 128, fromSafetensors.data());
        QVERIFY(fromTorch == fromSafetensors);

        const Tensor& codes = *t->findTensor("codes_e5m2")->tensor();
        QCOMPARE(codes.dtype(), DType::Float8E5M2);
        const TensorStats cs = computeStats(codes);
        QCOMPARE(cs.nans, std::uint64_t(6));
        QCOMPARE(cs.posInf, std::uint64_t(1));
        QCOMPARE(cs.negInf, std::uint64_t(1));
        QCOMPARE(cs.max, 57344.0);

        const Tensor& scales = *t->findTensor("scales")->tensor();
        QCOMPARE(scales.dtype(), DType::Float8E8M0FNU);
        std::vector<double> sv(4);
        scales.readAsDouble(0, 4, sv.data());
        QCOMPARE(sv, (std::vector<double>{std::ldexp(1.0, -127), 0.5, 1.0, std::ldexp(1.0, 127)}));

        // torch's packed float4 is shown by name and not read.
        const Tensor& packed = *t->findTensor("packed")->tensor();
        QCOMPARE(packed.dtype(), DType::Other);
        QCOMPARE(packed.dtypeDetail(), std::string("float4_e2m1fn_x2"));
        QVERIFY(!packed.readable());
        try {
            (void)computeStats(packed);
            QFAIL("statistics of a float4 tensor");
        } catch (const UnsupportedError& e) {
            QVERIFY2(std::string(e.what()).find("float4_e2m1fn_x2") != std::string::npos, e.what());
        }
    }

    void safetensorsPackedTypesAreNotDecoded() {
        const auto c = openCheckpoint(fixture("float8.safetensors"));
        for (const char* name : {"packed4", "packed6"}) {
            const Tensor& t = *c->findTensor(name)->tensor();
            QCOMPARE(t.dtype(), DType::Other);
            QVERIFY(!t.readable());
            QCOMPARE(t.storedBytes(), std::uint64_t(name == std::string("packed4") ? 8 : 6));
            QCOMPARE(t.typeLabel(), std::string(name == std::string("packed4") ? "F4" : "F6_E3M2"));
            QVERIFY2(t.dtypeDetail().find("not decoded: ") != std::string::npos,
                     t.dtypeDetail().c_str());
            try {
                (void)computeStats(t);
                QFAIL("statistics of a packed tensor");
            } catch (const UnsupportedError& e) {
                QVERIFY2(
                    std::string(e.what()).find("order of the packed elements") != std::string::npos,
                    e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestDtypesFloat8)
#include "test_dtypes_float8.moc"
