// computeStats(): every dtype against a long-double reference, exact histograms, chunk and thread
// independence, degenerate tensors, errors, cancellation and half-precision decoding.

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "core/analysis/tensor_stats.h"
#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/util/error.h"
#include "stats_reference.h"

using namespace ckpt::core;
using namespace ckpt::test::stats;

Q_DECLARE_METATYPE(ckpt::core::DType)

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Counts reads and can fail the read of a given chunk, like a truncated file would.
class ProbeSource final : public TensorSource {
public:
    ProbeSource(std::shared_ptr<const TensorSource> inner, int failAtRead = -1)
        : m_inner(std::move(inner)), m_failAtRead(failAtRead) {}
    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        if (m_reads.fetch_add(1) == m_failAtRead) {
            throw CorruptDataError("chunk at element " + std::to_string(first) + " is damaged");
        }
        m_inner->read(first, count, out);
    }
    [[nodiscard]] int reads() const { return m_reads.load(); }

private:
    std::shared_ptr<const TensorSource> m_inner;
    int m_failAtRead;
    mutable std::atomic<int> m_reads{0};
};

std::shared_ptr<const TensorSource> memorySource(DType t, std::vector<std::byte> bytes) {
    const std::size_t size = dtypeSize(t);
    const std::uint64_t n = bytes.size() / size;
    auto mem = std::make_shared<MemorySource>(std::move(bytes), "test");
    return std::make_shared<ContiguousTensorSource>(mem, 0, size, n, false);
}

Tensor makeTensor(DType t, std::vector<std::byte> bytes) {
    const std::uint64_t n = bytes.size() / dtypeSize(t);
    return Tensor(t, {n}, memorySource(t, std::move(bytes)));
}

template <typename T>
std::vector<std::byte> toBytes(const std::vector<T>& values) {
    std::vector<std::byte> out(values.size() * sizeof(T));
    std::memcpy(out.data(), values.data(), out.size());
    return out;
}

/// Asserts that every count equals a brute-force count for the histogram's own edges.
void checkHistogram(const Histogram& h, const std::vector<double>& values, std::uint64_t finite) {
    std::uint64_t sum = 0;
    for (const auto c : h.counts) {
        sum += c;
    }
    QCOMPARE(sum, finite);
    if (finite == 0) {
        QVERIFY(h.counts.empty());
        return;
    }
    std::vector<double> edges;
    for (std::size_t i = 0; i <= h.counts.size(); ++i) {
        edges.push_back(h.edge(i));
    }
    QCOMPARE(edges.back(), h.hi);
    std::vector<std::uint64_t> brute(h.counts.size(), 0);
    for (const double x : values) {
        if (!std::isfinite(x)) {
            continue;
        }
        QVERIFY2(x >= h.lo && x <= h.hi, "value outside the histogram range");
        auto bin = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), x) -
                                            edges.begin()) -
                   1;
        ++brute[std::min(bin, h.counts.size() - 1)];  // the last bin is closed
    }
    for (std::size_t i = 0; i < brute.size(); ++i) {
        if (h.counts[i] != brute[i]) {
            QFAIL(qPrintable(QString("bin %1 [%2, %3): %4 counted, %5 by brute force")
                                 .arg(i)
                                 .arg(edges[i], 0, 'g', 17)
                                 .arg(edges[i + 1], 0, 'g', 17)
                                 .arg(h.counts[i])
                                 .arg(brute[i])));
        }
    }
}

/// Compares with a two-pass long-double reference.
void checkAgainstReference(const TensorStats& s, const std::vector<double>& values,
                           double tolerance = 1e-12) {
    std::uint64_t finite = 0, zeros = 0, nans = 0, posInf = 0, negInf = 0;
    long double sum = 0;
    double min = kInf, max = -kInf;
    for (const double x : values) {
        zeros += x == 0.0;
        if (std::isnan(x)) {
            ++nans;
        } else if (std::isinf(x)) {
            ++(x > 0 ? posInf : negInf);
        } else {
            ++finite;
            sum += x;
            min = std::min(min, x);
            max = std::max(max, x);
        }
    }
    QCOMPARE(s.count, std::uint64_t(values.size()));
    QCOMPARE(s.finite, finite);
    QCOMPARE(s.zeros, zeros);
    QCOMPARE(s.nans, nans);
    QCOMPARE(s.posInf, posInf);
    QCOMPARE(s.negInf, negInf);
    if (finite == 0) {
        QVERIFY(std::isnan(s.min) && std::isnan(s.max) && std::isnan(s.mean) && std::isnan(s.std));
        return;
    }
    const long double mean = sum / finite;
    long double m2 = 0;
    for (const double x : values) {
        if (std::isfinite(x)) {
            m2 += (x - mean) * (x - mean);
        }
    }
    const auto std = static_cast<double>(std::sqrt(m2 / finite));
    QCOMPARE(s.min, min);
    QCOMPARE(s.max, max);
    const double scale = std::max(std::fabs(static_cast<double>(mean)), std);
    QVERIFY2(std::fabs(s.mean - static_cast<double>(mean)) <= tolerance * scale,
             qPrintable(QString("mean %1 vs %2").arg(s.mean, 0, 'g', 17).arg(double(mean))));
    QVERIFY2(std::fabs(s.std - std) <= tolerance * std + 1e-300,
             qPrintable(QString("std %1 vs %2").arg(s.std, 0, 'g', 17).arg(std, 0, 'g', 17)));
}

}  // namespace

class TestTensorStats : public QObject {
    Q_OBJECT

private slots:
    void matchesReference_data();
    void matchesReference();
    void countsNanInfAndZeros();
    void histogramEdgeCases_data();
    void histogramEdgeCases();
    void integerDataGetsOneBinPerValue();
    void forcedBinCount();
    void independentOfChunkSizeAndThreads();
    void allEqualValues();
    void emptyTensor();
    void nonNumericIsUnsupported();
    void sourceErrorPropagates_data();
    void sourceErrorPropagates();
    void cancelAfterFirstChunk_data();
    void cancelAfterFirstChunk();
    void progressCoversAllElements();
    void halfPrecisionBitPatterns();
    void largeOffsetKeepsPrecision_data();
    void largeOffsetKeepsPrecision();
};

void TestTensorStats::matchesReference_data() {
    QTest::addColumn<DType>("type");
    QTest::addColumn<int>("count");
    QTest::addColumn<quint64>("chunk");
    QTest::addColumn<int>("threads");
    for (const DType t :
         {DType::Bool,       DType::Int8,           DType::UInt8,          DType::Int16,
          DType::UInt16,     DType::Int32,          DType::UInt32,         DType::Int64,
          DType::UInt64,     DType::Float16,        DType::BFloat16,       DType::Float32,
          DType::Float64,    DType::Complex64,      DType::Complex128,     DType::Float8E4M3FN,
          DType::Float8E5M2, DType::Float8E4M3FNUZ, DType::Float8E5M2FNUZ, DType::Float8E8M0FNU}) {
        const auto name = std::string(dtypeName(t));
        QTest::addRow("%s", name.c_str()) << t << 10007 << quint64(1u << 20) << 0;
        QTest::addRow("%s/chunk-1000", name.c_str()) << t << 10007 << quint64(1000) << 0;
        if (dtypeSize(t) <= 2) {  // large enough to be counted per value, in two threads
            QTest::addRow("%s/large", name.c_str()) << t << 300001 << quint64(40000) << 2;
        }
    }
}

void TestTensorStats::matchesReference() {
    QFETCH(DType, type);
    QFETCH(int, count);
    QFETCH(quint64, chunk);
    QFETCH(int, threads);
    std::mt19937_64 rng(static_cast<unsigned>(type) * 7919 + chunk);
    const auto bytes = randomBytes(type, static_cast<std::size_t>(count), rng);
    const auto values = referenceValues(type, bytes);
    StatsOptions options;
    options.chunkElements = chunk;
    options.threads = threads;
    const auto s = computeStats(makeTensor(type, bytes), {}, options);
    checkAgainstReference(s, values);
    checkHistogram(s.histogram, values, s.finite);
    QVERIFY(s.histogram.lo <= s.min && s.histogram.hi >= s.max);
    QVERIFY(!s.histogram.counts.empty() && s.histogram.counts.size() <= 128);
    QCOMPARE(s.complexMagnitude, type == DType::Complex64 || type == DType::Complex128);
    QCOMPARE(s.boolean, type == DType::Bool);
}

void TestTensorStats::countsNanInfAndZeros() {
    const std::vector<float> v{0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1.0f, -2.0f, NAN, 0.0f};
    const auto s = computeStats(makeTensor(DType::Float32, toBytes(v)));
    QCOMPARE(s.count, 9u);
    QCOMPARE(s.finite, 5u);
    QCOMPARE(s.zeros, 3u);
    QCOMPARE(s.nans, 2u);
    QCOMPARE(s.posInf, 1u);
    QCOMPARE(s.negInf, 1u);
    QCOMPARE(s.min, -2.0);
    QCOMPARE(s.max, 1.0);
    QCOMPARE(s.mean, -0.2);
    QCOMPARE(s.std, std::sqrt((0.04 * 3 + 1.44 + 3.24) / 5));

    const std::vector<double> none{kNaN, kInf, -kInf, kNaN};
    const auto n = computeStats(makeTensor(DType::Float64, toBytes(none)));
    QCOMPARE(n.finite, 0u);
    QCOMPARE(n.nans, 2u);
    QVERIFY(std::isnan(n.min) && std::isnan(n.mean) && std::isnan(n.std));
    QVERIFY(n.histogram.counts.empty());
}

void TestTensorStats::histogramEdgeCases_data() {
    QTest::addColumn<QVector<double>>("values");
    QTest::addColumn<int>("minBins");
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 1.0);
    QVector<double> tiny, sorted, reversed, outliers, wide, subnormal, tinyBesideHuge;
    for (int i = 0; i < 5000; ++i) {
        // Tiny negatives beside a wide range: x / w underflows to -0.0 but belongs below 0.
        tiny << (i % 2 ? -1e-30 : 1e-30) * (i + 1) << 1e3 * normal(rng);
        sorted << i * 0.37 - 100.0;
        reversed.prepend(i * 1e-3);
        outliers << normal(rng) << (i % 1000 == 0 ? 1e12 : normal(rng));
        wide << (i % 2 ? 1.0 : -1.0) * 1e300 * normal(rng);
        subnormal << 4.9e-324 * (i % 7) - 1e-310 * (i % 3);
        // Here x / w underflows to -0.0 for the tiny negatives. The NaNs send the first blocks
        // through the scalar path, the others take the vector path.
        tinyBesideHuge << (i % 2 ? -1e-30 : 1e-30)
                       << (i < 500 && i % 7 == 0 ? kNaN : 1e300 * normal(rng));
    }
    QTest::newRow("tiny-beside-wide") << tiny << 10;
    QTest::newRow("ascending") << sorted << 10;
    QTest::newRow("descending") << reversed << 10;
    QTest::newRow("outliers") << outliers << 10;
    QTest::newRow("near-max-double") << wide << 10;
    QTest::newRow("tiny-beside-huge") << tinyBesideHuge << 10;
    // The grid stops at 2^-1000: subnormal-only data gets coarse, but still exact, bins.
    QTest::newRow("subnormal") << subnormal << 1;
}

void TestTensorStats::histogramEdgeCases() {
    QFETCH(QVector<double>, values);
    QFETCH(int, minBins);
    const std::vector<double> v(values.begin(), values.end());
    for (const std::uint64_t chunk : {std::uint64_t{1000}, std::uint64_t{1} << 20}) {
        StatsOptions options;
        options.chunkElements = chunk;
        const auto s = computeStats(makeTensor(DType::Float64, toBytes(v)), {}, options);
        if (std::fabs(s.max) < 1e150 && std::fabs(s.min) < 1e150) {
            checkAgainstReference(s, v, 1e-9);
        } else {  // squares overflow (documented): only the counts and extremes are checked
            QCOMPARE(s.finite, std::uint64_t(std::count_if(
                                   v.begin(), v.end(), [](double x) { return std::isfinite(x); })));
        }
        checkHistogram(s.histogram, v, s.finite);
        QVERIFY(int(s.histogram.counts.size()) >= minBins && s.histogram.counts.size() <= 128);
        // So many bins that every fine-grid edge is an edge (0 among them): no value may sit
        // one fine bin off.
        options.bins = 65536;
        const auto fine = computeStats(makeTensor(DType::Float64, toBytes(v)), {}, options);
        QCOMPARE(fine.histogram.counts.size(), std::size_t{65536});
        checkHistogram(fine.histogram, v, fine.finite);
    }
}

void TestTensorStats::integerDataGetsOneBinPerValue() {
    const std::vector<std::int8_t> v{-3, 5, 0, 0, 2, -3, 5, 5, 1, 4, -1, -2, 3};
    const auto s = computeStats(makeTensor(DType::Int8, toBytes(v)));
    QCOMPARE(s.histogram.lo, -3.5);
    QCOMPARE(s.histogram.hi, 5.5);
    const std::vector<std::uint64_t> expected{2, 1, 1, 2, 1, 1, 1, 1, 3};
    QCOMPARE(s.histogram.counts, expected);

    const std::vector<std::uint8_t> flags{1, 0, 1, 1, 0};
    const auto b = computeStats(makeTensor(DType::Bool, toBytes(flags)));
    QCOMPARE(b.histogram.counts, (std::vector<std::uint64_t>{2, 3}));
    QCOMPARE(b.histogram.lo, -0.5);
    QCOMPARE(b.mean, 0.6);

    // Too many values for one bin each: bins stay whole numbers wide, so each holds the same
    // number of integers; centred on integers while the range is small enough.
    for (const int step : {1, 3}) {
        std::vector<std::int16_t> wide;
        for (int i = -1000; i <= 1000 * step; i += step) {
            wide.push_back(static_cast<std::int16_t>(i));
        }
        const auto w = computeStats(makeTensor(DType::Int16, toBytes(wide)));
        QVERIFY(w.histogram.counts.size() >= 10 && w.histogram.counts.size() <= 128);
        const double width = w.histogram.binWidth();
        QCOMPARE(width, std::round(width));
        QCOMPARE(2 * w.histogram.lo, std::round(2 * w.histogram.lo));
        if (step == 1) {
            QCOMPARE(w.histogram.lo, -1000.5);
        }
        checkHistogram(w.histogram, referenceValues(DType::Int16, toBytes(wide)), w.finite);
    }
}

void TestTensorStats::forcedBinCount() {
    std::mt19937_64 rng(9);
    const auto bytes = randomBytes(DType::Float32, 3000, rng);
    const auto values = referenceValues(DType::Float32, bytes);
    for (const int bins : {1, 7, 300}) {
        StatsOptions options;
        options.bins = bins;
        const auto s = computeStats(makeTensor(DType::Float32, bytes), {}, options);
        QCOMPARE(int(s.histogram.counts.size()), bins);
        checkHistogram(s.histogram, values, s.finite);
    }
    StatsOptions options;
    options.bins = 4;
    const std::vector<std::int32_t> ints{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto s = computeStats(makeTensor(DType::Int32, toBytes(ints)), {}, options);
    QCOMPARE(s.histogram.counts, (std::vector<std::uint64_t>{3, 3, 3, 1}));
}

void TestTensorStats::independentOfChunkSizeAndThreads() {
    // The spread grows along the tensor, so the histogram grid must coarsen on the way.
    std::mt19937_64 rng(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<float> v(20000);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = static_cast<float>(normal(rng) * (1.0 + static_cast<double>(i) * 0.01) + 2.0);
    }
    v[123] = NAN;
    const Tensor t = makeTensor(DType::Float32, toBytes(v));
    StatsOptions options;
    options.chunkElements = v.size();
    const TensorStats whole = computeStats(t, {}, options);
    checkAgainstReference(whole, std::vector<double>(v.begin(), v.end()));
    for (const std::uint64_t chunk : {1, 7, 1000, 4096, 20000}) {
        for (const int threads : {1, 2, 3}) {
            options.chunkElements = chunk;
            options.threads = threads;
            const TensorStats s = computeStats(t, {}, options);
            QCOMPARE(s.count, whole.count);
            QCOMPARE(s.finite, whole.finite);
            QCOMPARE(s.nans, whole.nans);
            QCOMPARE(s.min, whole.min);
            QCOMPARE(s.max, whole.max);
            QVERIFY(std::fabs(s.mean - whole.mean) <= 1e-12 * whole.std);
            QVERIFY(std::fabs(s.std - whole.std) <= 1e-12 * whole.std);
            QCOMPARE(s.histogram.lo, whole.histogram.lo);
            QCOMPARE(s.histogram.hi, whole.histogram.hi);
            QCOMPARE(s.histogram.counts, whole.histogram.counts);
        }
    }
}

void TestTensorStats::allEqualValues() {
    const std::vector<float> v(1000, 3.25f);
    StatsOptions forced;
    forced.bins = 16;
    for (const auto& options : {StatsOptions{}, forced}) {
        const auto s = computeStats(makeTensor(DType::Float32, toBytes(v)), {}, options);
        QCOMPARE(s.min, 3.25);
        QCOMPARE(s.max, 3.25);
        QCOMPARE(s.mean, 3.25);
        QCOMPARE(s.std, 0.0);
        QCOMPARE(s.histogram.lo, 3.25);
        QCOMPARE(s.histogram.hi, 3.25);
        QCOMPARE(s.histogram.counts, std::vector<std::uint64_t>{1000});
    }
    const std::vector<std::int64_t> zeros(77, 0);
    const auto z = computeStats(makeTensor(DType::Int64, toBytes(zeros)));
    QCOMPARE(z.zeros, 77u);
    QCOMPARE(z.std, 0.0);
    QCOMPARE(z.histogram.counts, std::vector<std::uint64_t>{77});
}

void TestTensorStats::emptyTensor() {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    const Tensor t(DType::Float32, {0, 5}, memorySource(DType::Float32, {}));
    const auto s = computeStats(t, [&](std::uint64_t d, std::uint64_t n) {
        calls.emplace_back(d, n);
        return true;
    });
    QCOMPARE(s.count, 0u);
    QCOMPARE(s.finite, 0u);
    QVERIFY(std::isnan(s.min) && std::isnan(s.max) && std::isnan(s.mean) && std::isnan(s.std));
    QVERIFY(s.histogram.counts.empty());
    QCOMPARE(calls.size(), 1u);
    QCOMPARE(calls.front().second, 0u);
    const auto noSource = computeStats(Tensor(DType::Int8, {3, 0}));
    QCOMPARE(noSource.count, 0u);
}

void TestTensorStats::nonNumericIsUnsupported() {
    Tensor strings(DType::String, {4});
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, (void)computeStats(strings));
    Tensor compound(DType::Other, {2});
    compound.setDtypeDetail("compound {a: int32, b: float64}");
    try {
        (void)computeStats(compound);
        QFAIL("no exception");
    } catch (const UnsupportedError& e) {
        const QString what = e.what();
        QVERIFY2(what.contains("numeric") && what.contains("compound"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(UnsupportedError, (void)computeStats(Tensor(DType::Float32, {3})));
}

void TestTensorStats::sourceErrorPropagates_data() {
    QTest::addColumn<int>("threads");
    QTest::newRow("serial") << 1;
    QTest::newRow("two threads") << 2;
}

void TestTensorStats::sourceErrorPropagates() {
    QFETCH(int, threads);
    StatsOptions options;
    options.chunkElements = 100;
    options.threads = threads;
    const std::vector<float> v(1000, 1.0f);
    auto probe = std::make_shared<ProbeSource>(memorySource(DType::Float32, toBytes(v)), 3);
    QVERIFY_THROWS_EXCEPTION(
        CorruptDataError, (void)computeStats(Tensor(DType::Float32, {1000}, probe), {}, options));
    // A source whose bytes end early: the byte source's own bounds check fires.
    auto mem = std::make_shared<MemorySource>(toBytes(v), "short.bin");
    auto truncated = std::make_shared<ContiguousTensorSource>(mem, 0, 4, 2000, false);
    QVERIFY_THROWS_EXCEPTION(
        CorruptDataError,
        (void)computeStats(Tensor(DType::Float32, {2000}, truncated), {}, options));
}

void TestTensorStats::cancelAfterFirstChunk_data() {
    sourceErrorPropagates_data();
}

void TestTensorStats::cancelAfterFirstChunk() {
    QFETCH(int, threads);
    StatsOptions options;
    options.chunkElements = 100;
    options.threads = threads;
    const std::vector<double> v(100000, 2.0);
    auto probe = std::make_shared<ProbeSource>(memorySource(DType::Float64, toBytes(v)));
    const Tensor t(DType::Float64, {100000}, probe);
    QVERIFY_THROWS_EXCEPTION(CancelledError,
                             (void)computeStats(
                                 t, [](auto done, auto) { return done == 0; }, options));
    QVERIFY2(probe->reads() < 10, "kept reading after the cancel");
    QVERIFY_THROWS_EXCEPTION(CancelledError, (void)computeStats(
                                                 t, [](auto, auto) { return false; }, options));
}

void TestTensorStats::progressCoversAllElements() {
    const std::vector<std::int32_t> v(1050, 7);
    for (const int threads : {1, 2}) {
        StatsOptions options;
        options.chunkElements = 100;
        options.threads = threads;
        std::vector<std::uint64_t> done;
        (void)computeStats(
            makeTensor(DType::Int32, toBytes(v)),
            [&](std::uint64_t d, std::uint64_t total) {
                done.push_back(d);
                return total == 1050;
            },
            options);
        QVERIFY(std::is_sorted(done.begin(), done.end()));
        QCOMPARE(done.front(), 0u);
        QCOMPARE(done.back(), 1050u);
        if (threads == 1) {
            QCOMPARE(done.size(), 12u);  // the start and each of the 11 chunks
        }
    }
}

void TestTensorStats::halfPrecisionBitPatterns() {
    QCOMPARE(halfToFloat(0x3c00), 1.0f);
    QCOMPARE(halfToFloat(0xc000), -2.0f);
    QCOMPARE(halfToFloat(0x7bff), 65504.0f);
    QCOMPARE(halfToFloat(0x0400), std::ldexp(1.0f, -14));
    QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
    QCOMPARE(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
    QCOMPARE(halfToFloat(0x7c00), std::numeric_limits<float>::infinity());
    QCOMPARE(halfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
    QVERIFY(std::isnan(halfToFloat(0x7e00)));
    QVERIFY(std::signbit(halfToFloat(0x8000)) && halfToFloat(0x8000) == 0.0f);
    QCOMPARE(bfloat16ToFloat(0x3f80), 1.0f);
    QCOMPARE(bfloat16ToFloat(0xc040), -3.0f);
    QCOMPARE(bfloat16ToFloat(0x0001), std::ldexp(1.0f, -133));
    QCOMPARE(bfloat16ToFloat(0x7f80), std::numeric_limits<float>::infinity());
    QVERIFY(std::isnan(bfloat16ToFloat(0x7fc0)));

    const std::vector<std::uint16_t> half{0x3c00, 0x0001, 0x7c00, 0xc000, 0x7e00, 0x8000};
    const auto s = computeStats(makeTensor(DType::Float16, toBytes(half)));
    QCOMPARE(s.finite, 4u);
    QCOMPARE(s.zeros, 1u);
    QCOMPARE(s.nans, 1u);
    QCOMPARE(s.posInf, 1u);
    QCOMPARE(s.min, -2.0);
    QCOMPARE(s.max, 1.0);
    QCOMPARE(s.mean, (1.0 + std::ldexp(1.0, -24) - 2.0) / 4.0);
    const std::vector<std::uint16_t> bf{0x3f80, 0x4000, 0xff80};
    const auto b = computeStats(makeTensor(DType::BFloat16, toBytes(bf)));
    QCOMPARE(b.mean, 1.5);
    QCOMPARE(b.negInf, 1u);
}

void TestTensorStats::largeOffsetKeepsPrecision_data() {
    QTest::addColumn<DType>("type");
    QTest::addColumn<double>("offset");
    QTest::addColumn<double>("noise");
    QTest::addColumn<int>("count");
    QTest::newRow("float64 1e6+1e-3, 8 MiB, threads") << DType::Float64 << 1e6 << 1e-3 << (1 << 20);
    QTest::newRow("float64 1e6+1") << DType::Float64 << 1e6 << 1.0 << 100003;
    QTest::newRow("float64 -1e9+1e-2") << DType::Float64 << -1e9 << 1e-2 << 100003;
    QTest::newRow("float32 1e6+8") << DType::Float32 << 1e6 << 8.0 << (1 << 21);
}

void TestTensorStats::largeOffsetKeepsPrecision() {
    QFETCH(DType, type);
    QFETCH(double, offset);
    QFETCH(double, noise);
    QFETCH(int, count);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal(0.0, noise);
    std::vector<double> v(static_cast<std::size_t>(count));
    std::vector<float> f(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = offset + normal(rng);
        f[i] = static_cast<float>(v[i]);
        if (type == DType::Float32) {
            v[i] = f[i];
        }
    }
    const auto s = computeStats(makeTensor(type, type == DType::Float32 ? toBytes(f) : toBytes(v)));
    checkAgainstReference(s, v, 1e-9);
    checkHistogram(s.histogram, v, s.finite);
}

QTEST_GUILESS_MAIN(TestTensorStats)
#include "test_tensor_stats.moc"
