// Failures the conformance suite found, each kept as a fixed case (the mutation is re-made from
// the committed sample, so no damaged copy needs committing).

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <sstream>

#include "app/cli/cli.h"
#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

namespace core = ckpt::core;

class TestConformanceRegressions : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    /// The committed sample with bit `bit` of byte `offset` flipped, as a new file.
    QString flipped(const QString& fixture, qint64 offset, int bit) {
        QFile in(ckpt::test::fixture(fixture));
        if (!in.open(QIODevice::ReadOnly)) {
            return {};
        }
        QByteArray b = in.readAll();
        b[offset] = char(b[offset] ^ (1 << bit));
        const QString out = m_tmp.filePath(QFileInfo(fixture).fileName());
        QFile f(out);
        if (!f.open(QIODevice::WriteOnly) || f.write(b) != b.size()) {
            return {};
        }
        return out;
    }

private slots:
    // generic.h5 with bit 2 of byte 31207 flipped: its gzip dataset no longer inflates. The file
    // opens (structure is intact); validate reads the data for NaN/Inf and failed with
    // "ckpt: error: cannot read dataset ...": no file named (conformance edits, generic.h5).
    void validateNamesTheFileOfAnUnreadableTensor() {
        const QString path = flipped("keras/generic.h5", 31207, 2);
        QVERIFY(!path.isEmpty());
        const auto c = core::openCheckpoint(std::filesystem::path(path.toStdString()));
        try {
            (void)core::validateCheckpoint(*c);
            QFAIL("the damaged gzip chunk was read without an error");
        } catch (const core::Error& e) {
            QCOMPARE(e.context().file, path.toStdString());
            QCOMPARE(e.context().format, std::string("hdf5"));
            QVERIFY2(std::string(e.what()).find("image_gzip") != std::string::npos, e.what());
        }
        std::string p = path.toStdString();
        std::string cmd = "validate";
        std::string prog = "ckpt";
        char* argv[] = {prog.data(), cmd.data(), p.data()};
        std::ostringstream out, err;
        QCOMPARE(ckpt::cli::run(3, argv, out, err), 2);
        QVERIFY2(err.str().find(p) != std::string::npos, err.str().c_str());
    }
};

QTEST_GUILESS_MAIN(TestConformanceRegressions)
#include "test_conformance_regressions.moc"
