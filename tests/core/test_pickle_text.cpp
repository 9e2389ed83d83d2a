// Text helpers of the pickle engine (protocol-0 literals, big ints, Python 2 names) and the
// printer's notation and limits.
#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "core/io/byte_source.h"
#include "core/pickle/big_int.h"
#include "core/pickle/machine.h"
#include "core/pickle/name_mapping.h"
#include "core/pickle/text_args.h"
#include "core/pickle/value_printer.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;

namespace {

std::string printPickle(const std::string& s, PrintOptions o = {}) {
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    std::vector<std::byte> bytes(first, first + s.size());
    Machine m(std::make_shared<MemorySource>(std::move(bytes), "text"));
    const PickleInfo info = m.load();
    return ValuePrinter(m.graph(), o).print(info.root);
}

std::string decimal(const std::string& le) {
    return decimalFromTwosComplement(std::as_bytes(std::span(le.data(), le.size()))).value_or("?");
}

}  // namespace

class TestPickleText : public QObject {
    Q_OBJECT

private slots:
    void floatRepr_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("repr");
        QTest::newRow("1") << 1.0 << "1.0";
        QTest::newRow("0.1") << 0.1 << "0.1";
        QTest::newRow("-0.0") << -0.0 << "-0.0";
        QTest::newRow("1e-4") << 1e-4 << "0.0001";
        QTest::newRow("1e-5") << 1e-5 << "1e-05";
        QTest::newRow("1e15") << 1e15 << "1000000000000000.0";
        QTest::newRow("1e16") << 1e16 << "1e+16";
        QTest::newRow("1.5e300") << 1.5e300 << "1.5e+300";
        QTest::newRow("denormal") << 5e-324 << "5e-324";
        QTest::newRow("123.456") << 123.456 << "123.456";
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << "inf";
        QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << "-inf";
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << "nan";
    }

    void floatRepr() {
        QFETCH(double, value);
        QFETCH(QString, repr);
        QCOMPARE(QString::fromStdString(ValuePrinter::floatRepr(value)), repr);
    }

    void intLiterals() {
        QCOMPARE(parseIntLiteral(" 42\n", false)->value, 42);
        QCOMPARE(parseIntLiteral("-0x_ff", true)->value, -255);
        QCOMPARE(parseIntLiteral("0o17", true)->value, 15);
        QCOMPARE(parseIntLiteral("0b101", true)->value, 5);
        QCOMPARE(parseIntLiteral("1_000", true)->value, 1000);
        QCOMPARE(parseIntLiteral("007", false)->value, 7);
        QVERIFY(!parseIntLiteral("007", true));
        QCOMPARE(parseIntLiteral("000", true)->value, 0);
        QVERIFY(!parseIntLiteral("1__0", true));
        QVERIFY(!parseIntLiteral("_1", true));
        QVERIFY(!parseIntLiteral("", true));
        QVERIFY(!parseIntLiteral("12a", false));
        QCOMPARE(parseIntLiteral("-9223372036854775808", false)->value,
                 std::numeric_limits<std::int64_t>::min());
        const auto big = parseIntLiteral("9223372036854775808", false);
        QVERIFY(!big->fits);
        QCOMPARE(big->decimal, std::string("9223372036854775808"));
        QCOMPARE(parseIntLiteral("-0x10000000000000000", true)->decimal,
                 std::string("-18446744073709551616"));
    }

    void floatLiterals() {
        QCOMPARE(*parseFloatLiteral("1.5\n"), 1.5);
        QCOMPARE(*parseFloatLiteral("+2e3"), 2000.0);
        QCOMPARE(*parseFloatLiteral(".5"), 0.5);
        QCOMPARE(*parseFloatLiteral("1_0.5"), 10.5);
        QVERIFY(std::isinf(*parseFloatLiteral("-Infinity")));
        QVERIFY(std::isnan(*parseFloatLiteral("nan")));
        QVERIFY(std::isinf(*parseFloatLiteral("1e999")));
        QCOMPARE(*parseFloatLiteral("1e-999"), 0.0);
        QVERIFY(!parseFloatLiteral("1.5x"));
        QVERIFY(!parseFloatLiteral("--1"));
        QVERIFY(!parseFloatLiteral(""));
    }

    void stringLiterals() {
        QCOMPARE(*unescapeStringLiteral("'a\\'b'"), std::string("a'b"));
        QCOMPARE(*unescapeStringLiteral("\"\\x00\\n\\t\\\\\""), std::string("\0\n\t\\", 4));
        QCOMPARE(*unescapeStringLiteral("'\\101\\7'"), std::string("A\7"));
        QCOMPARE(*unescapeStringLiteral("'\\q'"), std::string("\\q"));
        QVERIFY(!unescapeStringLiteral("'abc"));
        QVERIFY(!unescapeStringLiteral("'abc\""));
        QVERIFY(!unescapeStringLiteral("'\\'"));
        QVERIFY(!unescapeStringLiteral("'\\xZ1'"));
    }

    void rawUnicodeEscape() {
        QCOMPARE(*decodeRawUnicodeEscape("caf\xe9"), std::string("caf\xc3\xa9"));
        QCOMPARE(*decodeRawUnicodeEscape("\\u2713"), std::string("\xe2\x9c\x93"));
        QCOMPARE(*decodeRawUnicodeEscape("\\U0001F600"), std::string("\xf0\x9f\x98\x80"));
        QCOMPARE(*decodeRawUnicodeEscape("\\\\u0041"), std::string("\\\\u0041"));  // even run
        QCOMPARE(*decodeRawUnicodeEscape("\\n"), std::string("\\n"));
        QVERIFY(!decodeRawUnicodeEscape("\\u12"));
        QVERIFY(!decodeRawUnicodeEscape("\\U00110000"));
    }

    void bigInts() {
        QCOMPARE(decimal(""), std::string("0"));
        QCOMPARE(decimal("\xff"), std::string("-1"));
        QCOMPARE(decimal(std::string("\x00\x80", 2)), std::string("-32768"));
        QCOMPARE(decimal(std::string("\0\0\0\0\0\0\0\0\x01", 9)),
                 std::string("18446744073709551616"));
        QCOMPARE(*int64FromTwosComplement(std::as_bytes(std::span("\xff\xff\xff", 3))), -1);
        const std::string minInt("\0\0\0\0\0\0\0\x80\xff", 9);
        QCOMPARE(*int64FromTwosComplement(std::as_bytes(std::span(minInt.data(), 9))),
                 std::numeric_limits<std::int64_t>::min());
        const std::string tooBig("\0\0\0\0\0\0\0\x80\0", 9);
        QVERIFY(!int64FromTwosComplement(std::as_bytes(std::span(tooBig.data(), 9))));
        QVERIFY(!decimalFromTwosComplement(std::as_bytes(std::span(tooBig.data(), 9)), 8));
        QCOMPARE(*decimalFromDigits("ff", 16), std::string("255"));
        QVERIFY(!decimalFromDigits("fg", 16));
    }

    void python2Names() {
        QCOMPARE(mapPython2Name("__builtin__", "xrange")->name, std::string_view("range"));
        QCOMPARE(mapPython2Name("__builtin__", "eval")->module, std::string_view("builtins"));
        QCOMPARE(mapPython2Name("copy_reg", "_reconstructor")->module, std::string_view("copyreg"));
        QCOMPARE(mapPython2Name("commands", "getoutput")->module, std::string_view("subprocess"));
        QCOMPARE(mapPython2Name("cPickle", "loads")->module, std::string_view("pickle"));
        QCOMPARE(mapPython2Name("urllib2", "urlopen")->module, std::string_view("urllib.request"));
        QCOMPARE(mapPython2Name("urllib", "urlopen")->module, std::string_view("urllib.request"));
        QCOMPARE(mapPython2Name("exceptions", "StandardError")->name,
                 std::string_view("Exception"));
        QCOMPARE(mapPython2Name("UserDict", "UserDict")->module, std::string_view("collections"));
        QCOMPARE(mapPython2Name("thread", "start_new_thread")->module, std::string_view("_thread"));
        QVERIFY(!mapPython2Name("os", "system"));
        QVERIFY(!mapPython2Name("builtins", "eval"));
    }

    void printerNotation() {
        // NEWOBJ_EX with kwargs, REDUCE with non-tuple args, BUILD, APPENDS on an object.
        QCOMPARE(printPickle("\x80\x04\x8c\x01m\x8c\x01"
                             "C\x93)}\x8c\x01k"
                             "K\x01s\x92."),
                 std::string("m.C.__new__(**{'k': 1})"));
        QCOMPARE(printPickle("\x80\x02"
                             "cm\nf\nNR."),
                 std::string("m.f(*None)"));
        QCOMPARE(printPickle("\x80\x02"
                             "cm\nC\n)\x81(K\x01"
                             "e}b."),
                 std::string("m.C.__new__()+[1].__setstate__({})"));
        QCOMPARE(printPickle("\x80\x04(\x91."), std::string("frozenset()"));
        QCOMPARE(printPickle("\x80\x04(K\x01\x91."), std::string("frozenset({1})"));
        QCOMPARE(printPickle("\x80\x04\x8f(K\x01\x90."), std::string("{1}"));
        QCOMPARE(printPickle("\x80\x04\x8f."), std::string("set()"));
        QCOMPARE(printPickle(std::string("\x80\x02"
                                         "C\x02\x00\xffK\x01\x86.",
                                         10)),
                 std::string("(b'\\x00\\xff', 1)"));
        QCOMPARE(printPickle(std::string("\x80\x05\x96\x01\0\0\0\0\0\0\0z.", 13)),
                 std::string("bytearray(b'z')"));
    }

    void printerLimits() {
        const std::string longList = "(" + std::string(100, 'N') + "l.";
        PrintOptions o;
        o.maxItems = 3;
        QCOMPARE(printPickle(longList, o), std::string("[None, None, None, ...(+97)]"));
        o.maxItems = 0;
        QCOMPARE(printPickle(longList, o), std::string("[...(+100)]"));
        PrintOptions s;
        s.maxStringBytes = 4;
        QCOMPARE(printPickle(std::string("X\x0a\0\0\0"
                                         "abcdefghij.",
                                         16),
                             s),
                 std::string("'abcd'...(10 bytes)"));
        PrintOptions d;
        d.maxDepth = 2;
        QCOMPARE(printPickle("]]]]aaa.", d), std::string("[[[...]]]"));
        PrintOptions c;
        c.maxChars = 10;
        QVERIFY(printPickle("(" + std::string(100, 'N') + "l.", c).size() < 30);
    }
};

QTEST_GUILESS_MAIN(TestPickleText)
#include "test_pickle_text.moc"
