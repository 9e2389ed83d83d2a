// The helpers every output path uses for untrusted text, and the named limits: escapeText,
// dumpJson on invalid UTF-8, setLimit parsing and LimitError's message.

#include <QtTest>

#include "core/model/json.h"
#include "core/model/json_dump.h"
#include "core/util/escape.h"
#include "core/util/limits.h"

using namespace ckpt::core;

class TestEscapeLimits : public QObject {
    Q_OBJECT

private slots:
    void escapesControlAndRawBytes() {
        QCOMPARE(escapeText("plain text / path:0"), std::string("plain text / path:0"));
        QCOMPARE(escapeText("id\x1b[3A\x1b[0J"), std::string("id\\x1b[3A\\x1b[0J"));
        QCOMPARE(escapeText("a\nb\tc\rd\x7f"), std::string("a\\x0ab\\x09c\\x0dd\\x7f"));
        QCOMPARE(escapeText("\xff"
                            "mod"),
                 std::string("\\xffmod"));
        // Valid UTF-8 passes; a truncated sequence and an overlong encoding do not.
        QCOMPARE(escapeText("h\xc3\xa9llo \xe2\x9c\x93"), std::string("h\xc3\xa9llo \xe2\x9c\x93"));
        QCOMPARE(escapeText("x\xc3"), std::string("x\\xc3"));
        QCOMPARE(escapeText("\xc0\xaf"), std::string("\\xc0\\xaf"));
        QCOMPARE(escapeText("\xed\xa0\x80"), std::string("\\xed\\xa0\\x80"));  // a surrogate
        // C1 control (CSI as U+009B) and a right-to-left override are shown, not obeyed.
        QCOMPARE(escapeText("\xc2\x9b"
                            "2J"),
                 std::string("\\u{009b}2J"));
        QCOMPARE(escapeText("abc\xe2\x80\xaetxt.exe"), std::string("abc\\u{202e}txt.exe"));
        QCOMPARE(escapeTextKeepLines("a\nb\x1b"), std::string("a\nb\\x1b"));
        QVERIFY(isSafeText("ok"));
        QVERIFY(!isSafeText("\x1b"));
    }

    void jsonNeverThrowsOnInvalidUtf8() {
        Json j = {{"global", "os\xffsystem"}, {"file", "name\xfe.pkl"}};
        bool threw = false;
        try {
            (void)j.dump();
        } catch (const nlohmann::json::type_error&) {
            threw = true;  // what aborted `ckpt info --json` before
        }
        QVERIFY(threw);
        const std::string text = dumpJson(j, 2);
        const Json back = Json::parse(text);
        QCOMPARE(back["global"].get<std::string>(), std::string("os\xef\xbf\xbdsystem"));
    }

    void limitsParseAndNameThemselves() {
        Limits l;
        QCOMPARE(setLimit(l, "inflate-ratio=1000"), std::string());
        QCOMPARE(l.inflateRatio, std::uint64_t{1000});
        QCOMPARE(setLimit(l, "inflated-bytes=2G"), std::string());
        QCOMPARE(l.inflatedBytes, std::uint64_t{2} << 30);
        QCOMPARE(setLimit(l, "depth=5k"), std::string());
        QCOMPARE(l.depth, std::uint64_t{5} << 10);
        QVERIFY(setLimit(l, "depth").find("NAME=VALUE") != std::string::npos);
        QVERIFY(setLimit(l, "depth=x").find("not a number") != std::string::npos);
        QVERIFY(setLimit(l, "depth=99999999999999999999").find("not a number") !=
                std::string::npos);
        const std::string unknown = setLimit(l, "nope=1");
        QVERIFY(unknown.find("unknown limit 'nope'") != std::string::npos);
        QVERIFY(unknown.find("zip-entries") != std::string::npos);
        QCOMPARE(describeLimits(l).size(),
                 std::size_t{26});  // 10 + graph-nodes, graph-depth, graph-layout-nodes,
                                    // hdf5-check-seconds, gguf-tensors, gguf-kv, gguf-array-depth,
                                    // object-tree-nodes, object-tree-eager, shard-index-bytes,
                                    // shard-files, onnx-bytes, onnx-parse-bytes, onnx-depth,
                                    // onnx-tensors, onnx-nodes
        const LimitError e("the pickle nests values deeper than 3 levels", "depth", 3,
                           {"f.pkl", "pickle", {}, 7});
        const std::string what = e.what();
        QVERIFY2(what.find("limit depth=3; raise it with --limit depth=N") != std::string::npos,
                 e.what());
        QVERIFY(what.find("f.pkl") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestEscapeLimits)
#include "test_escape_limits.moc"
