// The element-wise comparison: metrics against a long-double reference for every dtype, the
// NaN/Inf and tolerance rules, chunk and thread independence, the bitwise fast path, direct file
// reads (pread and mapped chunks), progress, cancel, error context and the delta reader.

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "common/test_support.h"
#include "core/diff/delta_reader.h"
#include "core/diff/diff_accumulator.h"
#include "core/diff/diff_kernels.h"
#include "core/diff/tensor_compare.h"
#include "core/io/byte_source.h"
#include "core/io/chunk_reader.h"
#include "core/model/tensor.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

template <typename T>
std::vector<std::byte> bytesOf(const std::vector<T>& v) {
    std::vector<std::byte> out(v.size() * sizeof(T));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

/// A tensor over bytes held in memory (no file, so reads go through the source).
std::shared_ptr<Tensor> memTensor(DType t, std::vector<std::byte> bytes, std::uint64_t numel) {
    auto src = std::make_shared<MemorySource>(std::move(bytes), "mem");
    return std::make_shared<Tensor>(
        t, std::vector<std::uint64_t>{numel},
        std::make_shared<ContiguousTensorSource>(src, 0, dtypeSize(t), numel, false));
}

template <typename T>
std::shared_ptr<Tensor> tensorOf(const std::vector<T>& v, DType t) {
    return memTensor(t, bytesOf(v), v.size());
}

/// The metrics in long double, straight from the definitions (finite inputs).
TensorMetrics reference(const std::vector<double>& a, const std::vector<double>& b,
                        DiffTolerance tol = {}) {
    long double sAbs = 0, sSq = 0, sA = 0, sB = 0, dot = 0, mx = -1;
    TensorMetrics m;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const long double d = static_cast<long double>(a[i]) - b[i];
        const long double ad = std::fabs(d);
        sAbs += ad;
        sSq += d * d;
        sA += static_cast<long double>(a[i]) * a[i];
        sB += static_cast<long double>(b[i]) * b[i];
        dot += static_cast<long double>(a[i]) * b[i];
        if (ad > mx) {
            mx = ad;
            m.maxAbsDiffIndex = i;
        }
        m.mismatched += std::fabs(a[i] - b[i]) > tol.atol + tol.rtol * std::fabs(b[i]) ? 1 : 0;
    }
    const auto n = static_cast<long double>(a.size());
    m.numel = a.size();
    m.maxAbsDiff = static_cast<double>(mx);
    m.meanAbsDiff = static_cast<double>(sAbs / n);
    m.rmsDiff = static_cast<double>(std::sqrt(sSq / n));
    m.relL2 = static_cast<double>(std::sqrt(sSq) / std::sqrt(sA));
    m.cosine = static_cast<double>(dot / std::sqrt(sA) / std::sqrt(sB));
    return m;
}

bool close(double x, double y, double rel = 1e-12) {
    return std::fabs(x - y) <= rel * std::max({std::fabs(x), std::fabs(y), 1e-300});
}

void expectClose(const TensorMetrics& got, const TensorMetrics& want, double rel = 1e-12) {
    QCOMPARE(got.numel, want.numel);
    QVERIFY2(close(got.maxAbsDiff, want.maxAbsDiff, rel), "max_abs_diff");
    QCOMPARE(got.maxAbsDiffIndex, want.maxAbsDiffIndex);
    QVERIFY2(close(got.meanAbsDiff, want.meanAbsDiff, rel), "mean_abs_diff");
    QVERIFY2(close(got.rmsDiff, want.rmsDiff, rel), "rms_diff");
    QVERIFY2(close(got.relL2, want.relL2, rel), "rel_l2");
    QVERIFY2(close(got.cosine, want.cosine, rel), "cosine");
    QCOMPARE(got.mismatched, want.mismatched);
}

TensorMetrics compareOne(const Tensor& a, const Tensor& b, CompareOptions o = {}) {
    return compareTensorPairs({{&a, &b, "a.bin", "x", "b.bin", "x"}}, o).at(0);
}

std::vector<float> randomFloats(std::size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v) {
        x = dist(rng);
    }
    return v;
}

}  // namespace

class TestDiffMetrics : public QObject {
    Q_OBJECT

private slots:
    void float32MatchesReference() {
        const auto a = randomFloats(100003, 1);
        auto b = a;
        const auto noise = randomFloats(b.size(), 2, 1e-3f);
        for (std::size_t i = 0; i < b.size(); i += 3) {
            b[i] += noise[i];  // two thirds of the elements stay bitwise equal
        }
        const auto ta = tensorOf(a, DType::Float32);
        const auto tb = tensorOf(b, DType::Float32);
        const auto want = reference({a.begin(), a.end()}, {b.begin(), b.end()});
        const TensorMetrics got = compareOne(*ta, *tb);
        expectClose(got, want);
        QVERIFY(!got.identical);
        QCOMPARE(got.finite, got.numel);
        // The portable kernels give the same figures.
        diff_kernels::forceScalarKernels(true);
        const TensorMetrics scalar = compareOne(*ta, *tb);
        diff_kernels::forceScalarKernels(false);
        expectClose(scalar, want);
    }

    void otherDtypesConvert_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("float64") << int(DType::Float64);
        QTest::newRow("float16") << int(DType::Float16);
        QTest::newRow("bfloat16") << int(DType::BFloat16);
        QTest::newRow("int8") << int(DType::Int8);
        QTest::newRow("uint16") << int(DType::UInt16);
        QTest::newRow("int64") << int(DType::Int64);
        QTest::newRow("bool") << int(DType::Bool);
    }
    void otherDtypesConvert() {
        QFETCH(int, dtype);
        const auto t = static_cast<DType>(dtype);
        const std::size_t n = 5000, size = dtypeSize(t);
        // Random bytes kept to finite, moderate values (0x3f masks the top exponent bit of
        // float16/bfloat16); float64 gets random doubles.
        std::mt19937 rng(7);
        std::vector<std::byte> ra(n * size), rb(n * size);
        for (auto* bytes : {&ra, &rb}) {
            for (auto& x : *bytes) {
                x = static_cast<std::byte>(rng() & (t == DType::Bool ? 1 : 0x3f));
            }
        }
        if (t == DType::Float64) {
            const auto fa = randomFloats(n, 21), fb = randomFloats(n, 22);
            ra = bytesOf(std::vector<double>(fa.begin(), fa.end()));
            rb = bytesOf(std::vector<double>(fb.begin(), fb.end()));
        }
        std::vector<double> da(n), db(n);
        convertToDouble(t, ra.data(), n, da.data());
        convertToDouble(t, rb.data(), n, db.data());
        const auto ta = memTensor(t, ra, n);
        const auto tb = memTensor(t, rb, n);
        expectClose(compareOne(*ta, *tb), reference(da, db));
        // Against float32 copies of B: a dtype change still compares values.
        std::vector<float> fb(db.begin(), db.end());
        const auto tf = tensorOf(fb, DType::Float32);
        expectClose(compareOne(*ta, *tf), reference(da, {fb.begin(), fb.end()}), 1e-9);
    }

    void nanAndInfRules() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        const std::vector<double> a{nan, nan, 1.0, inf, inf, inf, -inf, 2.0, 3.0};
        const std::vector<double> b{nan, 1.0, nan, inf, -inf, 5.0, -inf, 2.5, 3.0};
        const auto ta = tensorOf(a, DType::Float64);
        const auto tb = tensorOf(b, DType::Float64);
        const TensorMetrics m = compareOne(*ta, *tb);
        QCOMPARE(m.numel, std::uint64_t{9});
        QCOMPARE(m.finite, std::uint64_t{2});         // (2, 2.5) and (3, 3)
        QCOMPARE(m.nanMismatched, std::uint64_t{2});  // NaN against a number, both ways
        QCOMPARE(m.infMismatched, std::uint64_t{2});  // inf vs -inf, inf vs 5
        QCOMPARE(m.mismatched, std::uint64_t{5});     // those four and 2 vs 2.5
        QCOMPARE(m.maxAbsDiff, 0.5);
        QCOMPARE(m.maxAbsDiffIndex, std::uint64_t{7});
        QCOMPARE(m.meanAbsDiff, 0.25);
        // All NaN, same places: equal, nothing finite to measure.
        const std::vector<float> allNan(10, std::nanf(""));
        const auto tn = tensorOf(allNan, DType::Float32);
        const TensorMetrics mn = compareOne(*tn, *tn);
        QCOMPARE(mn.mismatched, std::uint64_t{0});
        QVERIFY(mn.identical);
        QVERIFY(std::isnan(mn.relL2));
    }

    void toleranceBoundary() {
        // |a - b| <= atol + rtol * |b| is within tolerance, as numpy.isclose.
        const std::vector<double> a{1.0, 1.0, 100.0, 0.0};
        const std::vector<double> b{1.5, 1.25, 101.0, 1e-9};
        const auto ta = tensorOf(a, DType::Float64);
        const auto tb = tensorOf(b, DType::Float64);
        CompareOptions o;
        o.tolerance = {0.25, 0.0};
        QCOMPARE(compareOne(*ta, *tb, o).mismatched, std::uint64_t{2});  // 0.5 and 1.0
        o.tolerance = {0.0, 0.01};
        // 0.5 > 0.015, 0.25 > 0.0125, 1.0 <= 1.01, 1e-9 > 1e-11
        QCOMPARE(compareOne(*ta, *tb, o).mismatched, std::uint64_t{3});
        QCOMPARE(compareOne(*ta, *tb).mismatched, std::uint64_t{3});  // defaults: 1e-9 <= 1e-8
    }

    void zeroNorms() {
        const std::vector<float> zero(8, 0.0f), one(8, 1.0f);
        const auto tz = tensorOf(zero, DType::Float32);
        const auto to = tensorOf(one, DType::Float32);
        const TensorMetrics same = compareOne(*tz, *tz);
        QCOMPARE(same.relL2, 0.0);
        QCOMPARE(same.cosine, 1.0);
        QVERIFY(same.identical);
        const TensorMetrics grown = compareOne(*tz, *to);
        QVERIFY(std::isinf(grown.relL2));
        QCOMPARE(grown.cosine, 0.0);
        QCOMPARE(compareOne(*to, *tz).relL2, 1.0);
    }

    void identicalFastPath() {
        const auto a = randomFloats(3000, 9);
        const auto ta = tensorOf(a, DType::Float32);
        const auto tb = tensorOf(a, DType::Float32);
        CompareOptions o;
        o.chunkElements = 1000;
        const TensorMetrics m = compareOne(*ta, *tb, o);
        QVERIFY(m.identical);
        QCOMPARE(m.maxAbsDiff, 0.0);
        QCOMPARE(m.relL2, 0.0);
        QCOMPARE(m.cosine, 1.0);
        long double sq = 0;
        for (const float x : a) {
            sq += static_cast<long double>(x) * x;
        }
        QVERIFY(close(m.sumSqA, static_cast<double>(sq)));
        QCOMPARE(m.sumSqA, m.sumSqB);
        // One differing chunk out of three: not identical, and the sums still cover all.
        auto b = a;
        b[2500] += 1.0f;
        const auto tc = tensorOf(b, DType::Float32);
        const TensorMetrics d = compareOne(*ta, *tc, o);
        QVERIFY(!d.identical);
        expectClose(d, reference({a.begin(), a.end()}, {b.begin(), b.end()}));
        // Same bytes but different dtypes are never "identical".
        const std::vector<std::int32_t> ints(4, 0);
        const std::vector<float> floats(4, 0.0f);
        const auto ti = tensorOf(ints, DType::Int32);
        const auto tf = tensorOf(floats, DType::Float32);
        QVERIFY(!compareOne(*ti, *tf).identical);
    }

    void chunksAndThreadsDoNotChangeResults() {
        const auto a = randomFloats(250001, 3, 10.0f);
        const auto b = randomFloats(250001, 4, 10.0f);
        const auto ta = tensorOf(a, DType::Float32);
        const auto tb = tensorOf(b, DType::Float32);
        const auto want = reference({a.begin(), a.end()}, {b.begin(), b.end()});
        CompareOptions o;
        o.chunkElements = 4099;
        o.threads = 1;
        const TensorMetrics serial = compareOne(*ta, *tb, o);
        expectClose(serial, want);
        for (const int threads : {2, 3, 8}) {
            o.threads = threads;
            const TensorMetrics parallel = compareOne(*ta, *tb, o);
            // Same chunks folded in the same order: the very same doubles.
            QCOMPARE(parallel.sumSqDiff, serial.sumSqDiff);
            QCOMPARE(parallel.dot, serial.dot);
            QCOMPARE(parallel.relL2, serial.relL2);
            QCOMPARE(parallel.maxAbsDiffIndex, serial.maxAbsDiffIndex);
        }
        for (const std::uint64_t chunk : {1ull, 777ull, 1ull << 20}) {
            o.chunkElements = chunk;
            o.threads = 2;
            expectClose(compareOne(*ta, *tb, o), want);
        }
    }

    void progressAndCancel() {
        const auto a = randomFloats(100000, 5);
        const auto ta = tensorOf(a, DType::Float32);
        const auto tb = tensorOf(randomFloats(100000, 6), DType::Float32);
        const std::vector<ComparePair> pairs{{ta.get(), tb.get(), "a", "x", "b", "x"},
                                             {tb.get(), ta.get(), "b", "x", "a", "x"}};
        for (const int threads : {1, 2}) {
            CompareOptions o;
            o.chunkElements = 10000;
            o.threads = threads;
            std::vector<std::uint64_t> seen;
            std::uint64_t total = 0;
            (void)compareTensorPairs(pairs, o, [&](std::uint64_t done, std::uint64_t t) {
                seen.push_back(done);
                total = t;
                return true;
            });
            QCOMPARE(total, std::uint64_t{4 * 400000});
            QVERIFY(std::is_sorted(seen.begin(), seen.end()));
            QCOMPARE(seen.back(), total);
            int calls = 0;
            QVERIFY(ckpt::test::throws<CancelledError>([&] {
                (void)compareTensorPairs(pairs, o,
                                         [&](std::uint64_t, std::uint64_t) { return ++calls < 3; });
            }));
        }
    }

    void readErrorsNameFileAndTensor() {
        // The source claims more elements than its bytes hold.
        auto src = std::make_shared<MemorySource>(std::vector<std::byte>(16), "short.bin");
        Tensor bad(DType::Float32, {100},
                   std::make_shared<ContiguousTensorSource>(src, 0, 4, 100, false));
        const auto good = tensorOf(std::vector<float>(100, 1.0f), DType::Float32);
        try {
            (void)compareTensorPairs({{good.get(), &bad, "a.h5", "x", "b.h5", "layer/kernel"}});
            QFAIL("expected an error");
        } catch (const CorruptDataError& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("short.bin") || what.contains("b.h5"), e.what());
            QVERIFY2(what.contains("layer/kernel"), e.what());
        }
        Tensor differentSize(DType::Float32, {3});
        QVERIFY(
            ckpt::test::throws<UnsupportedError>([&] { (void)compareOne(*good, differentSize); }));
    }

    void directFileReads() {
        QTemporaryDir dir;
        const QString path = dir.filePath("t.bin");
        const std::size_t n = (1u << 18) + 123;  // over 256 KiB: mapped; the tail is pread
        const auto a = randomFloats(n, 11);
        const auto b = randomFloats(n, 12);
        {
            std::ofstream f(path.toStdString(), std::ios::binary);
            f.write("odd", 3);  // element 0 at an odd offset
            f.write(reinterpret_cast<const char*>(a.data()), std::streamsize(n * 4));
            f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(n * 4));
        }
        const auto file = FileSource::open(path.toStdString());
        const auto slice = std::make_shared<SliceSource>(file, 3, 2 * n * 4, "slice");
        Tensor ta(DType::Float32, {n},
                  std::make_shared<ContiguousTensorSource>(slice, 0, 4, n, false));
        Tensor tb(DType::Float32, {n},
                  std::make_shared<ContiguousTensorSource>(slice, n * 4, 4, n, false));
        QVERIFY(ta.source()->fileExtent().has_value());
        QCOMPARE(ta.source()->fileExtent()->offset, std::uint64_t{3});
        OpenFiles files;
        const ChunkReader reader(tb, files);
        QVERIFY(reader.direct());
        std::vector<std::byte> buffer;
        MappedRange mapping;
        const std::byte* view = reader.view(5, n - 5, buffer, mapping);
        QCOMPARE(std::memcmp(view, b.data() + 5, (n - 5) * 4), 0);
        std::vector<float> small(7);
        reader.read(n - 7, 7, reinterpret_cast<std::byte*>(small.data()));
        QCOMPARE(std::memcmp(small.data(), b.data() + n - 7, 28), 0);
        CompareOptions o;
        o.chunkElements = 100000;
        expectClose(compareOne(ta, tb, o), reference({a.begin(), a.end()}, {b.begin(), b.end()}));
    }

    void deltaReader() {
        const std::vector<float> a{1.0f, 2.0f, 3.0f, 4.0f};
        const std::vector<std::int16_t> b{2, 2, 1, 8};
        const auto ta = tensorOf(a, DType::Float32);
        const auto tb = tensorOf(b, DType::Int16);
        const DeltaReader reader(ta, tb);
        QCOMPARE(reader.numel(), std::uint64_t{4});
        std::vector<double> delta(3), va(3), vb(3);
        reader.read(1, 3, delta.data(), va.data(), vb.data());
        QCOMPARE(delta, (std::vector<double>{0.0, -2.0, 4.0}));
        QCOMPARE(va, (std::vector<double>{2.0, 3.0, 4.0}));
        QCOMPARE(vb, (std::vector<double>{2.0, 1.0, 8.0}));
        reader.read(0, 1, delta.data());
        QCOMPARE(delta[0], 1.0);
        QVERIFY(ckpt::test::throws<CorruptDataError>([&] { reader.read(2, 3, delta.data()); }));
        const auto shorter = tensorOf(std::vector<float>{1.0f}, DType::Float32);
        QVERIFY(ckpt::test::throws<UnsupportedError>([&] { DeltaReader(ta, shorter); }));
    }

    void compensatedSum() {
        CompensatedSum s;
        s.add(1e16);
        for (int i = 0; i < 1000; ++i) {
            s.add(1.0);
        }
        s.add(-1e16);
        QCOMPARE(s.value(), 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestDiffMetrics)
#include "test_diff_metrics.moc"
