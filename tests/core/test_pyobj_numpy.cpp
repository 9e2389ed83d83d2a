// numpy recognizers on pickles written here by /usr/bin/python3: byte orders, Fortran order,
// string/datetime/structured dtypes, scalars, numpy 2 and 1.16 module names, protocol 2 bytes.
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

/// Runs `body` with numpy imported and `out` the output path; returns the opened checkpoint.
std::unique_ptr<Checkpoint> pickled(const QString& body, const QString& rewriteFrom = {},
                                    const QString& rewriteTo = {}) {
    QTemporaryDir dir;
    const QString out = dir.filePath("x.pkl");
    const QString script = "import pickle, numpy as np, sys, collections\nout = sys.argv[1]\n" +
                           body + "\ndata = pickle.dumps(obj, protocol=proto)\n" +
                           (rewriteFrom.isEmpty() ? QString()
                                                  : "data = data.replace(b'" + rewriteFrom +
                                                        "', b'" + rewriteTo + "')\n") +
                           "open(out, 'wb').write(data)\n";
    const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, out});
    if (r.exitCode != 0) {
        qWarning("%s", r.err.constData());
        return nullptr;
    }
    return openCheckpoint(out.toStdString());
}

std::vector<double> values(const Node* n) {
    std::vector<double> v(n->tensor()->numel());
    n->tensor()->readAsDouble(0, v.size(), v.data());
    return v;
}

}  // namespace

class TestPyobjNumpy : public QObject {
    Q_OBJECT

private slots:
    void byteOrdersAndFortran() {
        const auto c = pickled(
            "proto = 4\n"
            "obj = {'be': np.arange(6, dtype='>i4').reshape(2, 3),\n"
            "       'f': np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)),\n"
            "       'h': np.array([1.5, -2], dtype='>f2'), 'b': np.array([True, False])}");
        QVERIFY(c);
        const Node* be = c->findTensor("be");
        QCOMPARE(be->tensor()->dtype(), DType::Int32);
        QCOMPARE(be->tensor()->fileByteOrder(), ByteOrder::Big);
        QCOMPARE(values(be), (std::vector<double>{0, 1, 2, 3, 4, 5}));
        const Node* f = c->findTensor("f");
        QVERIFY(f->tensor()->fortranOrder());
        QCOMPARE(values(f), (std::vector<double>{0, 3, 1, 4, 2, 5}));  // storage (F) order
        QCOMPARE(values(c->findTensor("h")), (std::vector<double>{1.5, -2}));
        QCOMPARE(c->findTensor("b")->tensor()->dtype(), DType::Bool);
    }

    void otherDtypes() {
        const auto c = pickled(
            "proto = 2\n"
            "obj = {'u': np.array(['ab', 'cde']), 't': np.array(['2020-01-01'], dtype='M8[ms]'),\n"
            "       's': np.zeros(2, dtype=[('a', '<f4'), ('b', 'u1', (2,))]),\n"
            "       'o': np.array([1, 'x', None], dtype=object),\n"
            "       'sc': np.float32(0.5), 'si': np.int64(-7), 'dt': np.dtype('<i2')}");
        QVERIFY(c);
        QCOMPARE(c->findTensor("u")->tensor()->dtype(), DType::String);
        QCOMPARE(QString::fromStdString(c->findTensor("u")->tensor()->dtypeDetail()),
                 QStringLiteral("<U3"));
        QCOMPARE(QString::fromStdString(c->findTensor("t")->tensor()->dtypeDetail()),
                 QStringLiteral("<M8[ms]"));
        QCOMPARE(QString::fromStdString(c->findTensor("s")->tensor()->dtypeDetail()),
                 QStringLiteral("[('a', '<f4'), ('b', '|u1', (2,))]"));
        const Node* o = c->root().find("o");
        QCOMPARE(o->kind(), NodeKind::Object);
        QCOMPARE(o->childCount(), std::size_t{3});
        QCOMPARE(QString::fromStdString(c->root().find("sc")->value()), QStringLiteral("0.5"));
        QCOMPARE(QString::fromStdString(c->root().find("sc")->typeName()),
                 QStringLiteral("numpy.float32"));
        QCOMPARE(QString::fromStdString(c->root().find("si")->value()), QStringLiteral("-7"));
        QCOMPARE(QString::fromStdString(c->root().find("dt")->value()), QStringLiteral("<i2"));
    }

    void numpyModuleNames_data() {
        QTest::addColumn<QString>("to");
        QTest::newRow("numpy 2") << "numpy._core.multiarray";
        QTest::newRow("numpy 1.16") << "numpy.core._multiarray_umath";
    }

    void numpyModuleNames() {
        QFETCH(QString, to);
        const auto c =
            pickled("proto = 2\nobj = {'a': np.arange(3.0)}", "numpy.core.multiarray", to);
        QVERIFY(c);
        QCOMPARE(values(c->findTensor("a")), (std::vector<double>{0, 1, 2}));
    }

    void protocol2BytesAreDecoded() {
        // Bytes 0x80-0xFF take two UTF-8 bytes in protocol 2's latin-1 text.
        const auto c = pickled("proto = 2\nobj = {'a': np.array([200, 255, 1], dtype='u1')}");
        QVERIFY(c);
        QCOMPARE(values(c->findTensor("a")), (std::vector<double>{200, 255, 1}));
    }

    void protocol5OutOfBandIsShownWithoutData() {
        QTemporaryDir dir;
        const QString out = dir.filePath("oob.pkl");
        const auto r = ckpt::test::run(
            ckpt::test::systemPython(),
            {"-c",
             "import pickle,numpy as np,sys\n"
             "b=[]\nd=pickle.dumps({'a':np.arange(4.)},protocol=5,buffer_callback=b.append)\n"
             "open(sys.argv[1],'wb').write(d)\n",
             out});
        QCOMPARE(r.exitCode, 0);
        const auto c = openCheckpoint(out.toStdString());
        const Node* a = c->findTensor("a");
        QVERIFY(a != nullptr);
        QVERIFY(!a->tensor()->readable());
        QVERIFY(!c->warnings().empty());
    }

    void containers() {
        const auto c = pickled(
            "proto = 2\n"
            "d = collections.defaultdict(list); d['k'].append(1)\n"
            "od = collections.OrderedDict([('x', 1), ('y', 2)])\n"
            "shared = [1, 2]\n"
            "cyc = []; cyc.append(cyc)\n"
            "obj = {'d': d, 'od': od, 'a': shared, 'b': shared, 'cyc': cyc, 7: 'int key',\n"
            "       's': {3}, 'big': 2**70}");
        QVERIFY(c);
        const Node* d = c->root().find("d");
        QCOMPARE(QString::fromStdString(d->typeName()), QStringLiteral("collections.defaultdict"));
        QVERIFY(d->findChild("k") != nullptr);
        QCOMPARE(QString::fromStdString(c->root().find("od")->typeName()),
                 QStringLiteral("collections.OrderedDict"));
        QCOMPARE(c->root().find("od")->childCount(), std::size_t{2});
        const Node* b = c->root().find("b");
        QCOMPARE(QString::fromStdString(b->typeName()), QStringLiteral("reference"));
        QCOMPARE(QString::fromStdString(b->value()), QStringLiteral("→ a"));
        QCOMPARE(QString::fromStdString(c->root().find("cyc/0")->value()), QStringLiteral("→ cyc"));
        QVERIFY(c->root().find("7") != nullptr);
        QCOMPARE(QString::fromStdString(c->root().find("big")->value()),
                 QStringLiteral("1180591620717411303424"));
    }
};

QTEST_GUILESS_MAIN(TestPyobjNumpy)
#include "test_pyobj_numpy.moc"
