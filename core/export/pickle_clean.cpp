// exportCleanPickle: the cleaned pickle export for each container of pickles.

#include "core/export/pickle_clean.h"

#include <algorithm>

#include "core/export/atomic_file.h"
#include "core/export/pickle_clean_io.h"
#include "core/formats/joblib_decompress.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

StreamCleanOptions streamOptions(const ExportOptions& o) {
    StreamCleanOptions s;
    s.replaceWithNone = o.replaceWithNone;
    s.dropPortability = o.dropPortability;
    return s;
}

/// Tensors the export keeps: all of the source's (none of them sits in a removed member unless
/// reported as cleaned).
void fillTensors(const Checkpoint& c, ExportReport& r) {
    for (const Node* n : c.tensorNodes()) {
        r.written.emplace_back(n->path(), n->path());
        r.dataBytes += n->tensor()->nbytes();
        ++r.tensors;
    }
}

void addResult(ExportReport& r, StreamCleanResult& s) {
    r.cleaned.insert(r.cleaned.end(), s.cleaned.begin(), s.cleaned.end());
    r.warnings.insert(r.warnings.end(), s.warnings.begin(), s.warnings.end());
}

void writeAll(AtomicFile& file, std::span<const std::byte> bytes, ProgressCounter& progress) {
    constexpr std::size_t kStep = std::size_t{8} << 20;
    for (std::size_t done = 0; done < bytes.size();) {
        const std::size_t n = std::min(kStep, bytes.size() - done);
        file.write(bytes.data() + done, n);
        progress.add(n);
        done += n;
    }
}

ProgressFn halfProgress(const ProgressFn& fn, std::uint64_t total) {
    if (!fn) {
        return {};
    }
    // The rewrite is the first half of the work, writing the second.
    return [fn, total](std::uint64_t done, std::uint64_t size) {
        return fn(size == 0 ? 0 : done * (total / 2) / size, total);
    };
}

ExportReport cleanWholeFile(const Checkpoint& c, const std::filesystem::path& out,
                            const ExportOptions& options, const std::string& compression,
                            std::size_t maxPickles, bool joblib) {
    const auto file = FileSource::open(c.filePath());
    std::shared_ptr<const ByteSource> data = file;
    if (!compression.empty()) {
        data = decompressJoblib(*file, compression);
    }
    const std::uint64_t total = data->size() * 2;
    StreamCleanOptions so = streamOptions(options);
    so.maxPickles = maxPickles;
    so.joblibArrays = joblib;
    so.progress = halfProgress(options.progress, total);
    StreamCleanResult s = cleanPickleStream(data, so);
    std::vector<std::byte> compressed;
    std::span<const std::byte> bytes = s.bytes;
    if (!compression.empty()) {
        compressed = compressLikeJoblib(s.bytes, compression);
        bytes = compressed;
    }
    AtomicFile f(out, {c.filePath()});
    ProgressCounter progress(options.progress, total);
    progress.add(total / 2);
    writeAll(f, bytes, progress);
    ExportReport r;
    r.format = "pickle";
    r.output = out;
    r.fileBytes = f.written();
    f.commit();
    addResult(r, s);
    fillTensors(c, r);
    return r;
}

ExportReport cleanTorchZip(const Checkpoint& c, const std::filesystem::path& out,
                           const ExportOptions& options) {
    const auto zip = ZipArchive::open(FileSource::open(c.filePath()));
    const ZipEntry* pkl = nullptr;
    for (const auto& e : zip->entries()) {
        const auto slash = e.name.find('/');
        if (slash != std::string::npos && e.name.substr(slash + 1) == "data.pkl") {
            pkl = &e;
            break;
        }
    }
    if (pkl == nullptr) {
        throw UnsupportedError("the torch archive has no <root>/data.pkl to clean");
    }
    const std::uint64_t total = zip->source()->size() * 2;
    StreamCleanOptions so = streamOptions(options);
    so.joblibArrays = false;
    so.member = pkl->name.substr(pkl->name.find('/') + 1);
    so.progress = halfProgress(options.progress, total);
    StreamCleanResult s = cleanPickleStream(zip->member(*pkl, std::uint64_t{1} << 30), so);

    AtomicFile f(out, {c.filePath()});
    ProgressCounter progress(options.progress, total);
    progress.add(total / 2);
    writeZipWithReplacement(*zip, pkl->name, s.bytes, f, [&](std::uint64_t n) { progress.add(n); });
    ExportReport r;
    r.format = "pickle";
    r.output = out;
    r.fileBytes = f.written();
    f.commit();
    addResult(r, s);
    fillTensors(c, r);
    return r;
}

}  // namespace

ExportReport exportCleanPickle(const Checkpoint& checkpoint, const std::filesystem::path& out,
                               const ExportOptions& options) {
    const std::string& format = checkpoint.format();
    const auto& meta = checkpoint.metadata();
    if (format == "pickle" || format == "joblib") {
        std::string compression;
        if (meta.contains("compression") && meta["compression"].is_string()) {
            compression = meta["compression"].get<std::string>();
        }
        return cleanWholeFile(checkpoint, out, options, compression, 0, format == "joblib");
    }
    if (format == "torch-zip") {
        return cleanTorchZip(checkpoint, out, options);
    }
    if (format == "torch-legacy") {
        // magic number, protocol version, sys_info, the object, the storage keys; then raw data.
        return cleanWholeFile(checkpoint, out, options, {}, 5, false);
    }
    throw UnsupportedError(
        "a cleaned pickle can be written from pickle, dill, cloudpickle, "
        "joblib and torch.save files, not from " +
        checkpoint.formatDescription());
}

}  // namespace ckpt::core
