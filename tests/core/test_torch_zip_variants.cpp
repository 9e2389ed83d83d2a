// torch zip archives rewritten here from a real torch.save: a root folder of another name, a
// big-endian archive (byteorder "big", storages byte-swapped), storages deflated instead of
// stored (inflated lazily on first read), and torch.save to a buffer ("archive/").
#include <QTemporaryDir>
#include <QTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

const char* kRewrite =
    "import sys, io, zipfile, torch, numpy as np\n"
    "variant, out = sys.argv[1], sys.argv[2]\n"
    "sd = {'w': torch.arange(12, dtype=torch.float32).view(3, 4), 'h': torch.tensor([1.5, -2.0],"
    " dtype=torch.float16), 'i': torch.arange(3), 't': torch.arange(6.).view(2, 3).t()}\n"
    "buf = io.BytesIO(); torch.save(sd, buf)\n"
    "src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))\n"
    "if variant == 'buffer':\n"
    "    open(out, 'wb').write(buf.getvalue()); sys.exit(0)\n"
    "dst = zipfile.ZipFile(out, 'w')\n"
    "sizes = {}\n"
    "for name in src.namelist():\n"
    "    data = src.read(name)\n"
    "    new = 'my model/' + name.split('/', 1)[1]\n"
    "    method = zipfile.ZIP_STORED\n"
    "    if variant == 'deflated' and '/data/' in name: method = zipfile.ZIP_DEFLATED\n"
    "    if variant == 'big' and '/data/' in name:\n"
    "        key = name.rsplit('/', 1)[1]\n"
    "        size = {'0': 4, '1': 2, '2': 8, '3': 4}[key]\n"
    "        data = np.frombuffer(data, dtype='u%d' % size).byteswap().tobytes()\n"
    "    dst.writestr(zipfile.ZipInfo(new), data, compress_type=method)\n"
    "if variant == 'big': dst.writestr('my model/byteorder', 'big')\n"
    "dst.close()\n";

std::vector<double> values(const Checkpoint& c, const std::string& path) {
    const Node* n = c.findTensor(path);
    if (n == nullptr) {
        return {};
    }
    std::vector<double> v(n->tensor()->numel());
    n->tensor()->readAsDouble(0, v.size(), v.data());
    return v;
}

}  // namespace

class TestTorchZipVariants : public QObject {
    Q_OBJECT

private slots:
    void variants_data() {
        QTest::addColumn<QString>("variant");
        for (const char* v : {"renamed", "big", "deflated", "buffer"}) {
            QTest::newRow(v) << v;
        }
    }

    void variants() {
        QFETCH(QString, variant);
        QTemporaryDir dir;
        const QString out = dir.filePath("x.pt");
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", kRewrite, variant, out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto c = openCheckpoint(out.toStdString());
        QCOMPARE(QString::fromStdString(c->format()), QStringLiteral("torch-zip"));
        QCOMPARE(QString::fromStdString(c->metadata()["archive_root"].get<std::string>()),
                 variant == "buffer" ? QStringLiteral("archive") : QStringLiteral("my model"));
        std::vector<double> w(12);
        for (int i = 0; i < 12; ++i) {
            w[static_cast<std::size_t>(i)] = i;
        }
        QCOMPARE(values(*c, "w"), w);
        QCOMPARE(values(*c, "h"), (std::vector<double>{1.5, -2.0}));
        QCOMPARE(values(*c, "i"), (std::vector<double>{0, 1, 2}));
        QCOMPARE(values(*c, "t"), (std::vector<double>{0, 3, 1, 4, 2, 5}));  // strided view
        if (variant == "big") {
            QCOMPARE(c->findTensor("w")->tensor()->fileByteOrder(), ByteOrder::Big);
        }
    }
};

QTEST_GUILESS_MAIN(TestTorchZipVariants)
#include "test_torch_zip_variants.moc"
