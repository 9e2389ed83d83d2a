// Keras exports from a pickled Keras model and from a split bundle: the model they hold is
// written as .keras, .weights.h5 (and legacy .h5), reopens in ckpt, and `ckpt diff` finds every
// weight equal. A pickle without a Keras model is refused with a message saying so.

#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"

namespace {

ckpt::test::RunResult runCkpt(const QStringList& args) {
    return ckpt::test::run(ckpt::test::cliPath(), args, 120000);
}

QString fixture(const char* name) {
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/py/") + QString::fromUtf8(name);
}

}  // namespace

class TestCliExportKerasInside : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void exportsTheModelInside_data() {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("output");
        QTest::newRow("pickled keras 3 -> .keras")
            << fixture("keras3_pickled_model.pkl") << "p.keras";
        QTest::newRow("pickled keras 3 -> .weights.h5")
            << fixture("keras3_pickled_model.pkl") << "p.weights.h5";
        QTest::newRow("bundle -> .keras") << fixture("bundle") << "b.keras";
        QTest::newRow("bundle -> .weights.h5") << fixture("bundle") << "b.weights.h5";
        QTest::newRow("bundle -> legacy .h5") << fixture("bundle") << "b.h5";
    }

    void exportsTheModelInside() {
        QFETCH(QString, input);
        QFETCH(QString, output);
        const QString out = m_tmp.filePath(output);
        const auto e = runCkpt({"export", input, "-o", out});
        QVERIFY2(e.exitCode == 0, e.err.constData());
        QVERIFY(QFile::exists(out));
        const auto info = runCkpt({"info", "--json", out});
        QCOMPARE(info.exitCode, 0);
        const auto d = runCkpt({"diff", input, out});
        QVERIFY2(d.exitCode == 0, (d.out + d.err).constData());
    }

    void aPickleWithoutAKerasModelIsRefused() {
        const QString out = m_tmp.filePath("none.keras");
        const auto e = runCkpt({"export", fixture("pickle_p4.pkl"), "-o", out});
        // Refused before anything is written (exit 2), naming what Keras formats need and
        // the format this input can go to instead.
        QCOMPARE(e.exitCode, 2);
        QVERIFY2(e.err.contains("Keras formats need a Keras model"), e.err.constData());
        QVERIFY2(e.err.contains("safetensors instead"), e.err.constData());
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliExportKerasInside)
#include "test_cli_export_keras_inside.moc"
