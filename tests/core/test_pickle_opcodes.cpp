// The opcode decoder: every fixture decodes to exactly pickletools.genops' opcodes and offsets,
// and malformed streams fail with CorruptDataError naming the offset.
#include <QDir>
#include <QFile>
#include <QTest>

#include <cstring>
#include <string>
#include <vector>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/pickle/opcode_reader.h"
#include "core/pickle/value_printer.h"
#include "core/util/error.h"

using namespace ckpt::core;
using namespace ckpt::core::pickle;

namespace {

std::vector<std::byte> bytesOf(const std::string& s) {
    const auto* first = reinterpret_cast<const std::byte*>(s.data());
    std::vector<std::byte> out(first, first + s.size());
    return out;
}

/// The same canonical argument text the fixture generator writes.
std::string canonicalArg(const OpcodeReader& r, const Op& op) {
    const OpcodeInfo& info = opcodeInfo(op.code);
    switch (info.arg) {
        case ArgKind::UInt1:
        case ArgKind::UInt2:
        case ArgKind::Int4:
        case ArgKind::UInt4:
        case ArgKind::UInt8:
            return std::to_string(op.integer);
        case ArgKind::Counted1:
        case ArgKind::Counted4:
        case ArgKind::SignedCounted4:
        case ArgKind::Counted8:
            return "len=" + std::to_string(op.data.length);
        case ArgKind::Float8:
            return ValuePrinter::floatRepr(op.real);
        case ArgKind::TwoLines:
            return std::string(r.text(op.data)) + " " + std::string(r.text(op.data2));
        case ArgKind::Line:
            if (op.code == Opcode::Get || op.code == Opcode::Put) {
                return std::to_string(op.integer);
            }
            return "-";
        case ArgKind::NoArg:
            return "-";
    }
    return "?";
}

/// Decodes `bytes` up to a STOP that ends the data and returns the CorruptDataError's offset,
/// or -1 when none was thrown.
long long failureOffset(const std::string& bytes) {
    const auto data = bytesOf(bytes);
    OpcodeReader r(data);
    try {
        while (true) {
            const Op op = r.next();
            if (op.code == Opcode::Stop && r.atEnd()) {
                break;
            }
        }
    } catch (const CorruptDataError& e) {
        return e.context().offset ? static_cast<long long>(*e.context().offset) : -2;
    }
    return -1;
}

}  // namespace

class TestPickleOpcodes : public QObject {
    Q_OBJECT

private slots:
    void opcodeTable() {
        int known = 0;
        for (int b = 0; b < 256; ++b) {
            if (const auto info = opcodeInfo(static_cast<std::uint8_t>(b))) {
                ++known;
                QCOMPARE(static_cast<int>(info->code), b);
                QVERIFY(!info->name.empty());
                QVERIFY(info->protocol <= kHighestProtocol);
            }
        }
        QCOMPARE(known, 68);
        QCOMPARE(opcodeName(Opcode::ShortBinUnicode), std::string_view("SHORT_BINUNICODE"));
        QCOMPARE(opcodeName(Opcode::ReadOnlyBuffer), std::string_view("READONLY_BUFFER"));
    }

    void matchesPickletools_data() {
        QTest::addColumn<QString>("name");
        const QDir dir(ckpt::test::fixture("pickle"));
        const auto ops = dir.entryList({"*.ops"}, QDir::Files, QDir::Name);
        QVERIFY2(ops.size() >= 20, "run make_pickle_fixtures.py to create the fixtures");
        for (const QString& f : ops) {
            const QString name = f.chopped(4);
            QTest::newRow(name.toUtf8().constData()) << name;
        }
    }

    void matchesPickletools() {
        QFETCH(QString, name);
        const QString base = ckpt::test::fixture("pickle/" + name);
        const auto source = FileSource::open((base + ".pkl").toStdString());
        QFile expectedFile(base + ".ops");
        QVERIFY(expectedFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList expected =
            QString::fromUtf8(expectedFile.readAll()).split('\n', Qt::SkipEmptyParts);

        OpcodeReader reader(*source);
        QStringList actual;
        while (!reader.atEnd()) {
            const Op op = reader.next();
            actual << QString::fromStdString(std::to_string(op.offset) + " " +
                                             std::string(opcodeName(op.code)) + " " +
                                             canonicalArg(reader, op));
        }
        QCOMPARE(actual.size(), expected.size());
        for (int i = 0; i < actual.size(); ++i) {
            QCOMPARE(actual[i], expected[i]);
        }
    }

    void argumentsAreRangesIntoTheSource() {
        static const char raw[] = "\x80\x04\x8c\x05hello\x8e\x03\0\0\0\0\0\0\0abc.";
        const auto data = bytesOf(std::string(raw, sizeof raw - 1));
        OpcodeReader r(data);
        QCOMPARE(r.next().integer, 4);
        const Op s = r.next();
        QCOMPARE(s.code, Opcode::ShortBinUnicode);
        QCOMPARE(s.data, (ByteRange{4, 5}));
        QCOMPARE(r.text(s.data), std::string_view("hello"));
        const Op b = r.next();
        QCOMPARE(b.code, Opcode::BinBytes8);
        QCOMPARE(b.offset, std::uint64_t{9});
        QCOMPARE(b.data, (ByteRange{18, 3}));
        QCOMPARE(b.end, std::uint64_t{21});
        QCOMPARE(r.next().code, Opcode::Stop);
        QVERIFY(r.atEnd());
    }

    void unknownOpcodesFailAtTheirOffset() {
        for (int b = 0; b < 256; ++b) {
            if (opcodeInfo(static_cast<std::uint8_t>(b))) {
                continue;
            }
            const std::string p = std::string("\x80\x02N", 3) + static_cast<char>(b) + ".";
            QCOMPARE(failureOffset(p), 3LL);
        }
    }

    void hugeLengthsFailBeforeAllocating() {
        // BINUNICODE8 / BINBYTES8 / BYTEARRAY8 claiming 2^62 bytes.
        for (const char code : {'\x8d', '\x8e', '\x96'}) {
            std::string p = std::string("\x80\x05", 2) + code;
            p += std::string("\0\0\0\0\0\0\0\x40", 8);
            p += "abc.";
            QCOMPARE(failureOffset(p), 2LL);
        }
        QCOMPARE(failureOffset(std::string("X\xff\xff\xff\xff", 5) + "ab."), 0LL);  // BINUNICODE
        QCOMPARE(failureOffset(std::string("B\x00\x00\x00\x10", 5) + "."), 0LL);    // BINBYTES
    }

    void negativeCountsFail() {
        QCOMPARE(failureOffset(std::string("T\xff\xff\xff\xff.", 6)), 0LL);     // BINSTRING
        QCOMPARE(failureOffset(std::string("\x8b\xfe\xff\xff\xff.", 6)), 0LL);  // LONG4
    }

    void frameLongerThanTheFileFails() {
        const std::string p = std::string("\x80\x04\x95\x00\x10\x00\x00\x00\x00\x00\x00N.", 13);
        QCOMPARE(failureOffset(p), 2LL);
        const std::string exact = std::string("\x80\x04\x95\x02\0\0\0\0\0\0\0N.", 13);
        QCOMPARE(failureOffset(exact), -1LL);
    }

    void frameViolationsAreFlagged() {
        // A FRAME of 1 byte followed by a 2-byte op: the argument crosses the frame end.
        const std::string p = std::string("\x80\x04\x95\x01\0\0\0\0\0\0\0K\x05.", 14);
        const auto data = bytesOf(p);
        OpcodeReader r(data);
        (void)r.next();
        QVERIFY(!r.next().crossesFrame);
        QVERIFY(r.next().crossesFrame);
    }

    void truncatedArgumentsFail() {
        QCOMPARE(failureOffset("\x80"), 0LL);
        QCOMPARE(failureOffset("J\x01\x02"), 0LL);
        QCOMPARE(failureOffset("G\x40"), 0LL);
        QCOMPARE(failureOffset("cos\nsystem"), 0LL);  // second line has no newline
        QCOMPARE(failureOffset("I12"), 0LL);
        QCOMPARE(failureOffset("N"), 1LL);  // no STOP: the data ends at offset 1
    }

    void badMemoIndexTextFails() {
        QCOMPARE(failureOffset("Np-1\n."), 1LL);
        QCOMPARE(failureOffset("Ngabc\n."), 1LL);
        QCOMPARE(failureOffset("Ng99999999999999999999999\n."), 1LL);
        QCOMPARE(failureOffset("Np 12 \n0g12\n."), -1LL);
    }

    void onlyProtoIsTruncated() {
        QCOMPARE(failureOffset("\x80\x02"), 2LL);
        QCOMPARE(failureOffset(""), 0LL);
    }

    void seekChecksBounds() {
        const auto data = bytesOf("N.");
        OpcodeReader r(data);
        r.seek(2);
        QVERIFY(r.atEnd());
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, r.seek(3));
    }
};

QTEST_GUILESS_MAIN(TestPickleOpcodes)
#include "test_pickle_opcodes.moc"
