#include "core/formats/registry.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/formats/bundle_reader.h"
#include "core/formats/generic_hdf5_reader.h"
#include "core/formats/gguf_reader.h"
#include "core/formats/joblib_reader.h"
#include "core/formats/keras3_weights_reader.h"
#include "core/formats/keras_archive_reader.h"
#include "core/formats/keras_h5_reader.h"
#include "core/formats/numpy_readers.h"
#include "core/formats/onnx_reader.h"
#include "core/formats/pickle_reader.h"
#include "core/formats/safetensors_reader.h"
#include "core/formats/sharded_reader.h"
#include "core/formats/torch_legacy_reader.h"
#include "core/formats/torch_script_reader.h"
#include "core/formats/torch_zip_reader.h"
#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/io/zip_archive.h"
#include "core/util/error.h"

namespace ckpt::core {

ProbeContext::ProbeContext(std::shared_ptr<const ByteSource> source, std::string displayName)
    : m_source(std::move(source)), m_displayName(std::move(displayName)) {}

ProbeContext::~ProbeContext() = default;

std::string ProbeContext::lowerFileName() const {
    std::string name = std::filesystem::path(m_displayName).filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

std::span<const std::byte> ProbeContext::head() const {
    const auto v = m_source->view();
    return v.subspan(0, std::min<std::size_t>(v.size(), 4096));
}

bool ProbeContext::hasHdf5Signature() const {
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    // The superblock sits at 0 or at a power-of-two user-block boundary from 512 on. Read with
    // pread, not through the mapping: a fault there maps the pages read ahead around it, about
    // 1 MiB of resident memory per multi-GB file probed (30 safetensors shards: 49 -> 16 MiB).
    const std::uint64_t size = m_source->size();
    for (std::uint64_t off = 0; off + 8 <= size; off = off == 0 ? 512 : off * 2) {
        const auto b = m_source->peek(off, 8);
        if (b.size() == 8 && std::memcmp(b.data(), sig, 8) == 0) {
            return true;
        }
    }
    return false;
}

bool ProbeContext::hasZipSignature() const {
    const auto h = head();
    return h.size() >= 4 && h[0] == std::byte{'P'} && h[1] == std::byte{'K'} &&
           ((h[2] == std::byte{3} && h[3] == std::byte{4}) ||
            (h[2] == std::byte{5} && h[3] == std::byte{6}));
}

std::shared_ptr<Hdf5File> ProbeContext::hdf5() {
    if (!m_hdf5) {
        m_hdf5 = Hdf5File::open(m_source);
    }
    return m_hdf5;
}

std::shared_ptr<ZipArchive> ProbeContext::zip() {
    if (!m_zip) {
        m_zip = ZipArchive::open(m_source);
    }
    return m_zip;
}

OpenDefaults& openDefaults() {
    static OpenDefaults defaults;
    return defaults;
}

const std::vector<const Reader*>& readers() {
    // The one table of formats. Probes decide by content; ties go to the earlier entry.
    static const KerasArchiveReader kerasArchive;
    static const KerasH5Reader kerasH5;
    static const Keras3WeightsReader keras3Weights;
    static const GenericHdf5Reader genericHdf5;
    static const SafetensorsReader safetensors;
    static const NpyReader npy;
    static const NpzReader npz;
    static const TorchZipReader torchZip;
    static const TorchScriptReader torchScript;
    static const TorchLegacyReader torchLegacy;
    static const PickleReader pickle;
    static const JoblibReader joblib;
    static const BundleReader bundle;
    static const GgufReader gguf;
    static const ShardedIndexReader sharded;
    static const OnnxReader onnx;
    static const std::vector<const Reader*> table{
        &kerasArchive, &kerasH5, &keras3Weights, &safetensors, &gguf,        &onnx,
        &npy,          &npz,     &torchZip,      &torchScript, &torchLegacy, &pickle,
        &joblib,       &bundle,  &sharded,       &genericHdf5};
    return table;
}

const Reader* detectReader(ProbeContext& context) {
    const Reader* best = nullptr;
    int bestScore = 0;
    for (const Reader* r : readers()) {
        int score = 0;
        try {
            score = r->probe(context);
        } catch (const std::exception&) {
            score = 0;  // a probe that cannot decide is a "no"
        }
        if (score > bestScore) {
            best = r;
            bestScore = score;
        }
    }
    return best;
}

std::unique_ptr<Checkpoint> openCheckpoint(std::shared_ptr<const ByteSource> source,
                                           const std::string& displayName,
                                           const OpenOptions& options) {
    ProbeContext context(std::move(source), displayName);
    const Reader* reader = detectReader(context);
    if (reader == nullptr) {
        // A container we know whose content we could not read deserves its own error.
        if (context.hasHdf5Signature()) {
            (void)context.hdf5();  // throws the HDF5 error that made every probe fail
            throw FormatError("an HDF5 file, but not a checkpoint format I know", {displayName});
        }
        if (context.hasZipSignature()) {
            const auto zip = context.zip();  // throws when the archive itself is damaged
            std::string members;
            for (std::size_t i = 0; i < zip->entries().size() && i < 5; ++i) {
                members += (i ? ", " : "") + zip->entries()[i].name;
            }
            throw FormatError("a zip archive, but not a checkpoint format I know (members: " +
                                  members + (zip->entries().size() > 5 ? ", ..." : "") + ")",
                              {displayName});
        }
        throw FormatError(
            "not a checkpoint format I know (first bytes: " + hexPreview(context.head()) + ")",
            {displayName});
    }
    try {
        auto checkpoint = reader->open(context, options);
        // A reader may have set the size of a model spread over several files (shards).
        checkpoint->setFile(displayName, checkpoint->fileSize() != 0 ? checkpoint->fileSize()
                                                                     : context.source().size());
        return checkpoint;
    } catch (const Error&) {
        rethrowWithContext({displayName, std::string(reader->id())});
    } catch (const std::bad_alloc&) {
        throw CorruptDataError("the file claims more memory than it could hold",
                               {displayName, std::string(reader->id())});
    }
}

std::unique_ptr<Checkpoint> openCheckpoint(const std::filesystem::path& path,
                                           const OpenOptions& options) {
    if (std::error_code ec;
        std::filesystem::is_directory(path, ec) && BundleReader::holdsModelJson(path)) {
        // A folder with a Keras model JSON is a split bundle (+ weights and params pickles).
        try {
            auto checkpoint = BundleReader::openFolder(path, options);
            checkpoint->setFile(path.string(), 0);
            return checkpoint;
        } catch (const Error&) {
            rethrowWithContext({path.string(), "bundle"});
        }
    }
    if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
        // A model folder with a shard index (a Hugging Face download) opens as that model.
        if (const auto index = ShardedIndexReader::indexInFolder(path)) {
            return openCheckpoint(FileSource::open(*index), index->string(), options);
        }
        // An ONNX model saved with its external data files beside it.
        if (const auto model = OnnxReader::modelInFolder(path)) {
            return openCheckpoint(FileSource::open(*model), model->string(), options);
        }
        throw FormatError(
            "a folder, but not one holding a model I know (a Keras model JSON "
            "with its pickles, a shard index such as "
            "model.safetensors.index.json, or one .onnx model)",
            {path.string()});
    }
    if (options.joinShards && !options.shardOfIndex) {
        // A shard beside an index that lists it opens as the whole model.
        if (const auto index = ShardedIndexReader::indexOfShard(path)) {
            auto checkpoint = openCheckpoint(FileSource::open(*index), index->string(), options);
            checkpoint->addWarning(
                "opened " + path.filename().string() + " as one shard of the model its index " +
                index->filename().string() + " describes (ckpt --shard-only opens the file alone)");
            return checkpoint;
        }
    }
    return openCheckpoint(FileSource::open(path), path.string(), options);
}

pyobj::OpenNestedFn nestedOpener(const OpenOptions& options) {
    const int depth = options.nesting + 1;
    return [depth](std::shared_ptr<const ByteSource> bytes,
                   const std::string& name) -> std::unique_ptr<Checkpoint> {
        if (depth > kMaxNestedFiles) {
            throw FormatError("files nested more than " + std::to_string(kMaxNestedFiles) +
                              " deep");
        }
        OpenOptions inner;
        inner.nesting = depth;
        return openCheckpoint(std::move(bytes), name, inner);
    };
}

const std::vector<std::string>& checkpointExtensions() {
    static const std::vector<std::string> all = [] {
        std::vector<std::string> out;
        for (const Reader* r : readers()) {
            for (const std::string_view e : r->extensions()) {
                if (std::find(out.begin(), out.end(), e) == out.end()) {
                    out.emplace_back(e);
                }
            }
        }
        std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
            return a.size() > b.size();
        });
        return out;
    }();
    return all;
}

std::string checkpointExtension(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string& e : checkpointExtensions()) {
        if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
            return e;
        }
    }
    return {};
}

bool isOpenablePath(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return BundleReader::holdsModelJson(path) ||
               ShardedIndexReader::indexInFolder(path).has_value() ||
               OnnxReader::modelInFolder(path).has_value();
    }
    return std::filesystem::is_regular_file(path, ec);
}

}  // namespace ckpt::core
