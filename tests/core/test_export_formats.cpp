// Exports of every Keras fixture and real Keras file to safetensors, legacy .h5, .weights.h5
// and .keras: each reopens with openCheckpoint with the same tensor bytes (paths mapped as the
// report says) and the same parameter counts per layer; h5py/numpy (Debian's /usr/bin/python3)
// read the same arrays bit for bit, safetensors parsed by hand (json + struct + frombuffer).
// Also: --tensors globs, string tensors skipped, cancellation after the first chunk.

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>

#include "common/test_support.h"
#include "core/export/export_common.h"
#include "core/export/safetensors_export.h"
#include "core/formats/registry.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {

const char* kReference = R"(
import sys, json, io, zipfile, struct, h5py, numpy as np
src, dst, mapping = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
def h5open(p):
    if p.endswith('.keras'):
        z = zipfile.ZipFile(p)
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
        name = 'model.weights.h5' if 'model.weights.h5' in z.namelist() else 'variables.h5'
        return h5py.File(io.BytesIO(z.read(name)), 'r'), name + '/'
    return h5py.File(p, 'r'), ''
def get(f, prefix, path):
    assert path.startswith(prefix), path
    ds = f[path[len(prefix):]]
    return np.array(ds[()], order='C'), ds.dtype
def names(g, key):
    if key in g.attrs:
        v = list(g.attrs[key])
    else:
        v, i = [], 0
        while key + str(i) in g.attrs:
            v += list(g.attrs[key + str(i)]); i += 1
    return [x.decode('utf8') if isinstance(x, bytes) else str(x) for x in v]
sf, sp = h5open(src)
bad, extra = [], {}
if dst.endswith('.safetensors'):
    raw = open(dst, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    assert n % 8 == 0
    hdr = json.loads(raw[8:8 + n])
    extra['meta'] = hdr.pop('__metadata__')
    buf = raw[8 + n:]
    NP = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2', 'BF16': '<u2', 'I64': '<i8', 'I32': '<i4',
          'I16': '<i2', 'I8': 'i1', 'U8': 'u1', 'U16': '<u2', 'U32': '<u4', 'U64': '<u8',
          'BOOL': '?', 'C64': '<c8'}
    pos = 0
    for b, e in sorted(v['data_offsets'] for v in hdr.values()):
        assert b == pos, (b, pos)
        pos = e
    assert pos == len(buf)
    assert len(hdr) == len(mapping)
    for s, d in mapping:
        v = hdr[d]
        b, e = v['data_offsets']
        arr = np.frombuffer(buf[b:e], dtype=NP[v['dtype']]).reshape(v['shape'])
        a, _ = get(sf, sp, s)
        if a.tobytes() != arr.tobytes() or list(a.shape) != v['shape']:
            bad.append(s)
else:
    df, dp = h5open(dst)
    for s, d in mapping:
        a, adt = get(sf, sp, s)
        b, bdt = get(df, dp, d)
        if a.tobytes() != b.tobytes() or a.shape != b.shape or adt != bdt:
            bad.append([s, d, str(adt), str(bdt)])
    if not dst.endswith('.keras') and not dst.endswith('.weights.h5'):
        # Keras's legacy loader: layer_names, then every weight_names entry is a dataset.
        g = df['model_weights'] if 'model_weights' in df else df
        layers = names(g, 'layer_names')
        count = 0
        for l in layers:
            for w in names(g[l], 'weight_names'):
                assert isinstance(g[l][w], h5py.Dataset), (l, w)
                count += 1
        extra['layers'] = layers
        extra['weights'] = count
print(json.dumps({'bad': bad, 'count': len(mapping), **extra}))
)";

using ckpt::test::fileSha;

std::vector<std::byte> bytesOf(const Tensor& t) {
    std::vector<std::byte> out(t.nbytes());
    if (t.numel() > 0 && t.readable()) {
        t.readRaw(0, t.numel(), out.data());
    }
    return out;
}

std::map<std::string, std::uint64_t> weightedLayers(const Checkpoint& c) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& l : c.layers()) {
        if (l.params > 0) {
            out[l.name] = l.params;
        }
    }
    return out;
}

}  // namespace

class TestExportFormats : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    bool m_python = true;

    /// Exports `src` to `name` in `format`, then checks it in C++ and with h5py/numpy.
    void roundTrip(const QString& src, ExportFormat format, const QString& name) {
        const auto source = openCheckpoint(src.toStdString());
        const QByteArray before = fileSha(src);
        const QString out = m_tmp.filePath(name);
        const ExportReport report = exportCheckpoint(*source, format, out.toStdString());
        QCOMPARE(fileSha(src), before);  // the input is untouched
        QVERIFY(report.tensors > 0);
        QCOMPARE(report.tensors, report.written.size());
        QCOMPARE(report.fileBytes, static_cast<std::uint64_t>(QFileInfo(out).size()));

        const auto back = openCheckpoint(out.toStdString());
        for (const auto& [from, to] : report.written) {
            const Node* a = source->findTensor(from);
            const Node* b = back->findTensor(to);
            QVERIFY2(a && b, (from + " -> " + to).c_str());
            QCOMPARE(b->tensor()->dtype(), a->tensor()->dtype());
            QCOMPARE(b->tensor()->shape(), a->tensor()->shape());
            QVERIFY2(bytesOf(*a->tensor()) == bytesOf(*b->tensor()), to.c_str());
        }
        if (format != ExportFormat::Safetensors) {
            QCOMPARE(weightedLayers(*back), weightedLayers(*source));
            QCOMPARE(back->totalParams(), source->totalParams());
        }
        // Every source tensor is either written or reported (dropped, or excluded by request).
        std::size_t accounted = report.written.size() + report.dropped.size();
        for (const auto& e : report.excluded) {
            accounted += source->findTensor(e.substr(0, e.find(": "))) != nullptr ? 1 : 0;
        }
        QCOMPARE(accounted, source->tensorNodes().size());
        if (!m_python) {
            return;
        }
        Json mapping = Json::array();
        for (const auto& [from, to] : report.written) {
            mapping.push_back({from, to});
        }
        const QString mapFile = m_tmp.filePath(name + ".map.json");
        QFile mf(mapFile);
        QVERIFY(mf.open(QIODevice::WriteOnly));
        mf.write(QByteArray::fromStdString(mapping.dump()));
        mf.close();
        const auto r =
            ckpt::test::run(ckpt::test::systemPython(), {"-c", kReference, src, out, mapFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Json ref = Json::parse(r.out.toStdString());
        QVERIFY2(ref["bad"].empty(), ref["bad"].dump().c_str());
        QCOMPARE(ref["count"].get<std::size_t>(), report.written.size());
        if (ref.contains("meta")) {
            QCOMPARE(ref["meta"]["source_format"].get<std::string>(), source->format());
        }
    }

    static QStringList kerasSources() {
        QStringList out;
        for (const auto& f : QDir(ckpt::test::fixture("keras"))
                                 .entryList({"*.h5", "*.keras"}, QDir::Files, QDir::Name)) {
            if (f != "generic.h5") {
                out << ckpt::test::fixture("keras/" + f);
            }
        }
        const QString real = ckpt::test::realDataDir();
        if (!real.isEmpty()) {
            for (const char* sub : {"keras3", "keras_h5_full", "keras_h5_weights"}) {
                for (const auto& f : QDir(real + "/" + sub).entryList(QDir::Files, QDir::Name)) {
                    out << real + "/" + sub + "/" + f;
                }
            }
        }
        return out;
    }

private slots:
    void initTestCase() {
        const auto r = ckpt::test::run(ckpt::test::systemPython(), {"-c", "import h5py, numpy"});
        m_python = r.exitCode == 0;
        if (!m_python) {
            qWarning("no /usr/bin/python3 with h5py: C++ checks only");
        } else if (ckpt::test::kSanitizedBuild) {
            // The sanitized run checks the writers' memory safety; the normal build loads
            // every export in h5py (python's start was most of this suite's time under ASan).
            m_python = false;
        }
    }

    void exports_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("format");
        int i = 0;
        for (const QString& src : kerasSources()) {
            for (const auto f : {ExportFormat::Safetensors, ExportFormat::KerasH5,
                                 ExportFormat::WeightsH5, ExportFormat::Keras}) {
                const QString row = QFileInfo(src).fileName() + " -> " +
                                    QString::fromStdString(exportFormatName(f));
                QTest::newRow(qPrintable(row)) << src << static_cast<int>(f);
                ++i;
            }
        }
        QVERIFY(i >= 4 * 14);  // the 14 Keras fixtures; real files add more when present
    }

    void exports() {
        QFETCH(QString, source);
        QFETCH(int, format);
        const auto f = static_cast<ExportFormat>(format);
        static int n = 0;
        const QString ext = f == ExportFormat::Safetensors ? ".safetensors"
                            : f == ExportFormat::KerasH5   ? ".h5"
                            : f == ExportFormat::WeightsH5 ? ".weights.h5"
                                                           : ".keras";
        const auto c = openCheckpoint(source.toStdString());
        if (f == ExportFormat::Keras && c->config().is_null()) {
            QVERIFY(ckpt::test::throws<UnsupportedError>(
                [&] { (void)exportCheckpoint(*c, f, m_tmp.filePath("x.keras").toStdString()); }));
            QVERIFY(!QFile::exists(m_tmp.filePath("x.keras")));
            return;
        }
        roundTrip(source, f, QString("out%1%2").arg(++n).arg(ext));
    }

    void safetensorsGlobAndSkips() {
        const QString src = ckpt::test::fixture("keras/generic.h5");
        const auto c = openCheckpoint(src.toStdString());
        ExportOptions options;
        options.tensorGlob = "*bias*";
        const QString out = m_tmp.filePath("bias.safetensors");
        const auto report = exportSafetensors(*c, out.toStdString(), options);
        for (const auto& [from, to] : report.written) {
            QVERIFY(from.find("bias") != std::string::npos);
        }
        QCOMPARE(report.written.size() + report.excluded.size() + report.dropped.size(),
                 c->tensorNodes().size());
        const auto back = openCheckpoint(out.toStdString());
        QCOMPARE(back->tensorNodes().size(), report.written.size());
        // generic.h5 holds string datasets: they are left out with a reason.
        ExportOptions all;
        const auto full =
            exportSafetensors(*c, m_tmp.filePath("all.safetensors").toStdString(), all);
        for (const auto& d : full.dropped) {
            QVERIFY2(d.find("no safetensors dtype") != std::string::npos, d.c_str());
        }
    }

    void cancelAfterFirstChunk() {
        const QString src = ckpt::test::fixture("keras/k3_model.keras");
        const auto c = openCheckpoint(src.toStdString());
        for (const auto f : {ExportFormat::Safetensors, ExportFormat::KerasH5,
                             ExportFormat::WeightsH5, ExportFormat::Keras}) {
            QTemporaryDir dir;
            int calls = 0;
            ExportOptions options;
            options.chunkBytes = 16;  // many chunks even for a small model
            options.progress = [&](std::uint64_t, std::uint64_t) { return ++calls < 2; };
            const QString out = dir.filePath("cancelled.out");
            QVERIFY(ckpt::test::throws<CancelledError>(
                [&] { (void)exportCheckpoint(*c, f, out.toStdString(), options); }));
            QVERIFY(QDir(dir.path())
                        .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)
                        .isEmpty());
        }
    }

    void cancelWhileTheArchiveIsWritten() {
        // The .keras zip is written last, with libzip polling for cancel (progress(0, 0)); a
        // cancel there once freed the archive twice. Now: CancelledError and nothing left.
        const auto c = openCheckpoint(ckpt::test::fixture("keras/k3_model.keras").toStdString());
        QTemporaryDir dir;
        int polls = 0;
        ExportOptions options;
        options.progress = [&](std::uint64_t done, std::uint64_t total) {
            return !(done == 0 && total == 0 && ++polls > 0);
        };
        QVERIFY(ckpt::test::throws<CancelledError>([&] {
            (void)exportCheckpoint(*c, ExportFormat::Keras,
                                   dir.filePath("cancelled.keras").toStdString(), options);
        }));
        QVERIFY(polls > 0);
        QVERIFY(QDir(dir.path())
                    .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)
                    .isEmpty());
    }

    // The export table's endings are endings the registry opens, and each maps back to its
    // format.
    void exportEndingsAreReadable() {
        const auto& readable = checkpointExtensions();
        for (auto f : {ExportFormat::Safetensors, ExportFormat::KerasH5, ExportFormat::WeightsH5,
                       ExportFormat::Keras, ExportFormat::Pickle}) {
            const auto endings = exportExtensions(f);
            QVERIFY2(!endings.empty(), exportFormatName(f).c_str());
            for (const std::string& ending : endings) {
                QVERIFY2(std::find(readable.begin(), readable.end(), ending) != readable.end(),
                         ending.c_str());
                ExportFormat back{};
                QVERIFY(exportFormatFromExtension("model" + ending, back));
                QCOMPARE(back, f);
            }
        }
        QVERIFY(exportExtensions(ExportFormat::Bundle).empty());
        ExportFormat none{};
        QVERIFY(!exportFormatFromExtension("model.txt", none));
    }

    void refusesToOverwriteTheInput() {
        const QString src = m_tmp.filePath("input.h5");
        QFile::remove(src);
        QVERIFY(QFile::copy(ckpt::test::fixture("keras/k2_fixed_names.h5"), src));
        const QByteArray before = fileSha(src);
        const auto c = openCheckpoint(src.toStdString());
        QVERIFY(ckpt::test::throws<IoError>(
            [&] { (void)exportCheckpoint(*c, ExportFormat::KerasH5, src.toStdString()); }));
        QCOMPARE(fileSha(src), before);
    }
};

QTEST_GUILESS_MAIN(TestExportFormats)
#include "test_export_formats.moc"
