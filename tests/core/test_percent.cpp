// core::percentText, the one percentage format of the CLI and the GUI: three significant
// digits, never "100" for a share that is not all, never "0" for one that is not nothing.

#include <QtTest>

#include "core/util/percent.h"

using ckpt::core::percentText;

class TestPercent : public QObject {
    Q_OBJECT

private slots:
    void shares_data() {
        QTest::addColumn<qulonglong>("part");
        QTest::addColumn<qulonglong>("whole");
        QTest::addColumn<QString>("text");
        QTest::newRow("all") << 5ULL << 5ULL << "100";
        QTest::newRow("nothing") << 0ULL << 7ULL << "0";
        QTest::newRow("no whole") << 0ULL << 0ULL << "";
        QTest::newRow("third") << 1ULL << 3ULL << "33.3";
        QTest::newRow("two thirds") << 2ULL << 3ULL << "66.7";
        QTest::newRow("small") << 456ULL << 10000ULL << "4.56";
        QTest::newRow("round") << 42ULL << 100ULL << "42";
        QTest::newRow("99.95 is not 100") << 1999ULL << 2000ULL << "99.95";
        QTest::newRow("99.999 is not 100") << 99999ULL << 100000ULL << "99.99";
        QTest::newRow("one in a billion is not 0") << 1ULL << 1000000000ULL << "0.0000001";
    }
    void shares() {
        QFETCH(qulonglong, part);
        QFETCH(qulonglong, whole);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(percentText(part, whole)), text);
    }

    void neverAllUnlessAll() {
        for (std::uint64_t whole : {7ULL, 1000ULL, 123457ULL, 10000000ULL}) {
            for (std::uint64_t part : {whole - 1, whole / 2, std::uint64_t{1}}) {
                const std::string t = percentText(part, whole);
                QVERIFY2(t != "100" && t != "0", t.c_str());
                QVERIFY2(std::stod(t) < 100.0 && std::stod(t) > 0.0, t.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPercent)
#include "test_percent.moc"
