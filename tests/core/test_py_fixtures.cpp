// The fixtures of tests/fixtures/py, written by the real Python libraries (torch, numpy, joblib,
// dill, cloudpickle, sklearn) with a reference lister's expectations beside each file: format,
// tensors (path, dtype, shape, sha256 of the values in C order) and objects (path, class).
// The evil_* files would run commands if unpickled; opening them must not.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <filesystem>
#include <map>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/report/checkpoint_json.h"

using namespace ckpt::core;

namespace {

QString pyDir() {
    return ckpt::test::fixture("py");
}

QJsonObject expectation(const QString& file) {
    QFile f(pyDir() + "/" + file + ".expected.json");
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                       : QJsonObject();
}

/// Paths as the lister spells them, mapped to ours: no leading '/', nested Keras weights by
/// their path inside model.weights.h5.
std::string normalized(std::string path) {
    const std::string marker = "model.weights.h5/";
    if (const auto pos = path.find(marker); pos != std::string::npos) {
        return "…/" + path.substr(pos + marker.size());
    }
    if (!path.empty() && path[0] == '/') {
        path.erase(0, 1);
    }
    return path;
}

/// Elements in C order, little-endian, as the lister hashes them.
QByteArray cOrderBytes(const Tensor& t) {
    const auto n = t.numel();
    const auto size = dtypeSize(t.dtype());
    QByteArray raw(static_cast<qsizetype>(n * size), '\0');
    t.readRaw(0, n, reinterpret_cast<std::byte*>(raw.data()));
    if (!t.fortranOrder() || t.shape().size() < 2) {
        return raw;
    }
    QByteArray c(raw.size(), '\0');
    const auto& shape = t.shape();
    std::vector<std::uint64_t> index(shape.size(), 0);
    for (std::uint64_t i = 0; i < n; ++i) {  // i walks C order; find the F-order position
        std::uint64_t f = 0;
        std::uint64_t stride = 1;
        for (std::size_t d = 0; d < shape.size(); ++d) {
            f += index[d] * stride;
            stride *= shape[d];
        }
        std::memcpy(c.data() + i * size, raw.constData() + f * size, size);
        for (std::size_t d = shape.size(); d-- > 0;) {
            if (++index[d] < shape[d]) {
                break;
            }
            index[d] = 0;
        }
    }
    return c;
}

bool classMatches(const std::string& expected, const Node& node) {
    const std::string& t = node.typeName();
    if (expected.starts_with("call:")) {
        // A pickled Keras model is shown as its class, the call kept as its reconstructor.
        const auto r = node.attributes().find("reconstructor");
        return t == expected.substr(5) ||
               (r != node.attributes().end() && *r == expected.substr(5));
    }
    // Functions and classes pickled by reference are globals: the kind is not in the file.
    if (expected == "builtins.function") {
        return t.starts_with("function ") || t == "global";
    }
    if (expected == "builtins.type") {
        return t.starts_with("class ") || t == "global";
    }
    if (expected == "builtins.builtin_function_or_method") {
        return true;  // a bound method of a lock: shown as "<lock>.acquire"
    }
    return t == expected;
}

/// True when some node of the tree (nested archives included) has typeName `type`.
bool findType(const Node& root, const std::string& type) {
    std::vector<const Node*> stack{&root};
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        if (n->typeName() == type) {
            return true;
        }
        for (const auto& c : n->children()) {
            stack.push_back(c.get());
        }
    }
    return false;
}

}  // namespace

class TestPyFixtures : public QObject {
    Q_OBJECT

private slots:
    void fixtures_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(pyDir());
        for (const QString& f : dir.entryList({"*.expected.json"}, QDir::Files, QDir::Name)) {
            const QString file = f.chopped(QStringLiteral(".expected.json").size());
            QTest::newRow(file.toUtf8().constData()) << file;
        }
    }

    void fixtures() {
        QFETCH(QString, file);
        const QJsonObject e = expectation(file);
        for (const auto& p : std::filesystem::directory_iterator("/tmp")) {
            if (p.path().filename().string().starts_with("ckpt_pwned_")) {
                std::filesystem::remove(p.path());
            }
        }
        const auto c = openCheckpoint((pyDir() + "/" + file).toStdString());
        for (const auto& p : std::filesystem::directory_iterator("/tmp")) {
            QVERIFY2(!p.path().filename().string().starts_with("ckpt_pwned_"),
                     "opening the file ran its payload");
        }
        QCOMPARE(QString::fromStdString(c->format()), e["format"].toString());

        std::map<std::string, const Node*> tensors;
        for (const Node* n : c->tensorNodes()) {
            tensors[normalized(n->path())] = n;
        }
        const QJsonArray want = e["tensors"].toArray();
        QCOMPARE(tensors.size(), static_cast<std::size_t>(want.size()));
        for (const auto& v : want) {
            const QJsonObject o = v.toObject();
            const std::string path = normalized(o["path"].toString().toStdString());
            const auto it = tensors.find(path);
            QVERIFY2(it != tensors.end(), ("missing tensor " + path).c_str());
            const Tensor& t = *it->second->tensor();
            const std::string dtype = t.dtypeDetail().starts_with("[")
                                          ? t.dtypeDetail()
                                          : std::string(dtypeName(t.dtype()));
            QCOMPARE(QString::fromStdString(dtype), o["dtype"].toString());
            std::vector<std::uint64_t> shape;
            for (const auto& d : o["shape"].toArray()) {
                shape.push_back(static_cast<std::uint64_t>(d.toInteger()));
            }
            QVERIFY2(t.shape() == shape, path.c_str());
            if (o.contains("sha256") && t.readable()) {
                const QByteArray hash =
                    QCryptographicHash::hash(cOrderBytes(t), QCryptographicHash::Sha256).toHex();
                QVERIFY2(hash == o["sha256"].toString().toLatin1(),
                         ("values differ: " + path).c_str());
            }
        }
        // Globals that run code on load are shown as the calls they are, wherever they sit.
        for (const auto& v : e["dangerous"].toArray()) {
            std::string module = v.toObject()["module"].toString().toStdString();
            module = module == "__builtin__" ? "builtins" : module;
            const std::string name = module + "." + v.toObject()["name"].toString().toStdString();
            QVERIFY2(findType(c->root(), name), ("no node shows the call " + name).c_str());
        }
        for (const auto& v : e["objects"].toArray()) {
            const QJsonObject o = v.toObject();
            const std::string path = normalized(o["path"].toString().toStdString());
            const Node* node = path.empty() ? &c->root() : c->root().find(path);
            QVERIFY2(node != nullptr, ("missing object " + path).c_str());
            QVERIFY2(
                classMatches(o["class"].toString().toStdString(), *node),
                (path + ": " + node->typeName() + " is not " + o["class"].toString().toStdString())
                    .c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestPyFixtures)
#include "test_py_fixtures.moc"
