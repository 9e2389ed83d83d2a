// HDF5 datasets as tensors: every element range of chunked, compressed, big-endian, scalar and
// small-float datasets reads back what h5py wrote.

#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

class TestHdf5Dataset : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<Checkpoint> m_checkpoint;

    const Tensor& tensor(const char* path) {
        const Node* n = m_checkpoint->findTensor(path);
        if (n == nullptr) {
            qFatal("missing tensor %s", path);
        }
        return *n->tensor();
    }

private slots:
    void initTestCase() {
        const QString file = m_tmp.filePath("datasets.h5");
        const QString script = R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('chunked', data=np.arange(7*5*3, dtype='<f4').reshape(7,5,3), chunks=(2,2,2), compression='gzip')
    f.create_dataset('big_endian', data=np.arange(12, dtype='>i4').reshape(3,4))
    f.create_dataset('half', data=np.array([1.0, -2.5, 65504, np.inf], dtype='<f2'))
    f.create_dataset('flags', data=np.array([True, False, True]))
    f.create_dataset('scalar', data=np.float64(3.25))
    f.create_dataset('empty', data=np.zeros((0, 4), dtype='f4'))
    f.create_dataset('row_chunks', data=np.arange(1000, dtype='<i8').reshape(10, 100), chunks=(3, 100))
    f.create_dataset('names', data=np.array([b'a', b'bc']))
)";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, file});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 with h5py unavailable: " + r.err));
        }
        m_checkpoint = openCheckpoint(file.toStdString());
        QCOMPARE(m_checkpoint->format(), std::string("hdf5"));
    }

    void chunkedEveryRange() {
        const Tensor& t = tensor("chunked");
        QCOMPARE(t.shape(), (std::vector<std::uint64_t>{7, 5, 3}));
        QVERIFY(t.source()->storageDescription().find("chunked") != std::string::npos);
        QVERIFY(t.source()->storageDescription().find("deflate") != std::string::npos);
        const std::uint64_t n = t.numel();
        for (std::uint64_t first = 0; first < n; first += 4) {
            for (std::uint64_t count : std::vector<std::uint64_t>{1, 2, 3, 14, 15, 16, 31, n}) {
                count = std::min(count, n - first);
                std::vector<double> v(count);
                t.readAsDouble(first, count, v.data());
                for (std::uint64_t i = 0; i < count; ++i) {
                    QCOMPARE(v[i], static_cast<double>(first + i));
                }
            }
        }
    }

    void rowChunksRandomRanges() {
        const Tensor& t = tensor("row_chunks");
        std::mt19937 rng(7);
        for (int k = 0; k < 200; ++k) {
            const std::uint64_t first = rng() % 1000;
            const std::uint64_t count = 1 + rng() % (1000 - first);
            std::vector<double> v(count);
            t.readAsDouble(first, count, v.data());
            QCOMPARE(v.front(), static_cast<double>(first));
            QCOMPARE(v.back(), static_cast<double>(first + count - 1));
        }
    }

    void bigEndianIsSwapped() {
        const Tensor& t = tensor("big_endian");
        QCOMPARE(t.fileByteOrder(), ByteOrder::Big);
        QCOMPARE(t.dtype(), DType::Int32);
        std::vector<double> v(12);
        t.readAsDouble(0, 12, v.data());
        for (int i = 0; i < 12; ++i) {
            QCOMPARE(v[static_cast<std::size_t>(i)], static_cast<double>(i));
        }
    }

    void smallTypes() {
        const Tensor& half = tensor("half");
        QCOMPARE(half.dtype(), DType::Float16);
        std::vector<double> h(4);
        half.readAsDouble(0, 4, h.data());
        QCOMPARE(h[0], 1.0);
        QCOMPARE(h[1], -2.5);
        QCOMPARE(h[2], 65504.0);
        QVERIFY(std::isinf(h[3]));

        const Tensor& flags = tensor("flags");
        QCOMPARE(flags.dtype(), DType::Bool);
        std::vector<double> b(3);
        flags.readAsDouble(0, 3, b.data());
        QCOMPARE(b, (std::vector<double>{1, 0, 1}));

        const Tensor& scalar = tensor("scalar");
        QVERIFY(scalar.shape().empty());
        QCOMPARE(scalar.numel(), 1ull);
        double s = 0;
        scalar.readAsDouble(0, 1, &s);
        QCOMPARE(s, 3.25);
    }

    void emptyAndStrings() {
        QCOMPARE(tensor("empty").numel(), 0ull);
        const Tensor& names = tensor("names");
        QCOMPARE(names.dtype(), DType::String);
        QVERIFY(!names.readable());
        QCOMPARE(names.shape(), std::vector<std::uint64_t>{2});
    }

    void outOfRangeIsAnError() {
        const Tensor& t = tensor("chunked");
        std::vector<double> v(2);
        QVERIFY(ckpt::test::throws<CorruptDataError>(
            [&] { t.readAsDouble(t.numel() - 1, 2, v.data()); }));
    }
};

QTEST_GUILESS_MAIN(TestHdf5Dataset)
#include "test_hdf5_dataset.moc"
