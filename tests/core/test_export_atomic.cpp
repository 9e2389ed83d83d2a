// AtomicFile: the target appears only on commit, complete; errors and cancellation leave the
// target untouched and no temporary behind; the input file is never a valid target.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "common/test_support.h"
#include "core/export/atomic_file.h"
#include "core/util/error.h"
#include "core/util/progress.h"

using namespace ckpt::core;
namespace fs = std::filesystem;

class TestExportAtomic : public QObject {
    Q_OBJECT

private:
    static QByteArray readAll(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void writeFile(const QString& path, const QByteArray& bytes) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }
    /// Entries of `dir` other than . and .., hidden ones included.
    static QStringList entries(const QString& dir) {
        return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    }

private slots:
    void commitReplacesTarget() {
        QTemporaryDir dir;
        const QString target = dir.filePath("out.bin");
        writeFile(target, "old contents");
        {
            AtomicFile f(target.toStdString());
            QVERIFY(f.tempPath().filename().string().rfind(".out.bin.ckpt-tmp-", 0) == 0);
            QCOMPARE(f.tempPath().parent_path(), fs::path(target.toStdString()).parent_path());
            f.write("new ", 4);
            QCOMPARE(readAll(target), QByteArray("old contents"));  // untouched until commit
            f.write("contents", 8);
            QCOMPARE(f.written(), std::uint64_t(12));
            f.commit();
        }
        QCOMPARE(readAll(target), QByteArray("new contents"));
        QCOMPARE(entries(dir.path()), QStringList{"out.bin"});
    }

    void errorLeavesTargetAndNoTemp() {
        QTemporaryDir dir;
        const QString target = dir.filePath("out.bin");
        writeFile(target, "old");
        try {
            AtomicFile f(target.toStdString());
            f.write("partial", 7);
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {
        }
        QCOMPARE(readAll(target), QByteArray("old"));
        QCOMPARE(entries(dir.path()), QStringList{"out.bin"});
    }

    void cancellationLeavesNothing() {
        QTemporaryDir dir;
        const QString target = dir.filePath("new.bin");
        int calls = 0;
        const ProgressFn cancelAfterFirst = [&](std::uint64_t, std::uint64_t) {
            return ++calls < 2;
        };
        const bool cancelled = ckpt::test::throws<CancelledError>([&] {
            AtomicFile f(target.toStdString());
            for (int i = 0; i < 10; ++i) {
                f.write("chunk", 5);
                reportProgress(cancelAfterFirst, static_cast<std::uint64_t>(i + 1) * 5, 50);
            }
            f.commit();
        });
        QVERIFY(cancelled);
        QCOMPARE(calls, 2);
        QVERIFY(entries(dir.path()).isEmpty());
    }

    void refusesTheInput() {
        QTemporaryDir dir;
        const QString input = dir.filePath("model.h5");
        writeFile(input, "input bytes");
        // The same file, a symlink to it and a hard link to it are all the input.
        QVERIFY(QFile::link(input, dir.filePath("link.h5")));
        fs::create_hard_link(input.toStdString(), dir.filePath("hard.h5").toStdString());
        for (const QString& target : {input, dir.filePath("link.h5"), dir.filePath("hard.h5"),
                                      dir.path() + "/./model.h5"}) {
            QVERIFY2(ckpt::test::throws<IoError>(
                         [&] { AtomicFile f(target.toStdString(), {input.toStdString()}); }),
                     qPrintable(target));
        }
        QCOMPARE(readAll(input), QByteArray("input bytes"));
        // model.h5, link.h5, hard.h5, and no temporary left behind
        QCOMPARE(entries(dir.path()), (QStringList{"hard.h5", "link.h5", "model.h5"}));
        // A folder is not a target either.
        QVERIFY(ckpt::test::throws<IoError>([&] { AtomicFile f(dir.path().toStdString()); }));
    }

    void externalWriterThenCommit() {
        QTemporaryDir dir;
        const QString target = dir.filePath("lib.out");
        AtomicFile f(target.toStdString());
        f.closeHandle();
        // A library replaces the temporary by renaming its own file onto it (as libzip does).
        const QString other = dir.filePath("libtmp");
        writeFile(other, "library output");
        QVERIFY(::rename(other.toLocal8Bit().constData(), f.tempPath().c_str()) == 0);
        f.commit();
        QCOMPARE(readAll(target), QByteArray("library output"));
        QCOMPARE(entries(dir.path()), QStringList{"lib.out"});
    }

    void missingFolderIsAnIoError() {
        QVERIFY(ckpt::test::throws<IoError>(
            [] { AtomicFile f("/nonexistent-folder-ckpt/x.safetensors"); }));
    }

    void copyFromAppendsFileRanges() {
        QTemporaryDir dir;
        QByteArray input(3 * 1024 * 1024 + 5, '\0');
        for (int i = 0; i < input.size(); ++i) {
            input[i] = static_cast<char>((i * 7 + i / 1000) & 0xff);
        }
        const QString in = dir.filePath("in.bin");
        writeFile(in, input);
        const int fd = ::open(in.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        const QString target = dir.filePath("out.bin");
        {
            AtomicFile f(target.toStdString());
            f.write("head", 4);
            f.copyFrom(fd, 10, 1000);                              // an unaligned range
            f.copyFrom(fd, 4096, std::uint64_t(2) * 1024 * 1024);  // larger than a buffer
            f.startWriteback();
            f.write("|", 1);
            f.copyFrom(fd, std::uint64_t(input.size()) - 5, 5);  // up to the last byte
            f.copyFrom(fd, 0, 0);
            QCOMPARE(f.written(), std::uint64_t(4 + 1000 + 2 * 1024 * 1024 + 1 + 5));
            QCOMPARE(::lseek(fd, 0, SEEK_CUR), off_t(0));  // positional: fd's offset unmoved
            f.commit();
        }
        const QByteArray expected = QByteArray("head") + input.mid(10, 1000) +
                                    input.mid(4096, 2 * 1024 * 1024) + "|" + input.right(5);
        QVERIFY(readAll(target) == expected);
        ::close(fd);
    }

    void copyFromPastTheEndFailsAndLeavesNothing() {
        QTemporaryDir dir;
        const QString in = dir.filePath("in.bin");
        writeFile(in, QByteArray(10000, 'x'));
        const int fd = ::open(in.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        const QString target = dir.filePath("out.bin");
        writeFile(target, "old");
        try {
            AtomicFile f(target.toStdString());
            f.copyFrom(fd, 9000, 2000);  // 1000 bytes exist: the input was truncated
            f.commit();
            QFAIL("no error for a range past the end of the input");
        } catch (const CorruptDataError&) {
        }
        ::close(fd);
        QCOMPARE(readAll(target), QByteArray("old"));
        QCOMPARE(entries(dir.path()), (QStringList{"in.bin", "out.bin"}));
        AtomicFile bad(dir.filePath("x.bin").toStdString());
        QVERIFY(ckpt::test::throws<IoError>([&] { bad.copyFrom(-1, 0, 10); }));
    }
};

QTEST_GUILESS_MAIN(TestExportAtomic)
#include "test_export_atomic.moc"
