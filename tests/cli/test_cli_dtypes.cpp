// `ckpt` on the dtype fixtures of issue 18: tensors --json names the 8-bit float types and says
// why packed ones are not decoded; stats counts NaN/Inf codes, states what complex and bool
// figures mean; diff compares a float8 file with its float32 original.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "common/test_support.h"

using ckpt::test::cliPath;
using ckpt::test::run;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/dtypes/") + QString::fromUtf8(name);
}

}  // namespace

class TestCliDtypes : public QObject {
    Q_OBJECT

private slots:
    void tensorsJson() {
        const auto r = run(cliPath(), {QStringLiteral("tensors"), QStringLiteral("--json"),
                                       fixture("float8.safetensors")});
        QCOMPARE(r.exitCode, 0);
        const QJsonDocument doc = QJsonDocument::fromJson(r.out);
        QVERIFY2(!doc.isNull(), r.out.left(300).constData());
        const QJsonArray rows = doc.isArray() ? doc.array() : doc.object()["tensors"].toArray();
        QMap<QString, QJsonObject> byPath;
        for (const auto& v : rows) {
            byPath[v.toObject()["path"].toString()] = v.toObject();
        }
        const std::pair<const char*, const char*> float8[] = {
            {"codes.F8_E4M3", "float8_e4m3fn"},       {"codes.F8_E5M2", "float8_e5m2"},
            {"codes.F8_E4M3FNUZ", "float8_e4m3fnuz"}, {"codes.F8_E5M2FNUZ", "float8_e5m2fnuz"},
            {"codes.F8_E8M0", "float8_e8m0fnu"},      {"weight", "float8_e4m3fn"},
        };
        for (const auto& [path, dtype] : float8) {
            QVERIFY2(byPath.contains(QLatin1String(path)), path);
            QCOMPARE(byPath[QLatin1String(path)]["dtype"].toString(), QLatin1String(dtype));
        }
        QCOMPARE(byPath["mask"]["dtype"].toString(), QStringLiteral("bool"));
        QCOMPARE(byPath["spectrum"]["dtype"].toString(), QStringLiteral("complex64"));
        const QJsonObject f4 = byPath["packed4"];
        QCOMPARE(f4["encoding"].toString(), QStringLiteral("F4"));
        QCOMPARE(f4["stored_bytes"].toInt(), 8);
        QVERIFY2(f4["dtype_detail"].toString().contains(QLatin1String("not decoded")),
                 qPrintable(f4["dtype_detail"].toString()));
    }

    void statsOfFloat8Codes() {
        const auto r =
            run(cliPath(), {QStringLiteral("stats"), QStringLiteral("--json"),
                            fixture("float8.safetensors"), QStringLiteral("codes.F8_E5M2")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        // E5M2: 256 codes, NaN at exponent 31 with a mantissa (6 codes), +-Inf, +-0,
        // largest finite 57344 (OCP OFP8 table 1).
        QCOMPARE(j["count"].toInt(), 256);
        QCOMPARE(j["nans"].toInt(), 6);
        QCOMPARE(j["pos_inf"].toInt(), 1);
        QCOMPARE(j["neg_inf"].toInt(), 1);
        QCOMPARE(j["zeros"].toInt(), 2);
        QCOMPARE(j["max"].toDouble(), 57344.0);
        QCOMPARE(j["min"].toDouble(), -57344.0);

        const auto text = run(cliPath(), {QStringLiteral("stats"), fixture("torch_float8.pt"),
                                          QStringLiteral("weight")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("float8_e4m3fn [8, 16]"), text.out.constData());
    }

    void statsSayWhatComplexAndBoolFiguresAre() {
        const auto c = run(cliPath(), {QStringLiteral("stats"), fixture("torch_dtypes.pt"),
                                       QStringLiteral("spectrum")});
        QCOMPARE(c.exitCode, 0);
        QVERIFY2(c.out.contains("magnitude |z|"), c.out.constData());
        const auto cj = run(cliPath(), {QStringLiteral("stats"), QStringLiteral("--json"),
                                        fixture("torch_dtypes.pt"), QStringLiteral("spectrum")});
        QCOMPARE(QJsonDocument::fromJson(cj.out).object()["of"].toString(),
                 QStringLiteral("magnitude"));

        const auto b = run(cliPath(), {QStringLiteral("stats"), QStringLiteral("--json"),
                                       fixture("torch_dtypes.pt"), QStringLiteral("mask")});
        QCOMPARE(b.exitCode, 0);
        const QJsonObject bj = QJsonDocument::fromJson(b.out).object();
        QCOMPARE(bj["count"].toInt(), 24);
        QCOMPARE(bj["true"].toInt(), bj["count"].toInt() - bj["zeros"].toInt());
        QCOMPARE(bj["mean"].toDouble(), bj["true"].toDouble() / 24.0);
    }

    void packedTypesRefuseStatsClearly() {
        const auto r = run(cliPath(), {QStringLiteral("stats"), fixture("float8.safetensors"),
                                       QStringLiteral("packed4")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not decoded"), r.err.constData());
    }

    void diffAgainstFloat32() {
        const auto r =
            run(cliPath(), {QStringLiteral("diff"), QStringLiteral("--json"),
                            fixture("float32.safetensors"), fixture("float8.safetensors")});
        QCOMPARE(r.exitCode, 1);  // differences found
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        bool seen = false;
        for (const auto& v : j["tensors"].toArray()) {
            const QJsonObject t = v.toObject();
            if (t["key"].toString() != QLatin1String("weight")) {
                continue;
            }
            seen = true;
            QCOMPARE(t["status"].toString(), QStringLiteral("dtype_changed"));
            QCOMPARE(t["a_dtype"].toString(), QStringLiteral("float32"));
            QCOMPARE(t["b_dtype"].toString(), QStringLiteral("float8_e4m3fn"));
            QCOMPARE(t["numel"].toInt(), 128);
            // Rounded to 3 mantissa bits and one weight clipped from 1000 to 448: not zero.
            QVERIFY2(t["rel_l2"].toDouble() > 0.0 && t["rel_l2"].toDouble() < 1.0,
                     r.out.left(400).constData());
        }
        QVERIFY2(seen, r.out.left(400).constData());
    }
};

QTEST_GUILESS_MAIN(TestCliDtypes)
#include "test_cli_dtypes.moc"
