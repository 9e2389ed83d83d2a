// safetensors, .npy and .npz: the real files list what numpy/safetensors list and read the same
// values; hand-made hostile headers give clear errors.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

QByteArray safetensors(const std::string& header, const QByteArray& data) {
    QByteArray out(8, '\0');
    std::uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    out += QByteArray::fromStdString(header);
    out += data;
    return out;
}

QByteArray floats(std::initializer_list<float> v) {
    QByteArray b(static_cast<qsizetype>(v.size() * 4), '\0');
    std::memcpy(b.data(), std::data(v), b.size());
    return b;
}

}  // namespace

class TestSafetensorsNumpy : public QObject {
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

    static std::string errorOf(const QString& path) {
        try {
            (void)openCheckpoint(path.toStdString());
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    }

private slots:
    void realFilesMatchTruth_data() {
        QTest::addColumn<QString>("rel");
        const QString dir = ckpt::test::realDataDir();
        if (dir.isEmpty()) {
            QTest::newRow("skip") << QString();
            return;
        }
        QFile f(dir + "/truth.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Json truth = Json::parse(f.readAll().toStdString());
        for (const auto& [k, v] : truth.items()) {
            if (k.rfind("safetensors/", 0) == 0 || k.rfind("numpy/", 0) == 0) {
                QTest::newRow(k.c_str()) << QString::fromStdString(k);
            }
        }
    }

    void realFilesMatchTruth() {
        QFETCH(QString, rel);
        if (rel.isEmpty()) {
            QSKIP("../shared/data/real is absent");
        }
        const QString dir = ckpt::test::realDataDir();
        QFile f(dir + "/truth.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Json truth = Json::parse(f.readAll().toStdString())[rel.toStdString()];
        const auto c = openCheckpoint((dir + "/" + rel).toStdString());
        QCOMPARE(c->tensorNodes().size(), truth["tensors"].size());
        for (const auto& t : truth["tensors"]) {
            const Node* n = c->findTensor(t["path"].get<std::string>());
            QVERIFY2(n != nullptr, t["path"].get<std::string>().c_str());
            QCOMPARE(std::string(dtypeName(n->tensor()->dtype())), t["dtype"].get<std::string>());
            QCOMPARE(n->tensor()->shape(), t["shape"].get<std::vector<std::uint64_t>>());
        }
        // Values: numpy's float64 sum of every array.
        const QString script = R"(
import sys, json, struct, numpy as np
p = sys.argv[1]; out = {}
if p.endswith('.safetensors'):
    raw = open(p, 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8+n])
    for k, v in h.items():
        if k == '__metadata__': continue
        b, e = v['data_offsets']
        dt = {'F32': '<f4', 'F16': '<f2', 'F64': '<f8', 'I64': '<i8', 'I32': '<i4'}[v['dtype']]
        out[k] = float(np.frombuffer(raw[8+n+b:8+n+e], dtype=dt).astype(np.float64).sum())
elif p.endswith('.npz'):
    z = np.load(p)
    for k in z.files: out[k] = float(z[k].astype(np.float64).sum())
else:
    out[''] = float(np.load(p).astype(np.float64).sum())
print(json.dumps(out))
)";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, dir + "/" + rel});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 with numpy unavailable: " + r.err));
        }
        const Json sums = Json::parse(r.out.toStdString());
        for (const auto& [path, sum] : sums.items()) {
            const auto& t = *c->findTensor(path)->tensor();
            std::vector<double> v(t.numel());
            t.readAsDouble(0, t.numel(), v.data());
            double mine = 0;
            for (double x : v) {
                mine += x;
            }
            QVERIFY2(std::abs(mine - sum.get<double>()) <= 1e-6 * std::max(1.0, std::abs(mine)),
                     path.c_str());
        }
    }

    void safetensorsMinimalAndScalar() {
        // The crate's own example: header length 60 (not a multiple of 8) is fine.
        const std::string h = R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})";
        QCOMPARE(h.size(), std::size_t{60});
        const QByteArray data("\x01\0\0\0\x02\0\0\0\x03\0\0\0\x04\0\0\0", 16);
        const auto c = openCheckpoint(write("ok.safetensors", safetensors(h, data)).toStdString());
        QCOMPARE(c->format(), std::string("safetensors"));
        std::vector<double> v(4);
        c->findTensor("test")->tensor()->readAsDouble(0, 4, v.data());
        QCOMPARE(v, (std::vector<double>{1, 2, 3, 4}));
        const std::string scalar =
            R"({"__metadata__":{"format":"pt"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
        const auto s = openCheckpoint(
            write("scalar.safetensors", safetensors(scalar, floats({2.5f}))).toStdString());
        QCOMPARE(s->metadata()["format"].get<std::string>(), std::string("pt"));
        QVERIFY(s->findTensor("s")->tensor()->shape().empty());
    }

    void safetensorsHostileHeaders_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("expect");
        QTest::newRow("gap") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})" << 8
                             << "a gap before";
        QTest::newRow("overlap")
            << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"
            << 8 << "overlapping";
        QTest::newRow("trailing") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})"
                                  << 12 << "cover 4";
        QTest::newRow("size mismatch")
            << R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << 16
            << "do not match dtype and shape";
        QTest::newRow("past end") << R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})"
                                  << 8 << "past the end of the file";
        QTest::newRow("duplicate")
            << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"
            << 8 << "names 'a' twice";
        QTest::newRow("bad dtype") << R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})"
                                   << 4 << "unknown dtype Q7";
        QTest::newRow("absurd shape")
            << R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})" << 8
            << "more bytes than the file holds";
        QTest::newRow("negative") << R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})"
                                  << 4 << "not a size";
        QTest::newRow("not json") << R"({"a": [1, 2)" << 0 << "not valid JSON";
        QTest::newRow("metadata") << R"({"__metadata__":{"n":1}})" << 0 << "not a string";
    }

    void safetensorsHostileHeaders() {
        QFETCH(QString, header);
        QFETCH(int, dataBytes);
        QFETCH(QString, expect);
        const QString p = write("bad.safetensors",
                                safetensors(header.toStdString(), QByteArray(dataBytes, '\0')));
        const std::string err = errorOf(p);
        QVERIFY2(err.find(expect.toStdString()) != std::string::npos, err.c_str());
        QVERIFY2(err.find("bad.safetensors") != std::string::npos, err.c_str());
    }

    // A pickle inside a numpy object array runs when numpy loads it with allow_pickle=True:
    // the validator sees it, in .npy and in an .npz member, with the member named.
    void objectArrayPayloadsAreFound() {
        const QString script = R"(
import sys, os, numpy as np
class Payload:
    def __reduce__(self):
        return (os.system, ('echo pwned',))
d = sys.argv[1]
np.save(os.path.join(d, 'evil.npy'), np.array([Payload(), 1], dtype=object), allow_pickle=True)
np.savez(os.path.join(d, 'evil.npz'), w=np.ones(2, 'f4'),
         labels=np.array(['x', Payload()], dtype=object))
with open(os.path.join(d, 'broken.npy'), 'wb') as f:
    np.lib.format.write_array_header_1_0(f, {'descr': '|O', 'fortran_order': False, 'shape': (2,)})
    f.write(b'\x80\x04not a pickle')
)";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, m_tmp.path()});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 with numpy unavailable: " + r.err));
        }
        const auto npy = openCheckpoint(m_tmp.filePath("evil.npy").toStdString());
        const auto npyReport = validateCheckpoint(*npy);
        QVERIFY(npyReport.count(Severity::Error) >= 1);
        bool named = false;
        for (const auto& f : npyReport.findings) {
            named = named || f.symbol.find("system") != std::string::npos;
        }
        QVERIFY(named);

        const auto npz = openCheckpoint(m_tmp.filePath("evil.npz").toStdString());
        QVERIFY(npz->findTensor("w") != nullptr);
        QVERIFY(npz->root().findChild("labels") != nullptr);
        const auto npzReport = validateCheckpoint(*npz);
        QVERIFY(npzReport.count(Severity::Error) >= 1);
        bool inMember = false;
        for (const auto& f : npzReport.findings) {
            inMember = inMember || f.member == "labels.npy";
        }
        QVERIFY(inMember);

        // A damaged object-array pickle: the file still opens, with a warning naming the cause.
        const auto broken = openCheckpoint(m_tmp.filePath("broken.npy").toStdString());
        bool warned = false;
        for (const auto& w : broken->warnings()) {
            warned = warned || w.find("cannot be read") != std::string::npos;
        }
        QVERIFY(warned);
    }

    void npyVariants() {
        const QString script = R"(
import sys, numpy as np, os
d = sys.argv[1]
np.save(os.path.join(d, 'c.npy'), np.arange(6, dtype='<f4').reshape(2, 3))
np.save(os.path.join(d, 'f.npy'), np.asfortranarray(np.arange(6, dtype='>i8').reshape(2, 3)))
np.save(os.path.join(d, 'o.npy'), np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
np.save(os.path.join(d, 'b.npy'), np.array([True, False]))
np.savez_compressed(os.path.join(d, 'z.npz'), w=np.ones((3, 3), 'f2'), b=np.zeros(2))
from numpy.lib import format as fmt
with open(os.path.join(d, 'v2.npy'), 'wb') as f:
    fmt.write_array(f, np.arange(4, dtype='<u2'), version=(2, 0))
)";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, m_tmp.path()});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 with numpy unavailable: " + r.err));
        }
        const auto c = openCheckpoint(m_tmp.filePath("c.npy").toStdString());
        QCOMPARE(c->format(), std::string("npy"));
        QVERIFY(c->findTensor("") != nullptr);
        const auto f = openCheckpoint(m_tmp.filePath("f.npy").toStdString());
        const auto& ft = *f->findTensor("")->tensor();
        QVERIFY(ft.fortranOrder());
        QCOMPARE(ft.fileByteOrder(), ByteOrder::Big);
        std::vector<double> v(6);
        ft.readAsDouble(0, 6, v.data());  // storage (column-major) order: 0 3 1 4 2 5
        QCOMPARE(v, (std::vector<double>{0, 3, 1, 4, 2, 5}));
        // An object array is a pickle: read into the object tree (the dict and the None), handed
        // to the validator, and no tensor.
        const auto o = openCheckpoint(m_tmp.filePath("o.npy").toStdString());
        QVERIFY(o->findTensor("") == nullptr);
        const Node* array = o->root().findChild("");
        QVERIFY(array != nullptr);
        QCOMPARE(array->kind(), NodeKind::Object);
        QCOMPARE(array->typeName(), std::string("numpy.ndarray"));
        QCOMPARE(array->attributes()["descr"].get<std::string>(), std::string("|O"));
        QCOMPARE(array->childCount(), std::size_t{2});
        QVERIFY(array->find("0/a") != nullptr);
        QCOMPARE(array->find("0/a")->value(), std::string("1"));
        QCOMPARE(o->pickleStreams().size(), std::size_t{1});
        QVERIFY(!o->warnings().empty());
        QCOMPARE(validateCheckpoint(*o).count(Severity::Error), std::size_t{0});
        const auto b = openCheckpoint(m_tmp.filePath("b.npy").toStdString());
        QCOMPARE(b->findTensor("")->tensor()->dtype(), DType::Bool);
        const auto z = openCheckpoint(m_tmp.filePath("z.npz").toStdString());
        QCOMPARE(z->format(), std::string("npz"));
        QCOMPARE(z->findTensor("w")->tensor()->dtype(), DType::Float16);
        std::vector<double> w(9);
        z->findTensor("w")->tensor()->readAsDouble(0, 9, w.data());
        QCOMPARE(w[8], 1.0);
        const auto v2 = openCheckpoint(m_tmp.filePath("v2.npy").toStdString());
        QCOMPARE(v2->metadata()["npy_version"].get<std::string>(), std::string("2.0"));
        QCOMPARE(v2->findTensor("")->tensor()->shape(), std::vector<std::uint64_t>{4});

        // Truncated data and a header that lies about its length.
        QFile cf(m_tmp.filePath("c.npy"));
        QVERIFY(cf.open(QIODevice::ReadOnly));
        const QByteArray bytes = cf.readAll();
        QVERIFY(errorOf(write("t.npy", bytes.left(bytes.size() - 1))).find("truncated") !=
                std::string::npos);
        QByteArray lying = bytes;
        lying[8] = '\xff';
        lying[9] = '\xff';
        QVERIFY(errorOf(write("h.npy", lying)).find("more than the file holds") !=
                std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsNumpy)
#include "test_safetensors_numpy.moc"
