// Bad input for the torch, pickle and joblib readers: every truncation of real files, memo
// references to missing slots, absurd lengths and shapes, deep nesting, a zip bomb in a storage.
// Each must end in a core Error with a message (or open with warnings), never a crash, and
// memory must stay bounded.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>

#include "common/test_support.h"
#include "core/formats/joblib_decompress.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"
#include "core/util/limits.h"

using namespace ckpt::core;

namespace {

std::vector<std::byte> fileBytes(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
}

std::shared_ptr<const ByteSource> memory(std::vector<std::byte> bytes) {
    return std::make_shared<MemorySource>(std::move(bytes), "test");
}

std::shared_ptr<const ByteSource> memory(const std::string& s) {
    std::vector<std::byte> b(s.size());
    std::memcpy(b.data(), s.data(), s.size());
    return memory(std::move(b));
}

/// Opens and reads every tensor; returns the error text or "" when it opened.
std::string openAndRead(std::shared_ptr<const ByteSource> source) {
    try {
        const auto c = openCheckpoint(std::move(source), "test");
        for (const Node* n : c->tensorNodes()) {
            const auto& t = *n->tensor();
            if (t.readable() && t.nbytes() < (1U << 20)) {
                std::vector<std::byte> out(t.nbytes());
                t.readRaw(0, t.numel(), out.data());
            }
        }
        return {};
    } catch (const Error& e) {
        return e.what();
    }
}

bool runPython(const QString& script, const QStringList& args = {}) {
    const auto r =
        ckpt::test::run(ckpt::test::systemPython(), QStringList{"-c", script} + args, 180000);
    if (r.exitCode != 0) {
        qWarning("%s", r.err.constData());
    }
    return r.exitCode == 0;
}

}  // namespace

class TestTorchHostile : public QObject {
    Q_OBJECT

private slots:
    void truncatedAtEveryByte_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        for (const char* f : {"torch_sd_legacy.pt", "torch_sd_zip.pt", "torch_script.pt",
                              "joblib_plain.joblib", "joblib_zlib3.joblib", "joblib_xz.joblib.xz",
                              "joblib_bz2.joblib.bz2", "pickle_p2.pkl", "pickle_p5.pkl"}) {
            QTest::newRow(f) << QString(f);
        }
    }

    void truncatedAtEveryByte() {
        QFETCH(QString, file);
        const auto bytes = fileBytes(ckpt::test::fixture("py/" + file));
        QVERIFY(bytes.size() > 100);
        QVERIFY(openAndRead(memory(bytes)).empty());
        int errors = 0;
        int cases = 0;
        for (std::size_t n = 0; n < bytes.size(); n += ckpt::test::kEveryByteStep) {
            const std::string e =
                openAndRead(memory(std::vector<std::byte>(bytes.begin(), bytes.begin() + n)));
            errors += e.empty() ? 0 : 1;
            ++cases;
        }
        // Nearly every prefix fails cleanly; none crashes (the loop finishing is the test).
        QVERIFY(errors > cases / 2);
    }

    void truncatedLegacyStorageSaysSo() {
        auto bytes = fileBytes(ckpt::test::fixture("py/torch_sd_legacy.pt"));
        bytes.resize(bytes.size() - 3);
        const std::string e = openAndRead(memory(bytes));
        QVERIFY2(e.find("truncated") != std::string::npos, e.c_str());
        QVERIFY2(e.find("torch-legacy") != std::string::npos, e.c_str());
    }

    void legacyStorageWithAbsurdCount() {
        // The last storage's int64 element count claims 2^62 elements.
        auto bytes = fileBytes(ckpt::test::fixture("py/torch_sd_legacy.pt"));
        const auto c = openCheckpoint(memory(bytes), "legacy");
        (void)c;
        // Find the last storage header: walk from the end is not possible; patch every
        // candidate "small count" field that is followed by exactly count*4 bytes to the end.
        for (std::size_t pos = bytes.size() - 8; pos > 0; --pos) {
            std::uint64_t count = 0;
            std::memcpy(&count, bytes.data() + pos, 8);
            if (count > 0 && count < 1000 &&
                (pos + 8 + count * 4 == bytes.size() || pos + 8 + count * 8 == bytes.size())) {
                const std::uint64_t huge = std::uint64_t{1} << 62;
                std::memcpy(bytes.data() + pos, &huge, 8);
                const std::string e = openAndRead(memory(bytes));
                QVERIFY2(e.find("claims") != std::string::npos, e.c_str());
                return;
            }
        }
        QFAIL("no storage header found");
    }

    void memoGetOfMissingSlot() {
        const std::string e = openAndRead(memory(std::string("\x80\x02]q\x00h\x05\x85.", 9)));
        QVERIFY2(e.find("memo") != std::string::npos, e.c_str());
    }

    void absurdNumpyShape() {
        // _reconstruct state claims shape (2**40,) of float64 with 8 bytes of data.
        QTemporaryDir dir;
        const QString out = dir.filePath("a.pkl");
        QVERIFY(
            runPython("import pickle,numpy as np,sys\n"
                      "class S:\n"
                      "  def __reduce__(self):\n"
                      "    a=np.zeros(1)\n"
                      "    f,args,state=a.__reduce__()\n"
                      "    state=(state[0],(2**40,),state[2],state[3],state[4])\n"
                      "    return (f,args,state)\n"
                      "open(sys.argv[1],'wb').write(pickle.dumps({'x':S()},protocol=4))\n",
                      {out}));
        const auto c = openCheckpoint(out.toStdString());
        const Node* x = c->findTensor("x");
        QVERIFY(x != nullptr);
        QCOMPARE(x->tensor()->shape(), std::vector<std::uint64_t>{std::uint64_t{1} << 40});
        QVERIFY(!x->tensor()->readable());
        QVERIFY(!c->warnings().empty());
    }

    void absurdTorchView() {
        // A view that reaches past its storage: shown, not readable, with a warning.
        QTemporaryDir dir;
        const QString out = dir.filePath("v.pt");
        QVERIFY(
            runPython("import torch,sys,io,zipfile\n"
                      "buf=io.BytesIO(); torch.save({'w':torch.arange(6.)}, buf)\n"
                      "z=zipfile.ZipFile(io.BytesIO(buf.getvalue()))\n"
                      "o=zipfile.ZipFile(sys.argv[1],'w')\n"
                      "for i in z.infolist():\n"
                      "  d=z.read(i.filename)\n"
                      "  if i.filename.endswith('data.pkl'): "
                      "d=d.replace(b'K\\x06\\x85',b'M\\x00\\x10\\x85')\n"
                      "  o.writestr(i, d)\n"
                      "o.close()\n",
                      {out}));
        const auto c = openCheckpoint(out.toStdString());
        const Node* w = c->findTensor("w");
        QVERIFY(w != nullptr);
        QCOMPARE(w->tensor()->shape(), std::vector<std::uint64_t>{4096});
        QVERIFY(!w->tensor()->readable());
        QVERIFY(!c->warnings().empty());
    }

    void deepNesting() {
        // 200,000 nested lists: the machine is iterative, the tree stops at its depth limit.
        std::string p = "\x80\x02";
        for (int i = 0; i < 200000; ++i) {
            p += "]";
        }
        for (int i = 0; i < 199999; ++i) {
            p += "a";
        }
        p += ".";
        try {
            const auto c = openCheckpoint(memory(p), "deep");
            bool warned = false;
            for (const auto& w : c->warnings()) {
                warned = warned || w.find("deeper") != std::string::npos;
            }
            QVERIFY(warned);
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("limit") != std::string::npos, e.what());
        }
    }

    void hugeListIsWholeAndCutOnlyAtTheNodeLimit() {
        // 3,000,000 items in one list: the tree holds them all (made when asked for); under
        // --limit object-tree-nodes=1000000 it keeps 1,000,000 nodes and says so.
        std::string p = "\x80\x04](";
        for (int i = 0; i < 3000000; ++i) {
            p += "K\x01";
        }
        p += "e.";
        {
            const auto c = openCheckpoint(memory(p), "huge");
            QVERIFY(c->root().lazy());
            QCOMPARE(c->root().childCount(), std::size_t{3'000'000});
            QCOMPARE(c->root().child(2'999'999)->value(), std::string("1"));
            QVERIFY(c->warnings().empty());
        }
        const std::uint64_t saved = limits().objectTreeNodes;
        limits().objectTreeNodes = 1'000'000;
        const auto c = openCheckpoint(memory(p), "huge");
        limits().objectTreeNodes = saved;
        QVERIFY(c->root().childCount() <= 1'000'001);
        QVERIFY(c->root().childCount() >= 999'000);
        bool warned = false;
        for (const auto& w : c->warnings()) {
            warned = warned || (w.find("cut at") != std::string::npos &&
                                w.find("--limit object-tree-nodes=") != std::string::npos);
        }
        QVERIFY(warned);
    }

    void compressedStorageBomb() {
        // data/0 deflated: 1.1 GiB of zeros in ~1 MB. Never inflated at open; reading refuses.
        QTemporaryDir dir;
        const QString out = dir.filePath("bomb.pt");
        QVERIFY(
            runPython("import torch,sys,io,zipfile\n"
                      "buf=io.BytesIO(); torch.save({'w':torch.zeros(4)}, buf)\n"
                      "z=zipfile.ZipFile(io.BytesIO(buf.getvalue()))\n"
                      "o=zipfile.ZipFile(sys.argv[1],'w')\n"
                      "for i in z.infolist():\n"
                      "  if i.filename.endswith('data/0'):\n"
                      "    zi=zipfile.ZipInfo(i.filename); zi.compress_type=zipfile.ZIP_DEFLATED\n"
                      "    with o.open(zi,'w',force_zip64=True) as f:\n"
                      "      chunk=bytes(1<<24)\n"
                      "      for _ in range(70): f.write(chunk)\n"
                      "  else: o.writestr(i, z.read(i.filename))\n"
                      "o.close()\n",
                      {out}));
        const auto c = openCheckpoint(out.toStdString());
        bool warned = false;
        for (const auto& w : c->warnings()) {
            warned = warned || w.find("not inflated") != std::string::npos;
        }
        QVERIFY(warned);
        const Node* w = c->findTensor("w");
        QVERIFY(w != nullptr);
        std::vector<std::byte> buf(16);
        QVERIFY(
            ckpt::test::throws<UnsupportedError>([&] { w->tensor()->readRaw(0, 4, buf.data()); }));
    }

    void joblibDecompressionIsBounded() {
        const auto src =
            FileSource::open(ckpt::test::fixture("py/joblib_zlib3.joblib").toStdString());
        // Past the cap: a LimitError (a CorruptDataError) naming the limit to raise.
        QVERIFY(
            ckpt::test::throws<LimitError>([&] { (void)decompressJoblib(*src, "zlib", 1000); }));
        QVERIFY(decompressJoblib(*src, "zlib")->size() > 1000);
    }

    void joblibArrayPastTheEnd() {
        // The wrapper's shape claims more bytes than follow it.
        auto bytes = fileBytes(ckpt::test::fixture("py/evil_joblib_after_array.joblib"));
        const std::string needle = "K\x08\x85";  // shape (8,)
        const std::string hay(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        const auto pos = hay.find(needle);
        QVERIFY(pos != std::string::npos);
        bytes[pos + 1] = std::byte{0xF0};  // shape (240,)
        const std::string e = openAndRead(memory(bytes));
        QVERIFY2(e.find("past the end") != std::string::npos, e.c_str());
    }
};

QTEST_GUILESS_MAIN(TestTorchHostile)
#include "test_torch_hostile.moc"
