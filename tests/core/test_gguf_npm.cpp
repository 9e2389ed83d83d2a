// GGUF cross-check with a real parser: the npm package @huggingface/gguf (test-only, never a
// product dependency) must see the same header, metadata and tensor table as the reader, on
// every fixture of tests/fixtures/gguf. The package is looked for in $CKPT_NPM_DIR or
// <build>/npm/node_modules; when absent and npm exists, it is installed there
// (`npm install --prefix <build>/npm @huggingface/gguf`). Without node, npm or the package the
// test skips and says why.

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>

#include <map>

#include "common/test_support.h"
#include "core/formats/gguf_format.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"

using namespace ckpt::core;

namespace {

/// Our metadata nodes by full key.
void collectKeys(const Node& n, std::map<std::string, const Node*>& out) {
    if (n.kind() == NodeKind::Value && n.attributes().contains("key")) {
        out[n.attributes()["key"].get<std::string>()] = &n;
    }
    for (const auto& c : n.children()) {
        collectKeys(*c, out);
    }
}

/// Compares one npm value with ours; `what` names it in failures.
bool sameValue(const QJsonValue& npm, const Json& ours, QString& why) {
    if (npm.isArray()) {
        if (!ours.is_array()) {
            why = "not an array here";
            return false;
        }
        const QJsonArray a = npm.toArray();
        // Ours keeps the first kGgufArrayPreview elements.
        const auto n = std::min<std::size_t>(std::size_t(a.size()), kGgufArrayPreview);
        if (ours.size() != n) {
            why =
                QStringLiteral("preview of %1 elements, npm has %2").arg(ours.size()).arg(a.size());
            return false;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!sameValue(a[qsizetype(i)], ours[i], why)) {
                why = QStringLiteral("[%1] ").arg(i) + why;
                return false;
            }
        }
        return true;
    }
    const QString mine =
        QString::fromStdString(ours.is_string() ? ours.get<std::string>() : ours.dump());
    bool same = false;
    if (npm.isString()) {
        // strings, and 64-bit integers (bigints as decimal text)
        same = npm.toString() == mine;
    } else if (npm.isBool()) {
        same = ours.is_boolean() && ours.get<bool>() == npm.toBool();
    } else if (npm.isDouble()) {
        same = ours.is_number() && ours.get<double>() == npm.toDouble();
    }
    if (!same) {
        why = QStringLiteral("npm %1, ours %2")
                  .arg(QString::fromUtf8(
                           QJsonDocument(QJsonArray{npm}).toJson(QJsonDocument::Compact)),
                       mine);
    }
    return same;
}

}  // namespace

class TestGgufNpm : public QObject {
    Q_OBJECT

private:
    QString m_modules;
    QString m_skip;

private slots:
    void initTestCase() {
        if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty()) {
            m_skip = QStringLiteral("node is absent: the @huggingface/gguf cross-check needs it");
            return;
        }
        const QString env = qEnvironmentVariable("CKPT_NPM_DIR");
        const QString prefix =
            env.isEmpty() ? QDir(QCoreApplication::applicationDirPath() + QStringLiteral("/../npm"))
                                .absolutePath()
                          : env;
        m_modules = prefix + QStringLiteral("/node_modules");
        const QString package = m_modules + QStringLiteral("/@huggingface/gguf/package.json");
        if (!QFileInfo::exists(package)) {
            const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
            if (npm.isEmpty()) {
                m_skip = QStringLiteral("npm is absent: cannot install @huggingface/gguf");
                return;
            }
            QDir().mkpath(prefix);
            const auto r =
                ckpt::test::run(npm,
                                {QStringLiteral("install"), QStringLiteral("--prefix"), prefix,
                                 QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                                 QStringLiteral("@huggingface/gguf")},
                                300000);
            if (r.exitCode != 0 || !QFileInfo::exists(package)) {
                m_skip = QStringLiteral("npm install @huggingface/gguf failed: ") +
                         QString::fromUtf8(r.err.right(400));
            }
        }
    }

    void sameViewAsNpm_data() {
        QTest::addColumn<QString>("file");
        const QDir dir(QStringLiteral(CKPT_SOURCE_DIR "/tests/fixtures/gguf"));
        for (const QString& f : dir.entryList({QStringLiteral("*.gguf")}, QDir::Files)) {
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
        }
    }
    void sameViewAsNpm() {
        QFETCH(QString, file);
        if (!m_skip.isEmpty()) {
            QSKIP(qPrintable(m_skip));
        }
        const auto r = ckpt::test::run(
            QStandardPaths::findExecutable(QStringLiteral("node")),
            {QStringLiteral(CKPT_SOURCE_DIR "/tests/core/gguf_npm_dump.mjs"), m_modules, file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject npm = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!npm.isEmpty());

        const auto c = openCheckpoint(file.toStdString());
        const Json& root = c->root().attributes();
        QCOMPARE(npm["version"].toInt(), root["gguf_version"].get<int>());
        QCOMPARE(npm["tensor_data_offset"].toString().toULongLong(),
                 root["data_offset"].get<std::uint64_t>());

        // Metadata: the same keys, types and values (arrays: count and preview).
        std::map<std::string, const Node*> ours;
        collectKeys(c->root(), ours);
        const QJsonObject meta = npm["metadata"].toObject();
        QCOMPARE(npm["kv_count"].toString().toULongLong(), std::uint64_t(ours.size()));
        QCOMPARE(std::size_t(meta.size()), ours.size());
        for (auto it = meta.begin(); it != meta.end(); ++it) {
            const auto found = ours.find(it.key().toStdString());
            QVERIFY2(found != ours.end(), qPrintable("missing key " + it.key()));
            const Json& a = found->second->attributes();
            const QJsonObject v = it.value().toObject();
            const auto type = static_cast<GgufValueType>(v["type"].toInt());
            QCOMPARE(QString::fromStdString(a["type"].get<std::string>()),
                     QString::fromStdString(ggufValueTypeName(type)));
            QString why;
            if (type == GgufValueType::Array) {
                const auto sub = static_cast<GgufValueType>(v["subType"].toInt());
                QCOMPARE(QString::fromStdString(a["element_type"].get<std::string>()),
                         QString::fromStdString(ggufValueTypeName(sub)));
                QCOMPARE(a["count"].get<std::uint64_t>(),
                         std::uint64_t(v["value"].toArray().size()));
                QVERIFY2(sameValue(v["value"], a["preview"], why),
                         qPrintable(it.key() + ": " + why));
            } else {
                QVERIFY2(sameValue(v["value"], a["value"], why), qPrintable(it.key() + ": " + why));
            }
        }

        // Tensor table: names in order, stored dims, ggml type ids, offsets.
        const QJsonArray tensors = npm["tensors"].toArray();
        const auto nodes = c->tensorNodes();
        QCOMPARE(std::size_t(tensors.size()), nodes.size());
        QCOMPARE(npm["tensor_count"].toString().toULongLong(), std::uint64_t(nodes.size()));
        for (qsizetype i = 0; i < tensors.size(); ++i) {
            const QJsonObject t = tensors[i].toObject();
            const Node& n = *nodes[std::size_t(i)];
            const Json& a = n.attributes();
            QCOMPARE(QString::fromStdString(n.path()), t["name"].toString());
            QCOMPARE(a["ggml_type_id"].get<int>(), t["dtype"].toInt());
            QCOMPARE(a["offset"].get<std::uint64_t>(), t["offset"].toString().toULongLong());
            const QJsonArray shape = t["shape"].toArray();
            QCOMPARE(std::size_t(t["n_dims"].toInt()), a["ggml_dims"].size());
            QCOMPARE(std::size_t(shape.size()), a["ggml_dims"].size());
            for (qsizetype d = 0; d < shape.size(); ++d) {
                QCOMPARE(a["ggml_dims"][std::size_t(d)].get<std::uint64_t>(),
                         shape[d].toString().toULongLong());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufNpm)
#include "test_gguf_npm.moc"
