// core/io/zip_writer.h: what it writes reads back (with our reader and Python's zipfile),
// stored or deflated as asked; a cancelled or failed write leaves no archive and no crash.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <string>

#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/io/zip_writer.h"
#include "core/util/error.h"

using namespace ckpt::core;

namespace {
std::string text(const ByteSource& s) {
    const auto v = s.view();
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}
}  // namespace

class TestZipWriter : public QObject {
    Q_OBJECT
private slots:
    void writesWhatWasAdded() {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        { std::ofstream(root / "weights.bin", std::ios::binary) << std::string(100'000, 'w'); }
        const std::string meta = R"({"keras_version": "3.0.0"})";
        const std::string packed(50'000, 'z');
        {
            ZipWriter zip(root / "out.zip", "out.zip");
            zip.addBuffer("metadata.json", meta);
            zip.addBuffer("packed.txt", packed, /*store=*/false);
            zip.addFile("model.weights.h5", root / "weights.bin");
            int polls = 0;
            zip.commit([&polls] { return ++polls > 0; });
            QVERIFY_THROWS_EXCEPTION(IoError, zip.commit());
        }
        const auto archive = ZipArchive::open(FileSource::open(root / "out.zip"));
        QCOMPARE(archive->entries().size(), std::size_t{3});
        const ZipEntry* m = archive->find("metadata.json");
        QVERIFY(m != nullptr && m->stored());
        QCOMPARE(text(*archive->member(*m)), meta);
        const ZipEntry* p = archive->find("packed.txt");
        QVERIFY(p != nullptr && !p->stored() && p->compressedSize < 1000);
        QCOMPARE(text(*archive->member(*p)), packed);
        const ZipEntry* w = archive->find("model.weights.h5");
        QVERIFY(w != nullptr && w->stored());
        QCOMPARE(w->size, std::uint64_t{100'000});

        // A real client agrees.
        QProcess py;
        py.start("/usr/bin/python3", {"-c",
                                      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                                      "assert z.testzip() is None; print(sorted(z.namelist()))",
                                      QString::fromStdString((root / "out.zip").string())});
        QVERIFY(py.waitForFinished(60'000));
        QCOMPARE(py.exitCode(), 0);
        QCOMPARE(py.readAllStandardOutput().trimmed(),
                 QByteArray("['metadata.json', 'model.weights.h5', 'packed.txt']"));
    }

    void cancelLeavesNothing() {
        // The .keras export's cancel path once discarded the archive twice.
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        { std::ofstream(root / "big.bin", std::ios::binary) << std::string(8 << 20, 'b'); }
        {
            ZipWriter zip(root / "out.zip", "out.zip");
            zip.addFile("big.bin", root / "big.bin");
            QVERIFY_THROWS_EXCEPTION(CancelledError, zip.commit([] { return false; }));
        }
        QVERIFY(!std::filesystem::exists(root / "out.zip"));
        // Never committed: discarded, nothing written.
        {
            ZipWriter zip(root / "never.zip", "never.zip");
            zip.addBuffer("a", "b");
        }
        QVERIFY(!std::filesystem::exists(root / "never.zip"));
    }

    void failuresAreErrors() {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        // libzip creates the file when it writes: a folder that does not exist fails then.
        ZipWriter nowhere(root / "no" / "such" / "dir" / "x.zip", "x.zip");
        nowhere.addBuffer("a", "b");
        QVERIFY_THROWS_EXCEPTION(IoError, nowhere.commit());
        // A member file that is not there: an error when added or when written.
        const auto missing = [&root] {
            ZipWriter zip(root / "out.zip", "out.zip");
            zip.addFile("missing", root / "missing.bin");
            zip.commit();
        };
        QVERIFY_THROWS_EXCEPTION(IoError, missing());
        QVERIFY(!std::filesystem::exists(root / "out.zip"));
    }
};

QTEST_GUILESS_MAIN(TestZipWriter)
#include "test_zip_writer.moc"
