// GGUF files that are truncated, corrupt or hostile: huge array counts and string lengths,
// absurd dimension counts, data past the end of the file, element counts that overflow, duplicate
// names, bad alignments. Each gives a clear error naming file, format and offset (or a finding),
// without allocating what the file claims.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <string>

#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/util/limits.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

/// Writes GGUF bytes field by field.
struct Gguf {
    QByteArray b;
    Gguf& u32(std::uint32_t v) {
        b.append(reinterpret_cast<const char*>(&v), 4);
        return *this;
    }
    Gguf& u64(std::uint64_t v) {
        b.append(reinterpret_cast<const char*>(&v), 8);
        return *this;
    }
    Gguf& str(const std::string& s) {
        u64(s.size());
        b.append(s.data(), qsizetype(s.size()));
        return *this;
    }
    Gguf& header(std::uint64_t tensors, std::uint64_t kvs, std::uint32_t version = 3) {
        b = "GGUF";
        return u32(version).u64(tensors).u64(kvs);
    }
    Gguf& kvU32(const std::string& key, std::uint32_t v) { return str(key).u32(4).u32(v); }
    Gguf& tensor(const std::string& name, std::initializer_list<std::uint64_t> ne,
                 std::uint32_t type, std::uint64_t offset) {
        str(name).u32(std::uint32_t(ne.size()));
        for (auto d : ne) {
            u64(d);
        }
        return u32(type).u64(offset);
    }
    Gguf& pad(int alignment = 32) {
        while (b.size() % alignment != 0) {
            b.append('\0');
        }
        return *this;
    }
    Gguf& zeros(int n) {
        b.append(QByteArray(n, '\0'));
        return *this;
    }
};

}  // namespace

class TestGgufHostile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    QString write(const QString& name, const QByteArray& bytes) {
        const QString p = m_tmp.filePath(name);
        QFile f(p);
        if (!f.open(QIODevice::WriteOnly)) {
            qFatal("cannot write");
        }
        f.write(bytes);
        return p;
    }

    /// The error opening `bytes` gives; fails when it opens or throws something else.
    std::string errorOf(const QByteArray& bytes, bool wantOffset = true) {
        const QString path = write(QStringLiteral("h.gguf"), bytes);
        try {
            const auto c = openCheckpoint(path.toStdString());
            // Opened: reading every tensor must not crash either.
            (void)validateCheckpoint(*c);
        } catch (const Error& e) {
            const std::string what = e.what();
            if (what.find("h.gguf") == std::string::npos || e.context().format != "gguf" ||
                (wantOffset && !e.context().offset)) {
                qWarning("incomplete error: %s", what.c_str());
                return "incomplete: " + what;
            }
            return what;
        }
        return {};
    }

private slots:
    void truncatedEverywhere() {
        QFile f(QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/gguf/v3_types.gguf"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray whole = f.readAll();
        for (qsizetype n = 4; n < whole.size(); n += (n < 2000 ? 1 : 97)) {
            const std::string e = errorOf(whole.left(n), false);
            QVERIFY2(!e.empty() && e.rfind("incomplete", 0) != 0,
                     qPrintable(QStringLiteral("cut at %1: %2").arg(n).arg(e.c_str())));
        }
    }

    void hugeCounts() {
        // More key-values or tensors than the file could hold: refused before reserving.
        QVERIFY(errorOf(Gguf().header(0, ~0ull).b).find("metadata key-values") !=
                std::string::npos);
        QVERIFY(errorOf(Gguf().header(1ull << 60, 0).b).find("tensors, more than") !=
                std::string::npos);
        // An array claiming 2^62 strings, a string claiming 2^63 bytes.
        Gguf arr;
        arr.header(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(1ull << 62);
        QVERIFY2(errorOf(arr.b).find("an array claims") != std::string::npos,
                 errorOf(arr.b).c_str());
        Gguf s;
        s.header(0, 1).str("general.name").u32(8).u64(1ull << 63);
        QVERIFY2(errorOf(s.b).find("claims 9223372036854775808 bytes") != std::string::npos,
                 errorOf(s.b).c_str());
        Gguf key;
        key.header(0, 1).u64(~0ull).zeros(32);
        QVERIFY(errorOf(key.b).find("a metadata key claims") != std::string::npos);
        // Nested arrays past the limit.
        Gguf nested;
        nested.header(0, 1).str("deep").u32(9);
        for (int i = 0; i < 40; ++i) {
            nested.u32(9).u64(1);
        }
        nested.u32(0).u64(0);
        QVERIFY2(errorOf(nested.b).find("gguf-array-depth") != std::string::npos,
                 errorOf(nested.b).c_str());
        // The tensor-count limit, named with how to raise it.
        const auto saved = limits().ggufTensors;
        limits().ggufTensors = 2;
        Gguf many;
        many.header(3, 0).zeros(200);
        const std::string e = errorOf(many.b);
        limits().ggufTensors = saved;
        QVERIFY2(e.find("--limit gguf-tensors=N") != std::string::npos, e.c_str());
    }

    void badTensorInfos() {
        Gguf dims;
        dims.header(1, 0).str("t").u32(5).zeros(64);
        QVERIFY(errorOf(dims.b).find("claims 5 dimensions") != std::string::npos);
        Gguf absurd;
        absurd.header(1, 0).str("t").u32(0xFFFFFFFF).zeros(64);
        QVERIFY(errorOf(absurd.b).find("dimensions") != std::string::npos);
        // Element counts whose product overflows 64 bits, or whose bytes exceed the file.
        Gguf overflow;
        overflow.header(1, 0).tensor("t", {1ull << 40, 1ull << 40}, 0, 0).pad().zeros(32);
        QVERIFY2(errorOf(overflow.b).find("more elements than 2^64") != std::string::npos,
                 errorOf(overflow.b).c_str());
        Gguf big;
        big.header(1, 0).tensor("t", {1ull << 40, 4}, 12 /*Q4_K*/, 0).pad().zeros(32);
        QVERIFY2(errorOf(big.b).find("more bytes than the file holds") != std::string::npos,
                 errorOf(big.b).c_str());
        // A row that is not a whole number of blocks.
        Gguf rows;
        rows.header(1, 0).tensor("t", {31}, 2 /*Q4_0*/, 0).pad().zeros(32);
        QVERIFY(errorOf(rows.b).find("not a whole number of Q4_0 blocks") != std::string::npos);
        // Data past the end of the file; an offset near 2^64.
        Gguf past;
        past.header(1, 0).tensor("t", {8}, 0, 64).pad().zeros(32);
        QVERIFY(errorOf(past.b).find("past the end") != std::string::npos);
        Gguf wrap;
        wrap.header(1, 0).tensor("t", {8}, 0, ~0ull - 8).pad().zeros(32);
        QVERIFY(errorOf(wrap.b).find("past the end") != std::string::npos);
        // Duplicate tensor names and keys.
        Gguf dup;
        dup.header(2, 0).tensor("t", {8}, 0, 0).tensor("t", {8}, 0, 32).pad().zeros(64);
        QVERIFY(errorOf(dup.b).find("two tensors are named 't'") != std::string::npos);
        Gguf dupKey;
        dupKey.header(0, 2).kvU32("a.b", 1).kvU32("a.b", 2);
        QVERIFY(errorOf(dupKey.b).find("'a.b' appears twice") != std::string::npos);
        // Versions: 1 and big-endian are refused by name.
        QVERIFY(errorOf(Gguf().header(0, 0, 1).b).find("version 1") != std::string::npos);
        QVERIFY(errorOf(Gguf().header(0, 0, 0x03000000).b).find("big-endian") != std::string::npos);
        Gguf vtype;
        vtype.header(0, 1).str("k").u32(13).u32(0);
        QVERIFY(errorOf(vtype.b).find("unknown metadata value type 13") != std::string::npos);
    }

    void badAlignment() {
        Gguf zero;
        zero.header(0, 1).kvU32("general.alignment", 0);
        QVERIFY(errorOf(zero.b).find("not a power of two") != std::string::npos);
        Gguf odd;
        odd.header(0, 1).kvU32("general.alignment", 48);
        QVERIFY(errorOf(odd.b).find("not a power of two") != std::string::npos);
        Gguf type;
        type.header(0, 1).str("general.alignment").u32(8).str("32");
        QVERIFY(errorOf(type.b).find("not a u32") != std::string::npos);
    }

    void layoutProblemsAreFindings() {
        // Overlapping data, a misaligned offset and an unknown type open, and validate says so.
        Gguf g;
        g.header(4, 1)
            .str("general.architecture")
            .u32(8)
            .str("test")
            .tensor("a", {16}, 0, 0)
            .tensor("b", {16}, 0, 64)
            .tensor("c", {4}, 0, 68)
            .tensor("d", {4}, 99, 0)
            .pad()
            .zeros(160);
        const QString path = write(QStringLiteral("layout.gguf"), g.b);
        const auto c = openCheckpoint(path.toStdString());
        QCOMPARE(c->layoutProblems().size(), std::size_t(3));
        const auto report = validateCheckpoint(*c);
        int errors = 0;
        int warnings = 0;
        for (const auto& f : report.findings) {
            if (f.rule == "CKPT-I003") {
                (f.severity == Severity::Error ? errors : warnings) += 1;
            }
        }
        QCOMPARE(errors, 2);    // c overlaps b; d has an unknown type
        QCOMPARE(warnings, 1);  // c's offset 68 is not a multiple of 32
        QVERIFY(!c->findTensor("d")->tensor()->readable());
    }
};

QTEST_GUILESS_MAIN(TestGgufHostile)
#include "test_gguf_hostile.moc"
