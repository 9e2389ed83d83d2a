// core/io/hdf5_precheck.h: root object headers that crash libhdf5 are refused before it reads
// them, with the offset of the damage; sound files (every HDF5 fixture) pass untouched.
#include <QDirIterator>
#include <QtTest>

#include <cstring>
#include <string>
#include <vector>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/io/hdf5_precheck.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {
std::vector<std::byte> bytesOf(const QString& path) {
    const auto src = FileSource::open(path.toStdString());
    const auto v = src->view();
    return {v.begin(), v.end()};
}

QString refusal(const std::vector<std::byte>& b) {
    try {
        precheckHdf5(b, "x.h5");
    } catch (const CorruptDataError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}
}  // namespace

class TestHdf5Precheck : public QObject {
    Q_OBJECT
private slots:
    void fuzzFindingsAreRefused() {
        // SIGSEGV in H5Aexists: an attribute message whose parts need more than its 72 bytes.
        const QString segv = refusal(bytesOf(
            ckpt::test::fixture("fuzz-regressions/hdf5/segv_h5aexists_attribute_overruns.h5")));
        QVERIFY2(segv.contains("an attribute message at offset 824 of 72 bytes"), qPrintable(segv));
        // 37 PiB asked of malloc: a continuation chunk past the end of the file.
        const QString huge = refusal(
            bytesOf(ckpt::test::fixture("fuzz-regressions/hdf5/h5c_protect_claims_37_pib.h5")));
        QVERIFY2(huge.contains("runs past the end of the file"), qPrintable(huge));
    }

    void damageMadeHereIsRefused() {
        // k2_weights_only.h5: root v1 header at 96, first chunk's continuation message at 112
        // (its chunk address at 120, length at 128), chunk at 0x320 of 0x140 bytes.
        const auto sound = bytesOf(ckpt::test::fixture("keras/k2_weights_only.h5"));
        QVERIFY(refusal(sound).isEmpty());
        auto loop = sound;  // the continuation points at the first chunk itself
        const std::uint64_t first = 112;
        std::memcpy(loop.data() + 120, &first, 8);
        QVERIFY2(refusal(loop).contains("lead back"), qPrintable(refusal(loop)));
        auto longer = sound;  // a message longer than what is left of its chunk
        const std::uint16_t big = 0x7ff0;
        std::memcpy(longer.data() + 0x320 + 2, &big, 2);
        QVERIFY2(refusal(longer).contains("runs past its chunk"), qPrintable(refusal(longer)));
        // Bytes that are not HDF5 are left to libhdf5.
        QVERIFY(refusal(std::vector<std::byte>(64, std::byte{0x41})).isEmpty());
    }

    void everySoundFixturePasses() {
        int checked = 0;
        QDirIterator it(ckpt::test::fixture(""), {"*.h5", "*.hdf5"}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            if (f.contains("/bad/") || f.contains("fuzz-") || f.contains("/hostile/")) {
                continue;
            }
            QVERIFY2(refusal(bytesOf(f)).isEmpty(), qPrintable(f + ": " + refusal(bytesOf(f))));
            ++checked;
        }
        QVERIFY(checked >= 10);
    }
};

QTEST_GUILESS_MAIN(TestHdf5Precheck)
#include "test_hdf5_precheck.moc"
