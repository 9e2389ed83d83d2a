// Keras models pickled with their files inside (FORMATS.md §3), built here with stand-in
// modules: scikeras `unpack_keras_model(uint8 array)` holding a .keras zip, in a plain pickle and
// under joblib (raw bytes after a NumpyArrayWrapper), and Keras 2.7-2.10
// `deserialize_model_from_bytecode(uint8 array)` holding a SavedModel tar.
#include <QTemporaryDir>
#include <QTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

const char* kStandIns =
    "import sys, types, io, tarfile, pickle, numpy as np, joblib\n"
    "def module(name, fn):\n"
    "    parts = name.split('.')\n"
    "    for i in range(1, len(parts)):\n"
    "        sys.modules.setdefault('.'.join(parts[:i]), types.ModuleType('.'.join(parts[:i])))\n"
    "    m = types.ModuleType(name); sys.modules[name] = m\n"
    "    f = lambda *a: None; f.__module__ = name; f.__qualname__ = f.__name__ = fn\n"
    "    setattr(m, fn, f); return f\n"
    "unpack = module('scikeras._saving_utils', 'unpack_keras_model')\n"
    "deser = module('keras.saving.pickle_utils', 'deserialize_model_from_bytecode')\n"
    "class Packed:\n"
    "    def __init__(self, fn, arr): self.fn, self.arr = fn, arr\n"
    "    def __reduce__(self): return (self.fn, (self.arr,))\n"
    "class Est: pass\n"
    "zipbytes = open(sys.argv[1], 'rb').read()\n"
    "buf = io.BytesIO()\n"
    "with tarfile.open(fileobj=buf, mode='w') as t:\n"
    "    for name, data in [('saved_model.pb', b'x' * 100), ('variables/variables.index', b'i')]:\n"
    "        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, "
    "io.BytesIO(data))\n"
    "est = Est(); est.model_ = Packed(unpack, np.frombuffer(zipbytes, np.uint8)); est.n_ = 3\n"
    "open(sys.argv[2] + '/scikeras.pkl', 'wb').write(pickle.dumps(est, protocol=4))\n"
    "joblib.dump(est, sys.argv[2] + '/scikeras.joblib')\n"
    "old = Packed(deser, np.frombuffer(buf.getvalue(), np.uint8))\n"
    "open(sys.argv[2] + '/keras27.pkl', 'wb').write(pickle.dumps(old, protocol=2))\n";

}  // namespace

class TestPyobjKeras : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        const auto r = ckpt::test::run(
            ckpt::test::systemPython(),
            {"-c", kStandIns, ckpt::test::fixture("keras/k3_model.keras"), m_dir.path()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void scikerasModelHoldsTheKerasArchive_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("pickle") << "scikeras.pkl"
                                << "pickle";
        QTest::newRow("joblib") << "scikeras.joblib"
                                << "joblib";
    }

    void scikerasModelHoldsTheKerasArchive() {
        QFETCH(QString, file);
        QFETCH(QString, format);
        const auto c = openCheckpoint(m_dir.filePath(file).toStdString());
        QCOMPARE(QString::fromStdString(c->format()), format);
        const Node* model = c->root().find("model_");
        QVERIFY(model != nullptr);
        QCOMPARE(QString::fromStdString(model->typeName()), QStringLiteral("keras.Model"));
        QCOMPARE(QString::fromStdString(model->attributes()["reconstructor"].get<std::string>()),
                 QStringLiteral("scikeras._saving_utils.unpack_keras_model"));
        const Node* archive = model->findChild("model.keras");
        QVERIFY(archive != nullptr);
        QCOMPARE(QString::fromStdString(archive->typeName()), QStringLiteral("keras-archive"));
        QVERIFY(!c->layers().empty());
        QVERIFY(!c->tensorNodes().empty());
        for (const Node* t : c->tensorNodes()) {
            QVERIFY(t->path().starts_with("model_/model.keras/model.weights.h5/"));
        }
    }

    void savedModelTarIsListed() {
        const auto c = openCheckpoint(m_dir.filePath("keras27.pkl").toStdString());
        QCOMPARE(QString::fromStdString(c->root().typeName()), QStringLiteral("keras.Model"));
        const Node* tar = c->root().findChild("saved_model.tar");
        QVERIFY(tar != nullptr);
        QCOMPARE(QString::fromStdString(tar->typeName()), QStringLiteral("tar"));
        QVERIFY(tar->findChild("saved_model.pb") != nullptr);
        QCOMPARE(QString::fromStdString(tar->findChild("saved_model.pb")->value()),
                 QStringLiteral("100 bytes"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestPyobjKeras)
#include "test_pyobj_keras.moc"
