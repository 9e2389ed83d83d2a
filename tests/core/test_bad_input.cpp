// Bad input is part of the spec: truncated, corrupt and hostile files give a clear core::Error
// naming the file, never a crash or a hang. Inputs are made from real files and committed
// fixtures at test time.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Opens `path` and reads every tensor; returns the error message, or "" when all went well.
std::string openAndReadAll(const QString& path) {
    try {
        const auto c = openCheckpoint(path.toStdString());
        for (const Node* n : c->tensorNodes()) {
            const auto& t = *n->tensor();
            if (t.readable() && t.numel() > 0 && t.numel() < (1u << 24)) {
                std::vector<double> v(t.numel());
                t.readAsDouble(0, t.numel(), v.data());
            }
        }
        return {};
    } catch (const Error& e) {
        return e.what();
    }
}

}  // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    QString write(const QString& name, const QByteArray& bytes) {
        const QString p = m_tmp.filePath(name);
        QFile f(p);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
            qFatal("cannot write %s", qPrintable(p));
        }
        return p;
    }

    /// Sources of truncation: real files when present, else committed fixtures.
    QStringList sampleFiles() {
        QStringList files;
        const QString real = ckpt::test::realDataDir();
        if (!real.isEmpty()) {
            files << real + "/keras_h5_full/0xArt__CryptoANN__model.h5"
                  << real + "/keras_h5_weights/DavidSanwald__DDQN__weights.h5"
                  << real + "/keras3/HrushikeshSS10__Bank-Churn-Prediction__vHEAD_model.weights.h5"
                  << real + "/keras3/HrushikeshSS10__Bank-Churn-Prediction__v10429e7_model.keras"
                  << real + "/safetensors/CoffeeVampir3__Model-Saving-Test-Repo__model.safetensors"
                  << real + "/numpy/Adirlou__pong-neural-network__W1.npy"
                  << real + "/numpy/LorenzoM1997__Deep-tic-tac-toe__weights.npz";
        }
        for (const auto& f : QDir(ckpt::test::fixture("keras"))
                                 .entryInfoList({"*.h5", "*.keras"}, QDir::Files, QDir::Name)) {
            if (files.size() < 11) {
                files << f.absoluteFilePath();
            }
        }
        return files;
    }

private slots:
    void truncatedAtManyOffsets_data() {
        QTest::addColumn<QString>("source");
        for (const auto& f : sampleFiles()) {
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
        }
        if (sampleFiles().isEmpty()) {
            QTest::newRow("none") << QString();
        }
    }

    void truncatedAtManyOffsets() {
        QFETCH(QString, source);
        if (source.isEmpty()) {
            QSKIP("no sample files");
        }
        const QByteArray bytes = readAll(source);
        QVERIFY(!bytes.isEmpty());
        QVERIFY(openAndReadAll(source).empty());  // the whole file is fine
        std::vector<qsizetype> offsets{0, 1, 4, 8, 16, 64, 100, 512, 1024, 2047, 4096};
        for (int i = 1; i < 48; ++i) {
            offsets.push_back(bytes.size() * i / 48);
        }
        offsets.push_back(bytes.size() - 1);
        for (const auto off : offsets) {
            if (off >= bytes.size()) {
                continue;
            }
            const QString p = write("truncated.bin", bytes.left(off));
            const std::string err = openAndReadAll(p);
            QVERIFY2(!err.empty(), qPrintable(QString("truncated at %1 opened").arg(off)));
            QVERIFY2(err.find("truncated.bin") != std::string::npos, err.c_str());
        }
    }

    void unknownBytesNameTheirFirstBytes() {
        std::mt19937 rng(42);
        QByteArray random(4096, '\0');
        for (auto& c : random) {
            c = static_cast<char>(rng() & 0xff);
        }
        random[0] = 'Z';
        const std::string err = openAndReadAll(write("random.bin", random));
        QVERIFY2(err.find("not a checkpoint format I know (first bytes: 5a") != std::string::npos,
                 err.c_str());
        const std::string empty = openAndReadAll(write("empty.bin", {}));
        QVERIFY2(empty.find("empty file") != std::string::npos, empty.c_str());
        const std::string text = openAndReadAll(write("notes.h5", "just some text\n"));
        QVERIFY2(text.find("not a checkpoint format I know") != std::string::npos, text.c_str());
    }

    void missingFileIsAnIoError() {
        QVERIFY(ckpt::test::throws<IoError>(
            [&] { (void)openCheckpoint(m_tmp.filePath("absent.h5").toStdString()); }));
        // A folder holding no model (no Keras model JSON, no shard index) is not a format.
        QVERIFY(ckpt::test::throws<FormatError>(
            [&] { (void)openCheckpoint(m_tmp.path().toStdString()); }));
    }

    void corruptSuperblock() {
        const auto files = sampleFiles();
        const auto it = std::find_if(files.begin(), files.end(),
                                     [](const QString& f) { return f.endsWith(".h5"); });
        if (it == files.end()) {
            QSKIP("no HDF5 sample");
        }
        QByteArray bytes = readAll(*it);
        for (int i = 8; i < 48; ++i) {
            bytes[i] = static_cast<char>(0xA5);
        }
        const std::string err = openAndReadAll(write("superblock.h5", bytes));
        QVERIFY2(!err.empty(), "a garbled superblock opened");
        QVERIFY2(err.find("superblock.h5") != std::string::npos, err.c_str());
    }

    void zipWithBrokenMember() {
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            QSKIP("no real .keras file");
        }
        QByteArray bytes =
            readAll(real + "/keras3/HrushikeshSS10__Bank-Churn-Prediction__v10429e7_model.keras");
        // Flip bytes in the middle of the stored model.weights.h5 member: its CRC now fails.
        const auto at = bytes.indexOf("model.weights.h5");
        QVERIFY(at > 0);
        for (int i = 0; i < 16; ++i) {
            bytes[at + 4000 + i] = static_cast<char>(bytes[at + 4000 + i] ^ 0x5a);
        }
        const std::string err = openAndReadAll(write("broken.keras", bytes));
        QVERIFY2(err.find("CRC") != std::string::npos, err.c_str());
        QVERIFY2(err.find("model.weights.h5") != std::string::npos, err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "test_bad_input.moc"
