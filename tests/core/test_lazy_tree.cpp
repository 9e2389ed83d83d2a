// The lazy object tree (issue 15): plain subtrees made on demand show exactly what the eager
// tree shows (names, paths, kinds, types, values, attributes), counts are known before any
// child is made, what is not plain stays eager, and the node limits cut with a named limit.

#include <QtTest>

#include <algorithm>
#include <memory>
#include <string>

#include "common/counting_source.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/object_view.h"

using namespace ckpt::core;
using ckpt::test::CountingSource;
using ckpt::test::countingTree;
using namespace std::string_literals;

namespace {

std::string shortStr(const std::string& s) {
    return "\x8c"s + static_cast<char>(s.size()) + s;
}

/// {"rows": builtins.list() + APPENDS of n dicts, "pairs": [(i, [i, None, True]) ...],
///  "keys": {1: "a", "1x": b"b", "": 2.5}, "empty": (), "again": ()}: every plain shape.
std::string plainPickle(int n) {
    std::string p = "\x80\x04}("s + shortStr("rows") + "cbuiltins\nlist\n)R(";
    for (int i = 0; i < n; ++i) {
        p += "}(" + shortStr("id") + "K" + static_cast<char>(i % 200) + shortStr("name") +
             shortStr("item" + std::to_string(i)) + "u";
    }
    p += "e" + shortStr("pairs") + "](";
    for (int i = 0; i < n; ++i) {
        p += "K"s + static_cast<char>(i % 200) + "]K" + static_cast<char>(i % 7) + "N\x88\x87\x86";
    }
    p += "e" + shortStr("keys") + "}(K\x01" + shortStr("a") + shortStr("1x") + "C\x01" + "b" +
         shortStr("") + "G" + std::string("\x40\x04\0\0\0\0\0\0", 8) + "u";
    p += shortStr("empty") + ")" + shortStr("again") + ")u.";
    return p;
}

std::unique_ptr<Checkpoint> view(const std::string& bytes, bool lazy,
                                 pyobj::TreeLimits limits = {}) {
    auto source = std::make_shared<MemorySource>(
        std::vector<std::byte>(reinterpret_cast<const std::byte*>(bytes.data()),
                               reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size()),
        "test.pkl");
    pickle::Machine machine(source);
    const auto result = machine.loadAll();
    auto c = std::make_unique<Checkpoint>("pickle", "Python pickle");
    pyobj::Recognitions r;
    pyobj::ObjectViewOptions o;
    o.limits = limits;
    if (o.limits.lazyFrom == pyobj::TreeLimits{}.lazyFrom) {
        o.limits.lazyFrom = 8;
    }
    if (lazy) {
        o.graph = machine.sharedGraph();
    }
    pyobj::buildObjectView(machine.graph(), result.pickles.front().root, r, *c, o);
    return c;
}

/// Every node of both trees, side by side: "path kind type value attributes", one a line.
std::string dump(const Node& root) {
    std::string out;
    std::vector<const Node*> stack{&root};
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        out += n->path() + " " + std::string(nodeKindName(n->kind())) + " " + n->typeName() + " " +
               n->value() + " " + n->attributes().dump() + " " + std::to_string(n->childCount()) +
               "\n";
        for (std::size_t i = n->childCount(); i-- > 0;) {
            stack.push_back(n->child(i));
        }
    }
    return out;
}

}  // namespace

class TestLazyTree : public QObject {
    Q_OBJECT

private slots:
    void findMakesOnlyThePath() {
        auto [root, source] = countingTree(1'000'000);
        const Node* tag = root->find("765432/tags/1");
        QVERIFY(tag != nullptr);
        QCOMPARE(tag->value(), std::string("tag") + std::to_string(1'000'000 + 765433));
        QCOMPARE(tag->path(), std::string("765432/tags/1"));
        QCOMPARE(source->made, std::size_t(3));  // the row, its tags, the tag
        QVERIFY(root->find("765432/nope") == nullptr);
        QVERIFY(root->find("1000000") == nullptr);
        QVERIFY(root->findChild("999999") != nullptr);
        QCOMPARE(source->made, std::size_t(4));
    }

    void describedChildrenMatchTheMadeOnes() {
        auto [root, source] = countingTree(50);
        for (std::size_t i = 0; i < root->childCount(); i += 7) {
            const ChildView v = root->describeChild(i);
            const Node* n = root->child(i);
            QCOMPARE(v.name, n->name());
            QCOMPARE(v.kind, n->kind());
            QCOMPARE(v.typeName, n->typeName());
            QCOMPARE(n->describeChild(1).name, n->child(1)->name());
        }
    }

    void visitingALazySubtreeMakesNothing() {
        auto [root, source] = countingTree(200'000);
        std::size_t visited = 0, deepest = 0;
        std::string lastPath;
        for (std::size_t i = 0; i < root->childCount(); ++i) {
            ++visited;
            root->visitBelowChild(i, std::to_string(i),
                                  [&](const ChildView&, const std::string& p, std::size_t d) {
                                      ++visited;
                                      deepest = std::max(deepest, d);
                                      lastPath = p;
                                      return Node::Visit::Descend;
                                  });
        }
        QCOMPARE(visited + 1, root->subtreeSize());
        QCOMPARE(deepest, std::size_t(2));
        QCOMPARE(lastPath, std::string("199999/tags/1"));
        QCOMPARE(source->made, std::size_t(0));
        // Stop ends the walk at once; Skip leaves out one subtree.
        std::size_t seen = 0;
        root->visitBelowChild(3, "3", [&](const ChildView& v, const std::string&, std::size_t) {
            ++seen;
            return v.name == "tags" ? Node::Visit::Skip : Node::Visit::Descend;
        });
        QCOMPARE(seen, std::size_t(2));
        seen = 0;
        root->visitBelowChild(3, "3", [&](const ChildView&, const std::string&, std::size_t) {
            ++seen;
            return Node::Visit::Stop;
        });
        QCOMPARE(seen, std::size_t(1));
    }

    void aCopyOfALazyTreeSharesItsChildren() {
        auto [root, source] = countingTree(1'000'000);
        Node copy(NodeKind::Group, "copy");
        QVERIFY(copy.shareLazyChildren(*root));
        QCOMPARE(copy.childCount(), std::size_t(1'000'000));
        QCOMPARE(copy.subtreeSize(), root->subtreeSize());
        QCOMPARE(source->made, std::size_t(0));
        QCOMPARE(copy.child(5)->path(), std::string("5"));
        QCOMPARE(source->made, std::size_t(1));
        Node eager(NodeKind::Group, "eager");
        QVERIFY(!copy.child(5)->describeChild(0).key.has_value());
        QVERIFY(!eager.shareLazyChildren(Node(NodeKind::Group, "plain")));
    }

    void lazyTreeShowsWhatTheEagerTreeShows() {
        const std::string bytes = plainPickle(300);
        const auto eager = view(bytes, false);
        const auto lazy = view(bytes, true);
        const Node* rows = lazy->root().findChild("rows");
        QVERIFY(rows != nullptr);
        QVERIFY(rows->lazy());
        QCOMPARE(rows->childCount(), std::size_t{300});
        QCOMPARE(rows->typeName(), std::string("list"));
        QCOMPARE(lazy->root().subtreeSize(), eager->root().subtreeSize());
        QCOMPARE(dump(lazy->root()), dump(eager->root()));
        QVERIFY(lazy->warnings().empty());
    }

    void childrenAreMadeOneAtATime() {
        const auto c = view(plainPickle(50), true);
        const Node& rows = *c->root().findChild("rows");
        const Node& last = *rows.child(49);
        QCOMPARE(last.path(), std::string("rows/49"));
        QCOMPARE(last.row(), std::size_t{49});
        QCOMPARE(last.child(1)->value(), std::string("'item49'"));
        QCOMPARE(rows.children().size(), std::size_t{50});
        QCOMPARE(rows.child(49), &last);  // made once
        QCOMPARE(c->root().find("rows/7/name")->value(), std::string("'item7'"));
    }

    void sharedAndObjectValuesStayEager() {
        // A list held twice shows a reference the second time; an object is never lazy.
        std::string p = "\x80\x04}("s + shortStr("a") + "](";
        for (int i = 0; i < 20; ++i) {
            p += "K"s + static_cast<char>(i);
        }
        p += "e\x94" + shortStr("b") + std::string("h\0", 2) + shortStr("c") + "cos\nsystem\n" +
             shortStr("true") + "\x85R" + "u.";
        const auto c = view(p, true);
        QVERIFY(!c->root().findChild("a")->lazy());
        QCOMPARE(c->root().findChild("b")->typeName(), std::string("reference"));
        QCOMPARE(c->root().findChild("c")->kind(), NodeKind::Object);
        QCOMPARE(dump(c->root()), dump(view(p, false)->root()));
    }

    void nodeLimitCutsWithTheLimitsName() {
        pyobj::TreeLimits limits;
        limits.maxNodes = 100;
        const auto c = view(plainPickle(300), true, limits);
        QVERIFY(c->root().subtreeSize() <= 110);
        bool named = false;
        for (const auto& w : c->warnings()) {
            named = named || w.find("--limit object-tree-nodes=") != std::string::npos;
        }
        QVERIFY(named);
    }

    void eagerLimitLeavesPlainValuesLazy() {
        // {"c": os.system("true"), "rows": [300 dicts]}: past 3 eager nodes, rows are lazy.
        std::string p = "\x80\x04}("s + shortStr("c") + "cos\nsystem\n" + shortStr("true") +
                        "\x85R" + shortStr("rows") + "](";
        for (int i = 0; i < 300; ++i) {
            p += "}(" + shortStr("id") + "K" + static_cast<char>(i % 200) + "u";
        }
        p += "eu.";
        pyobj::TreeLimits limits;
        limits.maxEagerNodes = 3;
        limits.lazyFrom = 1'000'000;
        const auto c = view(p, true, limits);
        QVERIFY(c->warnings().empty());
        const Node& rows = *c->root().findChild("rows");
        QVERIFY(!rows.lazy());
        QVERIFY(rows.child(5)->lazy());
        QCOMPARE(dump(c->root()), dump(view(p, false)->root()));
        limits.maxEagerNodes = 1;  // the call's argument is cut, with the limit's name
        const auto cut = view(p, true, limits);
        QVERIFY(!cut->warnings().empty());
        QVERIFY(cut->warnings().front().find("object-tree-eager") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestLazyTree)
#include "test_lazy_tree.moc"
