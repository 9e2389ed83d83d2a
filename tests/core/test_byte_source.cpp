// FileSource::read uses pread on the file, not the mapping: reads equal the mapped bytes, are
// bounds-checked, and a file that shrinks while open gives CorruptDataError instead of SIGBUS.
// HDF5 files on disk open through their descriptor (sec2 driver), other sources through the
// file image.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "common/test_support.h"
#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/util/error.h"

using namespace ckpt::core;
namespace fs = std::filesystem;

class TestByteSource : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;

    /// A file of `n` bytes with a position-dependent pattern.
    fs::path patternFile(const QString& name, std::size_t n) {
        QByteArray bytes(static_cast<qsizetype>(n), '\0');
        for (std::size_t i = 0; i < n; ++i) {
            bytes[static_cast<qsizetype>(i)] = static_cast<char>((i * 131 + i / 4096) & 0xff);
        }
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) {
            qFatal("cannot write %s", qPrintable(path));
        }
        return path.toStdString();
    }

    static std::vector<std::byte> readVec(const ByteSource& s, std::uint64_t off, std::size_t n) {
        std::vector<std::byte> out(n);
        s.read(off, out);
        return out;
    }

private slots:
    void readsEqualMappedBytes() {
        const std::size_t n = (std::size_t{3} << 20) + 17;  // several pages, odd tail
        auto src = FileSource::open(patternFile("pattern.bin", n));
        QCOMPARE(src->size(), std::uint64_t(n));
        const auto view = src->view();
        QCOMPARE(view.size(), n);
        QVERIFY(src->wholeFileDescriptor() >= 0);
        const std::vector<std::pair<std::uint64_t, std::size_t>> ranges = {
            {0, 1}, {0, 4096}, {4095, 2}, {12345, 1 << 20}, {n - 17, 17}, {0, n}, {n, 0}};
        for (const auto& [off, len] : ranges) {
            const auto got = readVec(*src, off, len);
            // memcmp with a null pointer is undefined even for 0 bytes (UBSan reports it).
            QVERIFY2(len == 0 || std::memcmp(got.data(), view.data() + off, len) == 0,
                     qPrintable(QString("range %1+%2").arg(off).arg(len)));
        }
        const auto head = src->peek(n - 5, 100);  // peek clips at the end
        QCOMPARE(head.size(), std::size_t(5));
        QVERIFY(std::memcmp(head.data(), view.data() + n - 5, 5) == 0);
    }

    void droppedPagesReadTheSame() {
        // The pickle machine releases the pages behind it (issue 15): the mapping stays valid
        // and reads through it give the file's bytes again, for whole pages, partial ones, a
        // slice's window and ranges past the end.
        const std::size_t n = (std::size_t{2} << 20) + 100;
        auto src = FileSource::open(patternFile("drop.bin", n));
        const std::vector<std::byte> before(src->view().begin(), src->view().end());
        src->dropCachedPages(0, n);
        src->dropCachedPages(4095, 3 * 4096);
        src->dropCachedPages(n - 10, 1000);
        src->dropCachedPages(n + 5, 10);
        SliceSource slice(src, 4096, 65536, "slice");
        slice.dropCachedPages(0, 1 << 20);
        const auto view = src->view();
        QCOMPARE(view.size(), n);
        QVERIFY(std::memcmp(before.data(), view.data(), n) == 0);
        QVERIFY(std::memcmp(slice.view().data(), before.data() + 4096, 65536) == 0);
    }

    void readsAreBoundsChecked() {
        auto src = FileSource::open(patternFile("bounds.bin", 10000));
        std::vector<std::byte> out(16);
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, src->read(9990, out));
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, src->read(10001, {}));
        QVERIFY_THROWS_EXCEPTION(CorruptDataError,
                                 src->read(std::uint64_t(-8), std::span<std::byte>(out)));
        src->read(9984, out);  // the last 16 bytes are fine
        QCOMPARE(out[15], src->view()[9999]);
    }

    void slicesReadThroughTheParent() {
        auto file = FileSource::open(patternFile("slice.bin", 50000));
        auto slice = std::make_shared<SliceSource>(file, 1000, 20000, "member");
        QCOMPARE(slice->wholeFileDescriptor(), -1);  // a slice is not the whole file
        QCOMPARE(slice->fileOffset(), std::uint64_t(1000));
        const auto got = readVec(*slice, 5, 19995);
        QVERIFY(std::memcmp(got.data(), file->view().data() + 1005, got.size()) == 0);
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, readVec(*slice, 19990, 11));
        const MemorySource mem({std::byte{1}, std::byte{2}}, "mem");
        QCOMPARE(mem.wholeFileDescriptor(), -1);
        QCOMPARE(readVec(mem, 1, 1)[0], std::byte{2});
    }

    void truncatedFileIsAnErrorNotACrash() {
        const auto path = patternFile("shrinks.bin", 1 << 20);
        auto src = FileSource::open(path);
        QCOMPARE(::truncate(path.c_str(), 4096), 0);
        QCOMPARE(src->size(), std::uint64_t(1) << 20);           // the size seen at open
        QCOMPARE(readVec(*src, 100, 100)[0], src->view()[100]);  // still inside: fine
        try {
            (void)readVec(*src, 8192, 1000);  // through the mapping this would be SIGBUS
            QFAIL("no error for a read past the new end of file");
        } catch (const CorruptDataError& e) {
            QVERIFY2(std::string(e.what()).find("shorter") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(CorruptDataError, readVec(*src, 4000, 200));  // straddles it
    }

    void hdf5OpensThroughTheDescriptor() {
        const QString copy = m_tmp.filePath("base.h5");
        QVERIFY(QFile::copy(ckpt::test::fixture("diff/base.h5"), copy));
        auto src = FileSource::open(copy.toStdString());
        auto h5 = Hdf5File::open(src);
        {
            Hdf5Lock lock(hdf5Mutex());
            H5Id fapl(H5Fget_access_plist(h5->id()));
            QCOMPARE(H5Pget_driver(fapl.get()), H5FD_SEC2);
        }
        const auto before = listGroup(h5->id(), "/");
        QVERIFY(!before.empty());
        // Replace the path with another file: the open file is still the original inode.
        const QString other = m_tmp.filePath("other.h5");
        QVERIFY(QFile::copy(ckpt::test::fixture("diff/layer_added.h5"), other));
        QVERIFY(std::rename(other.toStdString().c_str(), copy.toStdString().c_str()) == 0);
        auto again = Hdf5File::open(src);
        const auto after = listGroup(again->id(), "/model_weights");
        QCOMPARE(after.size(), listGroup(h5->id(), "/model_weights").size());

        // The same bytes in memory open through the file image.
        const auto view = src->view();
        auto mem = std::make_shared<MemorySource>(std::vector<std::byte>(view.begin(), view.end()),
                                                  "in memory");
        auto image = Hdf5File::open(mem);
        {
            Hdf5Lock lock(hdf5Mutex());
            H5Id fapl(H5Fget_access_plist(image->id()));
            QCOMPARE(H5Pget_driver(fapl.get()), H5FD_CORE);
        }
        QCOMPARE(listGroup(image->id(), "/").size(), before.size());
    }

    void damagedHdf5StillGivesTheImageError() {
        auto src = FileSource::open(ckpt::test::fixture("bad/corrupt_superblock.h5").toStdString());
        try {
            (void)Hdf5File::open(src);
            QFAIL("a corrupt superblock opened");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("/proc/self/fd") == std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestByteSource)
#include "test_byte_source.moc"
