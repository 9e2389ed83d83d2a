// ONNX models (issue 18): every fixture of tests/fixtures/onnx (make_onnx.py) opens with the
// names, types, shapes and values python3-onnx sees (dump_onnx.py, run at test time); external
// data is read lazily and never outside the model's folder; bad files and the ONNX limits give
// clear errors; the graph view gets the ops and their edges.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "core/formats/onnx_reader.h"
#include "core/formats/registry.h"
#include "core/graph/graph_builder.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/module_groups.h"
#include "core/util/error.h"
#include "core/util/limits.h"

using namespace ckpt::core;
namespace fs = std::filesystem;

namespace {

QString onnxFixture(const QString& rel) {
    return ckpt::test::fixture("onnx/" + rel);
}

std::unique_ptr<Checkpoint> openOnnx(const QString& path) {
    return openCheckpoint(fs::path(path.toStdString()));
}

/// python3-onnx's view of `paths` (dump_onnx.py), or null when python3-onnx is absent.
ckpt::core::Json pythonView(const QStringList& paths) {
    const auto r = ckpt::test::run(ckpt::test::systemPython(),
                                   QStringList{onnxFixture("dump_onnx.py")} + paths);
    if (r.exitCode != 0) {
        return nullptr;
    }
    return ckpt::core::Json::parse(r.out.toStdString());
}

double asNumber(const ckpt::core::Json& v) {
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        return s == "nan" ? NAN : s == "inf" ? INFINITY : -INFINITY;
    }
    return v.get<double>();
}

/// Every initializer of `c` against python's entries: same names in order, types, dims and
/// values (strings through the reader's preview). Returns "" or the first difference.
std::string compareWithPython(const Checkpoint& c, const ckpt::core::Json& py) {
    const auto& inits = py["initializers"];
    const auto nodes = c.tensorNodes();
    std::vector<const Node*> top;
    for (const Node* n : nodes) {
        if (n->parent() == &c.root()) {
            top.push_back(n);
        }
    }
    if (top.size() != inits.size()) {
        return "tensor count " + std::to_string(top.size()) + " vs " + std::to_string(inits.size());
    }
    for (std::size_t i = 0; i < top.size(); ++i) {
        const Node& n = *top[i];
        const auto& e = inits[i];
        const std::string name = e["name"];
        if (n.name() != name) {
            return "name " + n.name() + " vs " + name;
        }
        if (n.attributes().value("onnx_type", "") != e["type"].get<std::string>()) {
            return name + ": type " + n.attributes().value("onnx_type", "") + " vs " +
                   e["type"].get<std::string>();
        }
        const Tensor& t = *n.tensor();
        std::vector<std::uint64_t> dims;
        for (const auto& d : e["dims"]) {
            dims.push_back(d.get<std::uint64_t>());
        }
        if (t.shape() != dims) {
            return name + ": shape " + t.shapeText();
        }
        if (e["values"].is_null()) {
            continue;
        }
        if (t.dtype() == DType::String) {
            const auto& preview = n.attributes()["strings"];
            for (std::size_t k = 0; k < preview.size(); ++k) {
                if (preview[k] != e["values"][k]) {
                    return name + ": string " + std::to_string(k);
                }
            }
            continue;
        }
        const std::size_t count = e["values"].size();
        std::vector<double> mine(count);
        t.readAsDouble(0, count, mine.data());
        for (std::size_t k = 0; k < count; ++k) {
            const double want = asNumber(e["values"][k]);
            const bool same = (std::isnan(want) && std::isnan(mine[k])) || want == mine[k] ||
                              std::abs(want - mine[k]) <= 1e-6 * std::abs(want);
            if (!same) {
                return name + "[" + std::to_string(k) + "]: " + std::to_string(mine[k]) + " vs " +
                       std::to_string(want);
            }
        }
    }
    return {};
}

/// Restores the process-wide limits when a test function ends.
struct LimitsGuard {
    Limits saved = limits();
    ~LimitsGuard() { limits() = saved; }
};

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
    for (const char* w : words) {
        if (text.find(w) == std::string::npos) {
            return false;
        }
    }
    return true;
}

/// The message of the error opening `path` throws ("" when it opens).
template <typename E>
std::string openError(const QString& path) {
    try {
        (void)openOnnx(path);
    } catch (const E& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestOnnx : public QObject {
    Q_OBJECT

private slots:
    void goodFixturesMatchPython_data() {
        QTest::addColumn<QString>("file");
        for (const char* f : {"mlp.onnx", "mlp_b2_changed.onnx", "typed.onnx", "shapes.onnx",
                              "subgraph.onnx", "sparse.onnx", "external/model.onnx"}) {
            QTest::newRow(f) << QString(f);
        }
    }
    void goodFixturesMatchPython() {
        QFETCH(QString, file);
        const QString path = onnxFixture(file);
        const auto py = pythonView({path});
        if (py.is_null()) {
            QSKIP("python3-onnx is not installed (apt-get install python3-onnx)");
        }
        const auto& mine = py[path.toStdString()];
        QVERIFY(!mine.contains("error"));
        const auto c = openOnnx(path);
        QCOMPARE(c->format(), std::string("onnx"));
        QVERIFY(!mine["initializers"].empty() || file == "subgraph.onnx");
        const std::string diff = compareWithPython(*c, mine);
        QVERIFY2(diff.empty(), diff.c_str());
        QCOMPARE(c->metadata()["ir_version"].get<int>(), mine["ir_version"].get<int>());
        std::string opsets;
        for (const auto& [domain, version] : mine["opsets"].items()) {
            opsets += (opsets.empty() ? "" : ", ") + domain + " " + std::to_string(int(version));
        }
        QCOMPARE(c->metadata()["opset"].get<std::string>(), opsets);
        for (const auto& [k, v] : mine["props"].items()) {
            QCOMPARE(c->metadata()[k].get<std::string>(), v.get<std::string>());
        }
        // Inputs, outputs and value_info with their shapes, as python reads them.
        for (const auto& [group, key] :
             {std::pair{"graph.input", "inputs"}, std::pair{"graph.output", "outputs"},
              std::pair{"graph.value_info", "value_info"}}) {
            const Node* g = c->root().findChild(group);
            QCOMPARE(g ? g->childCount() : 0, mine[key].size());
            for (const auto& [name, dims] : mine[key].items()) {
                const Node* v = g->findChild(name);
                QVERIFY2(v != nullptr, name.c_str());
                QCOMPARE(v->attributes().value("shape", ckpt::core::Json()), dims);
            }
        }
        const Node* ops = c->root().findChild("graph.node");
        QCOMPARE(ops ? ops->childCount() : 0, mine["nodes"].size());
        for (std::size_t i = 0; i < mine["nodes"].size(); ++i) {
            QCOMPARE(ops->child(i)->attributes()["op_type"], mine["nodes"][i]);
        }
        // Sparse initializers: values and indices as two tensors below the group.
        for (const auto& sp : mine["sparse"]) {
            const std::string base = "graph.sparse_initializer/" + sp["name"].get<std::string>();
            const Node* group = c->root().find(base);
            QVERIFY2(group != nullptr, base.c_str());
            QCOMPARE(group->attributes()["dims"], sp["dims"]);
            for (const char* part : {"values", "indices"}) {
                const Tensor& t = *c->findTensor(base + "/" + part)->tensor();
                const auto& want = sp[part]["values"];
                std::vector<double> got(want.size());
                t.readAsDouble(0, got.size(), got.data());
                for (std::size_t k = 0; k < got.size(); ++k) {
                    QCOMPARE(got[k], want[k].get<double>());
                }
                QCOMPARE(t.numel(), want.size());
            }
        }
    }

    void typedFieldsKeepTheirTypes() {
        const auto c = openOnnx(onnxFixture("typed.onnx"));
        const auto dtype = [&](const char* name) { return c->findTensor(name)->tensor()->dtype(); };
        QCOMPARE(dtype("f16"), DType::Float16);
        QCOMPARE(dtype("bf16"), DType::BFloat16);
        QCOMPARE(dtype("i8"), DType::Int8);
        QCOMPARE(dtype("u16"), DType::UInt16);
        QCOMPARE(dtype("b"), DType::Bool);
        QCOMPARE(dtype("u32"), DType::UInt32);
        QCOMPARE(dtype("c64"), DType::Complex64);
        QCOMPARE(dtype("s"), DType::String);
        QCOMPARE(c->findTensor("f16")->attributes()["storage"], "int32_data");
        QCOMPARE(c->findTensor("i64")->attributes()["storage"], "int64_data");
        QCOMPARE(c->findTensor("u64")->attributes()["storage"], "uint64_data");
        QVERIFY(!c->findTensor("s")->tensor()->readable());  // strings are shown, not numbers
        std::int64_t big[4];
        c->findTensor("i64")->tensor()->readRaw(0, 4, reinterpret_cast<std::byte*>(big));
        QCOMPARE(big[3], std::int64_t(1) << 62);  // exact, not through a double
    }

    void externalDataIsReadLazilyInsideTheFolder() {
        QTemporaryDir dir;
        for (const char* f : {"model.onnx", "weights.bin"}) {
            QVERIFY(QFile::copy(onnxFixture(QString("external/") + f), dir.filePath(f)));
        }
        const auto c = openOnnx(dir.filePath("model.onnx"));
        QVERIFY(c->uncheckedParts().empty());
        QCOMPARE(c->findTensor("fc2.bias")->attributes()["storage"], "external");
        // Change the side file after the open: reads see the new bytes, so the open read none.
        QFile w(dir.filePath("weights.bin"));
        QVERIFY(w.open(QIODevice::ReadWrite));
        QVERIFY(w.seek(256));
        const float now[3] = {5.0F, 6.0F, 7.0F};
        w.write(reinterpret_cast<const char*>(now), sizeof now);
        w.close();
        double got[3];
        c->findTensor("fc2.bias")->tensor()->readAsDouble(0, 3, got);
        QCOMPARE(got[0], 5.0);
        QCOMPARE(got[2], 7.0);
        // The file gone after the open: a clear error for that tensor's read, not a crash.
        const auto d = openOnnx(dir.filePath("model.onnx"));
        const auto e = openOnnx(dir.filePath("model.onnx"));
        QVERIFY(QFile::rename(dir.filePath("weights.bin"), dir.filePath("moved.bin")));
        QVERIFY(ckpt::test::throws<Error>(
            [&] { d->findTensor("fc1.weight")->tensor()->readAsDouble(0, 1, got); }));
        // ... or swapped for a link out of the folder: refused when the file is first read.
        QTemporaryDir outside;
        QVERIFY(QFile::rename(dir.filePath("moved.bin"), outside.filePath("weights.bin")));
        QVERIFY(QFile::link(outside.filePath("weights.bin"), dir.filePath("weights.bin")));
        std::string why;
        try {
            e->findTensor("fc1.weight")->tensor()->readAsDouble(0, 1, got);
        } catch (const IoError& err) {
            why = err.what();
        }
        QVERIFY2(mentions(why, {"outside the model's folder"}), why.c_str());
    }

    void externalDataOfBytesInMemoryIsNotRead() {
        QFile f(onnxFixture("external/model.onnx"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        const auto* b = reinterpret_cast<const std::byte*>(bytes.constData());
        auto source = std::make_shared<MemorySource>(std::vector<std::byte>(b, b + bytes.size()),
                                                     "member.onnx");
        const auto c = openCheckpoint(source, "member.onnx");
        QCOMPARE(c->uncheckedParts().size(), std::size_t(4));
        QVERIFY(!c->findTensor("fc1.weight")->tensor()->readable());
    }

    void escapingExternalDataIsRefused() {
        const auto c = openOnnx(onnxFixture("bad/escape/model.onnx"));
        QCOMPARE(c->uncheckedParts().size(), std::size_t(2));
        for (const auto& u : c->uncheckedParts()) {
            QVERIFY2(mentions(u.why, {"outside the model's folder"}), u.why.c_str());
        }
        QVERIFY(!c->findTensor("up")->tensor()->readable());
        QVERIFY(!c->findTensor("abs")->tensor()->readable());

        // A symlink beside the model that leads out of its folder is refused the same way.
        QTemporaryDir outside;
        QTemporaryDir dir;
        QFile secret(outside.filePath("secret.bin"));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write(QByteArray(16, 'x'));
        secret.close();
        QVERIFY(QFile::copy(onnxFixture("bad/missing/model.onnx"), dir.filePath("model.onnx")));
        QVERIFY(QFile::link(outside.filePath("secret.bin"), dir.filePath("nowhere.bin")));
        const auto linked = openOnnx(dir.filePath("model.onnx"));
        QCOMPARE(linked->uncheckedParts().size(), std::size_t(1));
        QVERIFY2(mentions(linked->uncheckedParts()[0].why, {"link", "outside"}),
                 linked->uncheckedParts()[0].why.c_str());
        QVERIFY(!linked->findTensor("gone")->tensor()->readable());
    }

    void missingAndShortExternalFiles() {
        const auto missing = openOnnx(onnxFixture("bad/missing/model.onnx"));
        QCOMPARE(missing->uncheckedParts().size(), std::size_t(1));
        QVERIFY(mentions(missing->uncheckedParts()[0].why, {"missing", "nowhere.bin"}));
        QVERIFY(!missing->warnings().empty());

        const auto past = openOnnx(onnxFixture("bad/past_end/model.onnx"));
        double got[4];
        past->findTensor("ok")->tensor()->readAsDouble(0, 4, got);
        QCOMPARE(got[3], 4.0);
        QVERIFY(!past->findTensor("late")->tensor()->readable());
        QCOMPARE(past->layoutProblems().size(), std::size_t(1));
        QCOMPARE(past->layoutProblems()[0].path, std::string("late"));
        QVERIFY2(mentions(past->layoutProblems()[0].what, {"past the end", "data.bin"}),
                 past->layoutProblems()[0].what.c_str());
    }

    void badFilesGiveClearErrors() {
        const std::string truncated =
            openError<CorruptDataError>(onnxFixture("bad/truncated.onnx"));
        QVERIFY2(mentions(truncated, {"truncated.onnx", "[onnx]", "does not parse",
                                      "remain (truncated?)", "(at graph, offset"}),
                 truncated.c_str());
        // A damaged op: the error names the entry of the graph that protobuf refuses.
        QTemporaryDir dir;
        QFile in(onnxFixture("mlp.onnx"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray bytes = in.readAll();
        const int op = bytes.indexOf("fc1/MatMul");
        QVERIFY(op > 0);
        bytes[op - 1] = char(0xff);  // the name's length runs past the op
        QFile out(dir.filePath("damaged.onnx"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        const std::string damaged = openError<CorruptDataError>(dir.filePath("damaged.onnx"));
        QVERIFY2(mentions(damaged, {"graph.node[0]", "does not parse", "(at graph.node[0]"}),
                 damaged.c_str());
        const std::string huge = openError<CorruptDataError>(onnxFixture("bad/huge_dims.onnx"));
        QVERIFY2(mentions(huge, {"huge_dims.onnx", "[onnx]", "1099511627776 elements",
                                 "raw_data holds 16 bytes", "(at huge)"}),
                 huge.c_str());
        const std::string shortRaw = openError<CorruptDataError>(onnxFixture("bad/short_raw.onnx"));
        QVERIFY2(mentions(shortRaw, {"6 elements", "24 bytes", "20 bytes", "short"}),
                 shortRaw.c_str());
    }

    void limitsBoundTheParse() {
        LimitsGuard guard;
        limits().onnxBytes = 100;
        QVERIFY(mentions(openError<LimitError>(onnxFixture("mlp.onnx")), {"onnx-bytes"}));
        limits() = guard.saved;

        limits().onnxDepth = 4;  // the If node's branches nest deeper than that
        QVERIFY(
            mentions(openError<CorruptDataError>(onnxFixture("subgraph.onnx")), {"onnx-depth=4"}));
        limits() = guard.saved;
        const auto sub = openOnnx(onnxFixture("subgraph.onnx"));
        const Node* choose = sub->root().find("graph.node/choose");
        QVERIFY(choose != nullptr);
        QVERIFY(mentions(choose->attributes()["attributes"]["then_branch"].get<std::string>(),
                         {"graph 'then_branch'", "1 nodes", "1 initializers"}));

        limits().onnxTensors = 3;
        QVERIFY(mentions(openError<LimitError>(onnxFixture("mlp.onnx")), {"onnx-tensors=3"}));
        limits() = guard.saved;

        limits().onnxNodes = 2;
        const auto cutShort = openOnnx(onnxFixture("mlp.onnx"));
        QCOMPARE(cutShort->root().findChild("graph.node")->childCount(), std::size_t(2));
        QVERIFY(!cutShort->warnings().empty());
    }

    void subgraphInitializersAreListed() {
        // The If node's branches hold one initializer each (make_onnx.py): they are tensors of
        // the checkpoint, under graph.subgraphs, by the op and attribute that hold them.
        const auto c = openOnnx(onnxFixture("subgraph.onnx"));
        QCOMPARE(c->metadata()["subgraph_initializers"].get<int>(), 2);
        QCOMPARE(c->tensorNodes().size(), std::size_t{2});
        const Node* subgraphs = c->root().findChild("graph.subgraphs");
        QVERIFY(subgraphs != nullptr);
        // In the file's order: onnx's make_node sorts attributes by name.
        const std::pair<const char*, double> want[] = {{"choose.else_branch", 2.0},
                                                       {"choose.then_branch", 1.0}};
        QCOMPARE(subgraphs->childCount(), std::size_t{2});
        for (std::size_t i = 0; i < 2; ++i) {
            const Node& branch = *subgraphs->child(i);
            QCOMPARE(branch.name(), std::string(want[i].first));
            QCOMPARE(branch.childCount(), std::size_t{1});
            const Node& t = *branch.child(0);
            QCOMPARE(t.name(), std::string(i == 0 ? "two" : "one"));
            QVERIFY(t.tensor() != nullptr);
            QCOMPARE(t.tensor()->shape(), std::vector<std::uint64_t>{1});
            double v = 0;
            t.tensor()->readAsDouble(0, 1, &v);
            QCOMPARE(v, want[i].second);
        }
        LimitsGuard guard;
        limits().onnxTensors = 1;  // none at the top, two in the branches
        QVERIFY(mentions(openError<LimitError>(onnxFixture("subgraph.onnx")), {"onnx-tensors=1"}));
    }

    void nestedSubgraphsNestTheirGroups() {
        // nested.onnx: the Loop body holds "b" and an If whose then branch holds "w"; the else
        // branch holds nothing and gets no group.
        const auto c = openOnnx(onnxFixture("nested.onnx"));
        QCOMPARE(c->metadata()["subgraph_initializers"].get<int>(), 2);
        const Node* body = c->root().find("graph.subgraphs/loop.body");
        QVERIFY(body != nullptr);
        QCOMPARE(body->childCount(), std::size_t{2});
        const Node* b = body->findChild("b");
        QVERIFY(b != nullptr && b->tensor() != nullptr);
        double v = 0;
        b->tensor()->readAsDouble(0, 1, &v);
        QCOMPARE(v, 5.0);
        const Node* w = body->find("inner.then_branch/w");
        QVERIFY(w != nullptr && w->tensor() != nullptr);
        QCOMPARE(w->tensor()->shape(), std::vector<std::uint64_t>{2});
        double wv[2] = {0, 0};
        w->tensor()->readAsDouble(0, 2, wv);
        QCOMPARE(wv[0], 3.0);
        QCOMPARE(wv[1], 4.0);
        QVERIFY(body->findChild("inner.else_branch") == nullptr);
        QCOMPARE(c->tensorNodes().size(), std::size_t{2});
    }

    void parseMemoryIsBounded() {
        // 200,000 empty ops: 400 KB that protobuf turns into tens of MB of messages.
        std::string graph;
        for (int i = 0; i < 200000; ++i) {
            graph += std::string("\x0a\x00", 2);
        }
        std::string model = "\x08\x08";
        model += '\x3a';
        for (std::size_t n = graph.size(); n != 0 || model.back() == '\x3a'; n >>= 7) {
            model += static_cast<char>((n & 0x7f) | (n >> 7 ? 0x80 : 0));
            if (n >> 7 == 0) {
                break;
            }
        }
        model += graph;
        const auto* b = reinterpret_cast<const std::byte*>(model.data());
        const auto bytes = std::make_shared<MemorySource>(
            std::vector<std::byte>(b, b + model.size()), "many_ops.onnx");
        LimitsGuard guard;
        limits().onnxParseBytes = 1 << 20;
        std::string message;
        try {
            (void)openCheckpoint(bytes, "many_ops.onnx");
        } catch (const LimitError& e) {
            message = e.what();
        }
        QVERIFY2(mentions(message, {"onnx-parse-bytes", "many_ops.onnx"}), message.c_str());
        limits() = guard.saved;
        limits().onnxNodes = 10;
        const auto c = openCheckpoint(bytes, "many_ops.onnx");
        QCOMPARE(c->metadata()["nodes"].get<int>(), 200000);
        QCOMPARE(c->root().findChild("graph.node")->childCount(), std::size_t(10));
    }

    void probeTakesOnnxOnly() {
        const OnnxReader reader;
        for (const char* f :
             {"mlp.onnx", "typed.onnx", "external/model.onnx", "bad/huge_dims.onnx"}) {
            ProbeContext ctx(FileSource::open(onnxFixture(f).toStdString()), f);
            QVERIFY2(reader.probe(ctx) > 0, f);
        }
        for (const char* f : {"diff/torch_state.safetensors", "gguf/v2.gguf", "py/pickle_p5.pkl",
                              "keras/k2_weights_only.h5", "py/torch_sd_zip.pt"}) {
            const QString path = ckpt::test::fixture(f);
            ProbeContext ctx(FileSource::open(path.toStdString()), f);
            QCOMPARE(reader.probe(ctx), 0);
        }
        // A field 1 varint followed by something that is no ModelProto field.
        const std::vector<std::byte> fake{std::byte{0x08}, std::byte{0x01}, std::byte{0x00},
                                          std::byte{0x00}, std::byte{0x00}};
        ProbeContext ctx(std::make_shared<MemorySource>(fake, "fake"), "fake");
        QCOMPARE(reader.probe(ctx), 0);
    }

    void graphHasOpsEdgesAndWeights() {
        const auto c = openOnnx(onnxFixture("shapes.onnx"));
        const Graph g = buildGraph(*c);
        QVERIFY(g.edgesAreDataFlow());
        QCOMPARE(g.nodes().size(), std::size_t(6));  // input x and five ops
        QCOMPARE(g.edges().size(), std::size_t(5));  // a chain
        const GraphNodeId x = g.find("x");
        QVERIFY(x != kNoGraphNode);
        QCOMPARE(g.node(x).kind, GraphNodeKind::Input);
        const GraphNodeId mm = g.find("fc1/MatMul");
        QVERIFY(mm != kNoGraphNode);
        QCOMPARE(g.node(mm).className, std::string("MatMul"));
        QCOMPARE(g.node(mm).tensors, std::vector<std::string>{"fc1.weight"});
        QCOMPARE(g.node(mm).params, std::uint64_t(32));
        QCOMPARE(g.node(mm).outputShape, (std::vector<std::int64_t>{-1, 8}));
        std::uint64_t params = 0;
        for (const auto& n : g.nodes()) {
            params += n.params;
        }
        QCOMPARE(params, c->totalParams() != 0 ? c->totalParams() : std::uint64_t(67));
        QCOMPARE(params, std::uint64_t(4 * 8 + 8 + 8 * 3 + 3));
        bool xToMatMul = false;
        for (const auto& e : g.edges()) {
            xToMatMul = xToMatMul || (e.from == x && e.to == mm);
        }
        QVERIFY(xToMatMul);
        QCOMPARE(g.outputs.size(), std::size_t(1));
        QCOMPARE(g.node(g.outputs[0]).name, std::string("fc2/Add"));
        // Bounded by graph-nodes: cut short with a warning, edges only between kept nodes.
        GraphBuildOptions small;
        small.maxNodes = 3;
        const Graph cut = buildGraph(*c, small);
        QCOMPARE(cut.nodes().size(), std::size_t(3));
        QVERIFY(cut.truncated);
        QVERIFY(!cut.warnings.empty());
        QCOMPARE(cut.edges().size(), std::size_t(2));
    }

    void graphFindsWeightsInTheAppsModuleGroups() {
        // The app groups dotted names into modules (fc1 > fc1.weight) before it builds the
        // graph: the weights are still attached, and no input is reported as made by nothing.
        auto c = openOnnx(onnxFixture("shapes.onnx"));
        QVERIFY(ckpt::core::groupDottedKeys(c->root()) > 0);
        QVERIFY(c->root().findChild("fc1") != nullptr);
        const Graph g = buildGraph(*c);
        QVERIFY2(g.warnings.empty(), g.warnings.empty() ? "" : g.warnings.front().c_str());
        const GraphNodeId mm = g.find("fc1/MatMul");
        QVERIFY(mm != kNoGraphNode);
        QCOMPARE(g.node(mm).tensors, std::vector<std::string>{"fc1.weight"});
        std::uint64_t params = 0;
        for (const auto& n : g.nodes()) {
            params += n.params;
        }
        QCOMPARE(params, std::uint64_t(4 * 8 + 8 + 8 * 3 + 3));
    }
};

QTEST_GUILESS_MAIN(TestOnnx)
#include "test_onnx.moc"
