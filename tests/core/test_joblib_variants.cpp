// joblib array layouts written here by joblib 1.2: with the alignment pad byte (default), with
// numpy_array_alignment_bytes None, and without the key at all (joblib <= 1.1 files have no pad
// byte), for C/Fortran order, big-endian and object arrays, plain and compressed.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <cstring>

#include "common/test_support.h"
#include "core/formats/joblib_decompress.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

const char* kDump =
    "import sys, numpy as np, joblib, joblib.numpy_pickle as jnp\n"
    "mode, out, compress = sys.argv[1], sys.argv[2], sys.argv[3]\n"
    "orig = jnp.NumpyArrayWrapper.__init__\n"
    "def init(self, *a, **k):\n"
    "    orig(self, *a, **k)\n"
    "    if mode == 'none': self.numpy_array_alignment_bytes = None\n"
    "    if mode == 'absent': del self.numpy_array_alignment_bytes\n"
    "jnp.NumpyArrayWrapper.__init__ = init\n"
    "obj = {'c': np.arange(6, dtype='<f4').reshape(2, 3),\n"
    "       'f': np.asfortranarray(np.arange(12, dtype='<f8').reshape(3, 4)),\n"
    "       'be': np.arange(5, dtype='>i4'), 'o': np.array(['a', 1, None], dtype=object),\n"
    "       'odd': np.arange(3, dtype='u1'), 'after': 7}\n"
    "joblib.dump(obj, out, compress=(compress, 3) if compress != 'none' else 0)\n";

std::vector<double> values(const Node* n) {
    std::vector<double> v(n->tensor()->numel());
    n->tensor()->readAsDouble(0, v.size(), v.data());
    return v;
}

}  // namespace

class TestJoblibVariants : public QObject {
    Q_OBJECT

private slots:
    // An lzma header may name any dictionary size, and liblzma allocates it: a 56-byte stream
    // (found by fuzzing) asked for 1.3 GiB. Refused by the decoder's memory limit instead.
    void lzmaDictionaryIsBounded() {
        QFile f(ckpt::test::fixture("fuzz-regressions/joblib/lzma_huge_dictionary.bin"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll().mid(1);  // the harness's method byte: 'J' -> lzma
        std::vector<std::byte> bytes(all.size());
        std::memcpy(bytes.data(), all.constData(), bytes.size());
        const MemorySource src(std::move(bytes), "lzma_huge_dictionary");
        try {
            (void)decompressJoblib(src, "lzma");
            QFAIL("an lzma stream asking for a 1.3 GiB dictionary was decoded");
        } catch (const UnsupportedError& e) {
            QVERIFY2(std::string(e.what()).find("decoder memory") != std::string::npos, e.what());
        }
    }

    void layouts_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("compress");
        for (const char* mode : {"pad", "none", "absent"}) {
            for (const char* c : {"none", "zlib", "gzip", "bz2", "xz", "lzma"}) {
                QTest::newRow(qPrintable(QString("%1 %2").arg(mode, c))) << mode << c;
            }
        }
    }

    void layouts() {
        QFETCH(QString, mode);
        QFETCH(QString, compress);
        QTemporaryDir dir;
        const QString out = dir.filePath("x.joblib");
        const auto r =
            ckpt::test::run(ckpt::test::systemPython(), {"-c", kDump, mode, out, compress});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto c = openCheckpoint(out.toStdString());
        QCOMPARE(QString::fromStdString(c->format()), QStringLiteral("joblib"));
        QCOMPARE(values(c->findTensor("c")), (std::vector<double>{0, 1, 2, 3, 4, 5}));
        const Node* f = c->findTensor("f");
        QVERIFY(f->tensor()->fortranOrder());
        QCOMPARE(values(f), (std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
        QCOMPARE(values(c->findTensor("be")), (std::vector<double>{0, 1, 2, 3, 4}));
        QCOMPARE(values(c->findTensor("odd")), (std::vector<double>{0, 1, 2}));
        const Node* o = c->root().find("o");
        QVERIFY(o != nullptr);
        QCOMPARE(QString::fromStdString(o->typeName()), QStringLiteral("numpy.ndarray"));
        QCOMPARE(QString::fromStdString(c->root().find("o/0")->value()), QStringLiteral("'a'"));
        QCOMPARE(QString::fromStdString(c->root().find("after")->value()), QStringLiteral("7"));
        if (compress != "none") {
            QCOMPARE(QString::fromStdString(c->metadata()["compression"].get<std::string>()),
                     compress);
        }
    }
};

QTEST_GUILESS_MAIN(TestJoblibVariants)
#include "test_joblib_variants.moc"
