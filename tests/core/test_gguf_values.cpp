// GGUF: every decoded ggml type reads the values that an independent numpy dequantisation
// (gguf_reference.py, written from the spec's formulas) computes; the tree, shapes, sizes,
// grouped metadata and statistics of the fixtures in tests/fixtures/gguf.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <vector>

#include "common/test_support.h"
#include "core/analysis/tensor_stats.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/ggml_quant.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/gguf/") + QString::fromUtf8(name);
}

std::unique_ptr<Checkpoint> open(const char* name) {
    return openCheckpoint(fixture(name).toStdString());
}

}  // namespace

class TestGgufValues : public QObject {
    Q_OBJECT

private slots:
    void valuesMatchTheReference_data() {
        QTest::addColumn<QString>("file");
        for (const char* f :
             {"v3_types.gguf", "v3_types_edit.gguf", "v2.gguf", "align64.gguf", "tokenizer.gguf"}) {
            QTest::newRow(f) << QString::fromUtf8(f);
        }
    }
    void valuesMatchTheReference() {
        QFETCH(QString, file);
        if (!QFileInfo::exists(ckpt::test::systemPython())) {
            QSKIP("no /usr/bin/python3 for the reference");
        }
        const QString path = fixture(file.toUtf8().constData());
        const auto r = ckpt::test::run(
            ckpt::test::systemPython(),
            {QStringLiteral(CKPT_SOURCE_DIR "/tests/core/gguf_reference.py"), path});
        if (r.exitCode != 0 && r.err.contains("No module named 'numpy'")) {
            QSKIP("numpy is absent");
        }
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject ref = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!ref.isEmpty());
        const auto c = openCheckpoint(path.toStdString());
        QStringList types;
        for (auto it = ref.begin(); it != ref.end(); ++it) {
            const Node* node = c->findTensor(it.key().toStdString());
            QVERIFY2(node != nullptr, qPrintable(it.key()));
            const Tensor& t = *node->tensor();
            const QJsonObject o = it.value().toObject();
            const QJsonArray shape = o["shape"].toArray();
            QCOMPARE(t.shape().size(), std::size_t(shape.size()));
            for (qsizetype i = 0; i < shape.size(); ++i) {
                QCOMPARE(t.shape()[std::size_t(i)], std::uint64_t(shape[i].toInteger()));
            }
            const QJsonArray values = o["values"].toArray();
            QCOMPARE(t.numel(), std::uint64_t(values.size()));
            QVERIFY(t.readable());
            std::vector<double> got(std::size_t(values.size()));
            t.readAsDouble(0, got.size(), got.data());
            for (qsizetype i = 0; i < values.size(); ++i) {
                const double want = values[i].toDouble();
                const double have = got[std::size_t(i)];
                QVERIFY2(std::abs(have - want) <= 1e-6 * std::abs(want) + 1e-30,
                         qPrintable(QStringLiteral("%1[%2]: %3 != %4 (%5)")
                                        .arg(it.key())
                                        .arg(i)
                                        .arg(have, 0, 'g', 17)
                                        .arg(want, 0, 'g', 17)
                                        .arg(o["type"].toString())));
            }
            // A range that starts and ends inside blocks reads the same values.
            if (got.size() > 40) {
                std::vector<double> part(got.size() - 37);
                t.readAsDouble(17, part.size() - 3, part.data());
                for (std::size_t i = 0; i + 3 < part.size(); ++i) {
                    QCOMPARE(part[i], got[i + 17]);
                }
            }
            types << o["type"].toString();
        }
        if (file == QLatin1String("v3_types.gguf")) {
            for (const char* want : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
                                     "Q4_K", "Q5_K", "Q6_K", "Q8_K"}) {
                QVERIFY2(types.contains(QLatin1String(want)), want);
            }
        }
    }

    void blockSizesOfEveryType() {
        // ggml-common.h's block structs: {id, elements per block, bytes per block}.
        const std::uint32_t table[][3] = {
            {0, 1, 4},      {1, 1, 2},      {2, 32, 18},    {3, 32, 20},    {6, 32, 22},
            {7, 32, 24},    {8, 32, 34},    {9, 32, 36},    {10, 256, 84},  {11, 256, 110},
            {12, 256, 144}, {13, 256, 176}, {14, 256, 210}, {15, 256, 292}, {16, 256, 66},
            {17, 256, 74},  {18, 256, 98},  {19, 256, 50},  {20, 32, 18},   {21, 256, 110},
            {22, 256, 82},  {23, 256, 136}, {24, 1, 1},     {25, 1, 2},     {26, 1, 4},
            {27, 1, 8},     {28, 1, 8},     {29, 256, 56},  {30, 1, 2},     {34, 256, 54},
            {35, 256, 66},  {39, 32, 17}};
        for (const auto& row : table) {
            const auto t = ggmlType(row[0]);
            QVERIFY2(t.has_value(), qPrintable(QString::number(row[0])));
            QCOMPARE(t->blockElements, row[1]);
            QCOMPARE(t->blockBytes, row[2]);
        }
        for (const std::uint32_t removed : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 40u, 1000u}) {
            QVERIFY(!ggmlType(removed).has_value());
        }
    }

    void treeAndSizes() {
        const auto c = open("v3_types.gguf");
        QCOMPARE(c->format(), std::string("gguf"));
        QCOMPARE(c->metadata()["gguf_version"].get<int>(), 3);
        QCOMPARE(c->metadata()["general.architecture"].get<std::string>(), std::string("llama"));
        // Stored dims are innermost first; the shape is numpy's.
        const Node* q4k = c->findTensor("blk.0.q4_k");
        QVERIFY(q4k != nullptr);
        QCOMPARE(q4k->tensor()->shape(), (std::vector<std::uint64_t>{2, 256}));
        QCOMPARE(q4k->attributes()["ggml_dims"], Json::array({256, 2}));
        QCOMPARE(q4k->attributes()["ggml_type"].get<std::string>(), std::string("Q4_K"));
        QCOMPARE(q4k->tensor()->storedBytes(), std::uint64_t(2 * 144));
        QCOMPARE(q4k->tensor()->typeLabel(), std::string("Q4_K (float32)"));
        const Node* q2k = c->findTensor("blk.0.q2_k");
        QVERIFY(!q2k->tensor()->readable());
        QCOMPARE(q2k->tensor()->storedBytes(), std::uint64_t(84));
        QCOMPARE(q2k->tensor()->typeLabel(), std::string("Q2_K"));
        QCOMPARE(c->findTensor("blk.0.tq2_0")->tensor()->storedBytes(), std::uint64_t(66));
        // Not decoded: statistics say so.
        try {
            (void)computeStats(*q2k->tensor());
            QFAIL("stats of Q2_K did not throw");
        } catch (const UnsupportedError& e) {
            QVERIFY2(std::string(e.what()).find("not decoded") != std::string::npos, e.what());
        }
        // Decoded: statistics of the float32 values.
        const TensorStats s = computeStats(*q4k->tensor());
        QCOMPARE(s.count, std::uint64_t(512));
        QCOMPARE(s.finite, std::uint64_t(512));
        // Grouped metadata: one group per dotted prefix, values with their types.
        const Node* meta = c->root().findChild("metadata");
        QVERIFY(meta != nullptr);
        QVERIFY(meta->findChild("general") != nullptr);
        QVERIFY(meta->findChild("llama.attention") != nullptr);
        const Node* ctx = meta->findChild("llama")->findChild("context_length");
        QVERIFY(ctx != nullptr);
        QCOMPARE(ctx->value(), std::string("4096"));
        QCOMPARE(ctx->typeName(), std::string("u32"));
        const auto report = validateCheckpoint(*c);
        for (const auto& f : report.findings) {
            QVERIFY2(f.rule != "CKPT-I003", f.message.c_str());
        }
    }

    void tokenizerArraysAreSummarised() {
        const auto c = open("tokenizer.gguf");
        const Node* tokens = c->root().find("metadata/tokenizer.ggml/tokens");
        QVERIFY(tokens != nullptr);
        QCOMPARE(tokens->attributes()["count"].get<std::uint64_t>(), std::uint64_t(1500));
        QCOMPARE(tokens->attributes()["preview"].size(), std::size_t(kGgufPreviewForTest));
        QCOMPARE(tokens->attributes()["preview"][1].get<std::string>(), std::string("<s>"));
        QVERIFY2(tokens->value().starts_with("1500 × string: <unk>, <s>, </s>"),
                 tokens->value().c_str());
        QVERIFY(tokens->value().size() < 300);
        QCOMPARE(tokens->typeName(), std::string("array[string]"));
    }

    void alignmentAndV2() {
        const auto a = open("align64.gguf");
        QCOMPARE(a->metadata()["alignment"].get<int>(), 64);
        QCOMPARE(a->root().attributes()["data_offset"].get<std::uint64_t>() % 64, std::uint64_t(0));
        QCOMPARE(a->findTensor("b")->attributes()["offset"].get<std::uint64_t>(),
                 std::uint64_t(64));
        const auto v2 = open("v2.gguf");
        QCOMPARE(v2->metadata()["gguf_version"].get<int>(), 2);
        QCOMPARE(v2->tensorNodes().size(), std::size_t(2));
    }

private:
    static constexpr std::size_t kGgufPreviewForTest = 16;
};

QTEST_GUILESS_MAIN(TestGgufValues)
#include "test_gguf_values.moc"
