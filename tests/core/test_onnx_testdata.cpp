// Every model of Debian's libonnx-testdata that python3-onnx loads opens here with the same
// initializers: names in order, data types, dims, and the first values and their sum as
// numpy_helper decodes them (tests/fixtures/onnx/dump_onnx.py, run at test time). Skips with a
// message when the test data or python3-onnx are absent.

#include <QDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

constexpr const char* kTestData = "/usr/share/libonnx-testdata/data";

double asNumber(const ckpt::core::Json& v) {
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        return s == "nan" ? NAN : s == "inf" ? INFINITY : -INFINITY;
    }
    return v.get<double>();
}

bool close(double a, double b, double tolerance) {
    return (std::isnan(a) && std::isnan(b)) || a == b || std::abs(a - b) <= tolerance;
}

/// "" when `c` holds the initializers python lists in `py`, else the first difference.
std::string compare(const Checkpoint& c, const ckpt::core::Json& py) {
    std::vector<const Node*> top;
    for (const Node* n : c.tensorNodes()) {
        if (n->parent() == &c.root()) {
            top.push_back(n);
        }
    }
    const auto& inits = py["initializers"];
    if (top.size() != inits.size()) {
        return std::to_string(top.size()) + " initializers, python has " +
               std::to_string(inits.size());
    }
    for (std::size_t i = 0; i < top.size(); ++i) {
        const Node& n = *top[i];
        const auto& e = inits[i];
        const std::string name = e["name"];
        if (n.name() != name || n.attributes().value("onnx_type", "") != e["type"]) {
            return "initializer " + std::to_string(i) + ": " + n.name() + " " +
                   n.attributes().value("onnx_type", "") + " vs " + name + " " +
                   e["type"].get<std::string>();
        }
        std::vector<std::uint64_t> dims;
        for (const auto& d : e["dims"]) {
            dims.push_back(d.get<std::uint64_t>());
        }
        const Tensor& t = *n.tensor();
        if (t.shape() != dims) {
            return name + ": shape " + t.shapeText();
        }
        if (e["values"].is_null() || e["sum"].is_null() || !t.readable()) {
            continue;
        }
        const std::size_t count = e["values"].size();
        std::vector<double> first(count);
        t.readAsDouble(0, count, first.data());
        for (std::size_t k = 0; k < count; ++k) {
            if (!close(first[k], asNumber(e["values"][k]), 1e-6 * std::abs(first[k]))) {
                return name + "[" + std::to_string(k) + "] differs";
            }
        }
        std::vector<double> all(static_cast<std::size_t>(t.numel()));
        t.readAsDouble(0, all.size(), all.data());
        double sum = 0;
        double mag = 0;
        for (const double v : all) {
            sum += v;
            mag += std::abs(v);
        }
        if (!close(sum, asNumber(e["sum"]), 1e-9 * mag + 1e-12)) {
            return name + ": sum " + std::to_string(sum) + " vs " +
                   std::to_string(asNumber(e["sum"]));
        }
    }
    return {};
}

}  // namespace

class TestOnnxTestdata : public QObject {
    Q_OBJECT

private slots:
    void everyModelMatchesPython() {
        if (!QDir(kTestData).exists()) {
            QSKIP("Debian's libonnx-testdata is not installed (apt-get install libonnx-testdata)");
        }
        const auto r = ckpt::test::run(
            ckpt::test::systemPython(),
            {ckpt::test::fixture("onnx/dump_onnx.py"), "--values", "16", kTestData}, 300000);
        if (r.exitCode != 0) {
            QSKIP(
                qPrintable("python3-onnx cannot dump the test data (apt-get install "
                           "python3-onnx): " +
                           QString::fromUtf8(r.err.left(300))));
        }
        const auto py = ckpt::core::Json::parse(r.out.toStdString());
        std::size_t compared = 0;
        std::size_t withInitializers = 0;
        std::size_t initializers = 0;
        QStringList failures;
        for (const auto& [path, entry] : py.items()) {
            if (entry.contains("error")) {
                continue;  // python3-onnx cannot load it either
            }
            try {
                const auto c = openCheckpoint(std::filesystem::path(path));
                if (c->format() != "onnx") {
                    failures << QString::fromStdString(path + ": opened as " + c->format());
                    continue;
                }
                const std::string diff = compare(*c, entry);
                if (!diff.empty()) {
                    failures << QString::fromStdString(path + ": " + diff);
                }
            } catch (const Error& e) {
                failures << QString::fromStdString(path + ": " + e.what());
            }
            ++compared;
            withInitializers += entry["initializers"].empty() ? 0 : 1;
            initializers += entry["initializers"].size();
        }
        qInfo("compared %zu models with python3-onnx (%zu with initializers, %zu initializers)",
              compared, withInitializers, initializers);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 10).join("\n")));
        QVERIFY(compared > 0);  // Debian 12's package holds 1072 models
    }
};

QTEST_GUILESS_MAIN(TestOnnxTestdata)
#include "test_onnx_testdata.moc"
