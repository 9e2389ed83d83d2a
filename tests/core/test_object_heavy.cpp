// Object-heavy pickles (issue 15), untimed: a payload after 10^7 harmless objects is still
// found and the tree of those 10^7 objects is complete, the object tree of 1.2 x 10^6 small dicts
// is complete (its counts match the objects written; its rows are made on demand), and validating
// without the object tree finds exactly what validating with it does. The big files are written at
// test time into a temporary directory.

#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_graph.h"
#include "core/util/error.h"
#include "core/validate/validator.h"

using namespace ckpt::core;
using namespace std::string_literals;

namespace {

/// SHORT_BINUNICODE `s` (shorter than 256 bytes).
std::string shortStr(const std::string& s) {
    return "\x8c"s + static_cast<char>(s.size()) + s;
}

std::string le32(std::uint32_t v) {
    std::string out(4, '\0');
    for (int b = 0; b < 4; ++b) {
        out[static_cast<std::size_t>(b)] = static_cast<char>((v >> (8 * b)) & 0xff);
    }
    return out;
}

/// A protocol-4 pickle of {"rows": [<row> for i < n], "z": posix.system("true")} (the call
/// only with `payload`), the rows appended in batches of 1000 as CPython writes them.
/// `row(i)` returns the opcodes of one row; `tail` goes after the rows, inside the root dict's
/// MARK.
template <typename RowFn>
void writeRows(const std::string& path, std::uint32_t n, bool payload, RowFn row,
               const std::string& tail = {}) {
    std::ofstream out(path, std::ios::binary);
    out << "\x80\x04}("s << shortStr("rows") << "]";
    for (std::uint32_t i = 0; i < n; ++i) {
        if (i % 1000 == 0) {
            out << "(";
        }
        out << row(i);
        if (i % 1000 == 999 || i + 1 == n) {
            out << "e";
        }
    }
    out << tail;
    if (payload) {
        out << shortStr("z") << "cposix\nsystem\n" << shortStr("true") << "\x85R";
    }
    out << "u.";
}

std::string dump(const ValidationReport& r) {
    std::string out;
    for (const auto& f : r.findings) {
        out += f.rule + " " + f.path + " " + f.symbol + " @" +
               std::to_string(f.offset.value_or(0)) + " " + f.member + ": " + f.message + "\n";
    }
    return out;
}

ValidationReport validate(const QString& path, bool objectTree) {
    OpenOptions open;
    open.objectTree = objectTree;
    const auto c = openCheckpoint(path.toStdString(), open);
    return validateCheckpoint(*c);
}

}  // namespace

class TestObjectHeavy : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void payloadAfterTenMillionHarmlessObjects() {
        // 10^7 empty dicts (one value each; a 10 MB file), then the call. The machine used to
        // stop at 10^7 values (the old pickle-nodes limit) before reaching it.
        constexpr std::uint32_t kRows = 10'000'000;
        const QString path = m_tmp.filePath("ten_million.pkl");
        writeRows(path.toStdString(), kRows, true, [](std::uint32_t) { return "}"s; });
        const auto report = validate(path, false);
        QCOMPARE(report.findings.size(), std::size_t{1});
        const auto& f = report.findings.front();
        QCOMPARE(f.rule, std::string("CKPT-S001"));
        QCOMPARE(f.path, std::string("<root>['z']"));
        QCOMPARE(f.symbol, std::string("posix.system"));
        QVERIFY2(f.offset.value_or(0) > kRows, "the payload sits after every row");

        // The object tree of the same file is complete at 10^7 objects: every row is there
        // (counted without making them), the last one can be made, and the call is its own node.
        const auto c = openCheckpoint(path.toStdString());
        for (const auto& w : c->warnings()) {
            QVERIFY2(w.find("cut") == std::string::npos, w.c_str());
        }
        QCOMPARE(c->root().childCount(), std::size_t{2});
        const Node& rows = *c->root().child(0);
        QCOMPARE(rows.name(), std::string("rows"));
        QCOMPARE(rows.childCount(), std::size_t{kRows});
        QCOMPARE(rows.subtreeSize(), std::size_t{1 + kRows});
        const Node& last = *rows.child(kRows - 1);
        QCOMPARE(last.name(), std::to_string(kRows - 1));
        QCOMPARE(last.typeName(), std::string("dict"));
        QCOMPARE(last.childCount(), std::size_t{0});
        QCOMPARE(c->root().child(1)->name(), std::string("z"));
        QVERIFY(c->root().child(1)->kind() != NodeKind::Value);
    }

    void treeCountsMatchTheObjectsWritten() {
        // Issue 15's benchmark rows {"id": i, "name": f"item{i}", "v": float(i)}, more than
        // 10^6 (the node limit before the tree was lazy): 1 + 4 nodes per row, counted from the
        // graph; rows are made when asked for, here every 997th and the last.
        constexpr std::uint32_t kRows = 1'200'000;
        const QString path = m_tmp.filePath("rows.pkl");
        writeRows(path.toStdString(), kRows, false, [](std::uint32_t i) {
            return "}("s + shortStr("id") + "J" + le32(i) + shortStr("name") +
                   shortStr("item" + std::to_string(i)) + shortStr("v") + "G" +
                   std::string(8, '\0') + "u";
        });
        const auto c = openCheckpoint(path.toStdString());
        for (const auto& w : c->warnings()) {
            QVERIFY2(w.find("cut") == std::string::npos, w.c_str());
        }
        QCOMPARE(c->root().childCount(), std::size_t{1});
        const Node& rows = *c->root().child(0);
        QCOMPARE(rows.name(), std::string("rows"));
        QVERIFY(rows.lazy());
        QCOMPARE(rows.childCount(), std::size_t{kRows});
        QCOMPARE(c->root().subtreeSize(), std::size_t{1 + 1 + 4 * kRows});
        std::vector<std::uint32_t> sample;
        for (std::uint32_t i = 0; i < kRows; i += 997) {
            sample.push_back(i);
        }
        sample.push_back(kRows - 1);
        for (const std::uint32_t i : sample) {
            const Node& row = *rows.child(i);
            QCOMPARE(row.name(), std::to_string(i));
            QCOMPARE(row.path(), "rows/" + std::to_string(i));
            QCOMPARE(row.typeName(), std::string("dict"));
            QCOMPARE(row.childCount(), std::size_t{3});
            QCOMPARE(row.child(0)->name(), std::string("id"));
            QCOMPARE(row.child(0)->value(), std::to_string(i));
            QCOMPARE(row.child(1)->name(), std::string("name"));
            QVERIFY(row.child(1)->value().find("item" + std::to_string(i)) != std::string::npos);
            QCOMPARE(row.child(2)->name(), std::string("v"));
            QCOMPARE(row.child(2)->path(), "rows/" + std::to_string(i) + "/v");
        }
    }

    void scalarDictsInListsArePrunedOnlyWhenAsked() {
        // Validation keeps no entries for dicts of scalars appended to a list; everything else
        // (a dict holding a list, a dict not in a list) keeps them, and so does every dict when
        // the option is off.
        const QString path = m_tmp.filePath("prune.pkl");
        writeRows(path.toStdString(), 3, false, [](std::uint32_t i) {
            if (i == 1) {
                return "}("s + shortStr("l") + "]u";  // holds a list: kept
            }
            return "}("s + shortStr("id") + "K"s + static_cast<char>(i) + shortStr("v") + "G" +
                   std::string(8, '\0') + shortStr("n") + "N" + "u";
        });
        for (const bool prune : {false, true}) {
            pickle::MachineOptions mo;
            mo.pruneScalarDicts = prune;
            pickle::Machine m(FileSource::open(path.toStdString()), mo);
            const auto r = m.loadAll();
            const pickle::ValueGraph& g = m.graph();
            const auto& root = g.entries(r.pickles.front().root);
            QCOMPARE(root.size(), std::size_t{1});
            QVERIFY(!g[r.pickles.front().root].has(pickle::ValueFlag::Pruned));
            const auto& rows = g.items(root.front().second);
            QCOMPARE(rows.size(), std::size_t{3});
            for (std::size_t i = 0; i < 3; ++i) {
                const bool pruned = prune && i != 1;
                QCOMPARE(g[rows[i]].has(pickle::ValueFlag::Pruned), pruned);
                QCOMPARE(g.entries(rows[i]).size(), static_cast<std::size_t>(pruned   ? 0
                                                                             : i == 1 ? 1
                                                                                      : 3));
                QCOMPARE(g.kind(rows[i]), pickle::ValueKind::Dict);
            }
        }
    }

    void prunedDictThatGainsACallLaterIsFound() {
        // 10^5 memoized dicts of scalars, then dict 5 fetched from the memo and given a call by
        // SETITEMS: validation without the tree dropped its first entries, but still finds the
        // call there and names the same path as validation with the tree.
        constexpr std::uint32_t kRows = 100'000;
        const QString path = m_tmp.filePath("late_call.pkl");
        const std::string tail =
            "h\x05("s + shortStr("evil") + "cposix\nsystem\n" + shortStr("true") + "\x85Ru0";
        writeRows(
            path.toStdString(), kRows, false,
            [](std::uint32_t i) {
                return "}\x94("s + shortStr("id") + "J" + le32(i) + shortStr("name") +
                       shortStr("item" + std::to_string(i)) + "u";
            },
            tail);
        const auto lean = validate(path, false);
        QCOMPARE(lean.findings.size(), std::size_t{1});
        QCOMPARE(lean.findings.front().path, std::string("<root>['rows'][5]['evil']"));
        QCOMPARE(lean.findings.front().symbol, std::string("posix.system"));
        QCOMPARE(dump(lean), dump(validate(path, true)));
    }

    void validationWithoutTheTreeFindsTheSame_data() {
        QTest::addColumn<QString>("path");
        for (const char* dir : {"pickle", "py", "hostile", "sklearn", "benign"}) {
            QDirIterator it(ckpt::test::fixture(dir), QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString p = it.next();
                if (!p.endsWith(".ops") && !p.endsWith(".repr") && !p.endsWith(".md") &&
                    !p.endsWith(".py") && !p.endsWith(".json")) {
                    QTest::newRow(qPrintable(p.mid(ckpt::test::fixtureDir().size() + 1))) << p;
                }
            }
        }
    }

    void validationWithoutTheTreeFindsTheSame() {
        QFETCH(QString, path);
        std::string withTree;
        try {
            withTree = dump(validate(path, true));
        } catch (const Error&) {
            QVERIFY_THROWS_EXCEPTION(Error, (void)validate(path, false));
            return;  // unreadable either way
        }
        QCOMPARE(dump(validate(path, false)), withTree);
    }
};

QTEST_GUILESS_MAIN(TestObjectHeavy)
#include "test_object_heavy.moc"
