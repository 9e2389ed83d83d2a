// The validator over whole checkpoints: real files raise no error (and warn only about the
// CarND Lambda), Keras configs with Lambda/custom layers, NaN weights and shape mismatches are
// flagged, and the JSON/SARIF forms hold what code-scanning tools require.

#include <QTemporaryDir>
#include <QtTest>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/validate/keras_rules.h"
#include "core/validate/validator.h"

using namespace ckpt::core;

namespace {

std::string dump(const ValidationReport& r) {
    std::string out;
    for (const auto& f : r.findings) {
        out += f.rule + " " + std::string(severityName(f.severity)) + " " + f.path + ": " +
               f.message + "\n";
    }
    return out;
}

}  // namespace

class TestValidator : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

private slots:
    void initTestCase() {
        const QString script = R"(
import sys, os, json, h5py, numpy as np
d = sys.argv[1]
def model(path, units, kernel, nan=False):
    cfg = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "dense", "units": units}}]}}
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = '2.4.0'; f.attrs['backend'] = 'tensorflow'
        f.attrs['model_config'] = json.dumps(cfg).encode()
        g = f.create_group('model_weights'); g.attrs['layer_names'] = [b'dense']
        l = g.create_group('dense'); l.attrs['weight_names'] = [b'dense/kernel:0', b'dense/bias:0']
        k = np.ones(kernel, 'f4')
        if nan: k[0, 0] = np.nan; k[1, 1] = np.inf
        l.create_dataset('dense/kernel:0', data=k)
        l.create_dataset('dense/bias:0', data=np.zeros(kernel[1], 'f4'))
model(os.path.join(d, 'ok.h5'), 3, (4, 3))
model(os.path.join(d, 'nan.h5'), 3, (4, 3), nan=True)
model(os.path.join(d, 'mismatch.h5'), 5, (4, 3))
)";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script, m_tmp.path()});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("python3 with h5py unavailable: " + r.err));
        }
    }

    void cleanModelHasNoFindings() {
        const auto c = openCheckpoint(m_tmp.filePath("ok.h5").toStdString());
        const auto r = validateCheckpoint(*c);
        QVERIFY2(r.findings.empty(), dump(r).c_str());
        QVERIFY(!r.reaches(Severity::Info));
    }

    void nanAndInfAreIntegrityWarnings() {
        const auto c = openCheckpoint(m_tmp.filePath("nan.h5").toStdString());
        const auto r = validateCheckpoint(*c);
        QCOMPARE(r.findings.size(), std::size_t{1});
        const auto& f = r.findings[0];
        QCOMPARE(f.rule, std::string("CKPT-I001"));
        QCOMPARE(f.path, std::string("model_weights/dense/dense/kernel:0"));
        QVERIFY(f.message.find("1 NaN, 1 +Inf") != std::string::npos);
        QVERIFY(validateCheckpoint(*c, {false, {}}).findings.empty());  // --no-data
    }

    void unitsDisagreeWithKernel() {
        const auto c = openCheckpoint(m_tmp.filePath("mismatch.h5").toStdString());
        const auto r = validateCheckpoint(*c);
        QVERIFY2(r.findings.size() == 1 && r.findings[0].rule == "CKPT-I002", dump(r).c_str());
        QCOMPARE(r.findings[0].severity, Severity::Error);
        QCOMPARE(r.findings[0].path, std::string("model_config/layers[0]"));
        QVERIFY(r.findings[0].message.find("units=5") != std::string::npos);
    }

    void realFilesRaiseNoErrors() {
        const QString dir = ckpt::test::realDataDir();
        if (dir.isEmpty()) {
            QSKIP("no real data");
        }
        int lambdaWarnings = 0;
        for (const QString sub :
             {"keras_h5_full", "keras_h5_weights", "keras3", "safetensors", "numpy"}) {
            for (const auto& f : QDir(dir + "/" + sub).entryInfoList(QDir::Files)) {
                const auto c = openCheckpoint(f.absoluteFilePath().toStdString());
                const auto r = validateCheckpoint(*c);
                QVERIFY2(!r.reaches(Severity::Error), (r.file + ":\n" + dump(r)).c_str());
                for (const auto& finding : r.findings) {
                    if (finding.severity == Severity::Warning) {
                        QCOMPARE(finding.rule, std::string("CKPT-P004"));
                        QVERIFY(r.file.find("CarND") != std::string::npos);
                        ++lambdaWarnings;
                    }
                }
            }
        }
        QCOMPARE(lambdaWarnings, 1);
    }

    void lambdaNamesAreDecoded() {
        // marshal.dumps((lambda x: x / 127.5 - 1.0).__code__) on CPython 3.11, base64-encoded
        const QString script =
            "import base64, codecs, marshal\n"
            "f = lambda img: tf.image.resize(img, (66, 200))\n"
            "print(codecs.encode(marshal.dumps(f.__code__), 'base64').decode(), end='')\n";
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", script});
        QCOMPARE(r.exitCode, 0);
        const auto names = marshalledCodeNames(r.out.toStdString());
        for (const char* n : {"tf", "image", "resize", "img"}) {
            QVERIFY2(std::find(names.begin(), names.end(), n) != names.end(), n);
        }
        QVERIFY(marshalledCodeNames("not base64 !!").empty());
    }

    void sarifHasTheRequiredFields() {
        const auto c = openCheckpoint(m_tmp.filePath("mismatch.h5").toStdString());
        const auto reports = std::vector<ValidationReport>{validateCheckpoint(*c)};
        const Json s = validationSarif(reports);
        QCOMPARE(s["version"].get<std::string>(), std::string("2.1.0"));
        QVERIFY(s["$schema"].is_string());
        QVERIFY(s["runs"].is_array() && s["runs"].size() == 1);
        const Json& run = s["runs"][0];
        QCOMPARE(run["tool"]["driver"]["name"].get<std::string>(), std::string("ckpt"));
        const Json& rules = run["tool"]["driver"]["rules"];
        QVERIFY(rules.is_array() && !rules.empty());
        for (const auto& rule : rules) {
            QVERIFY(rule["id"].is_string());
        }
        QVERIFY(!run["results"].empty());
        for (const auto& res : run["results"]) {
            QVERIFY(res["message"]["text"].is_string());  // the one required result property
            QVERIFY(res["ruleId"].is_string());
            const auto idx = res["ruleIndex"].get<std::size_t>();
            QCOMPARE(rules[idx]["id"], res["ruleId"]);
            const std::string level = res["level"];
            QVERIFY(level == "error" || level == "warning" || level == "note");
            QVERIFY(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
            QVERIFY(res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
        }
        const Json j = validationJson(reports);
        QCOMPARE(j["summary"]["errors"].get<int>(), 1);
        QCOMPARE(j["findings"][0]["category"].get<std::string>(), std::string("integrity"));
    }

    void cliExitCodes() {
        const auto ok =
            ckpt::test::run(ckpt::test::cliPath(), {"validate", m_tmp.filePath("ok.h5")});
        QCOMPARE(ok.exitCode, 0);
        QVERIFY(ok.out.contains("no findings"));
        const auto nan =
            ckpt::test::run(ckpt::test::cliPath(), {"validate", m_tmp.filePath("nan.h5")});
        QCOMPARE(nan.exitCode, 0);  // a warning does not reach the default --fail-on error
        const auto strict = ckpt::test::run(
            ckpt::test::cliPath(), {"validate", "--fail-on", "warning", m_tmp.filePath("nan.h5")});
        QCOMPARE(strict.exitCode, 1);
        const auto bad = ckpt::test::run(ckpt::test::cliPath(), {"validate", "--format", "sarif",
                                                                 m_tmp.filePath("mismatch.h5")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(Json::parse(bad.out.toStdString())["version"] == "2.1.0");
        const auto missing =
            ckpt::test::run(ckpt::test::cliPath(), {"validate", m_tmp.filePath("nope.pkl")});
        QCOMPARE(missing.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestValidator)
#include "test_validator.moc"
