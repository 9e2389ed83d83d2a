#pragma once
/// The reader contract: a cheap probe by content, then open. One reader per format.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/checkpoint.h"
#include "core/util/progress.h"

namespace ckpt::core {

class ByteSource;
class Hdf5File;
class ZipArchive;

/// Process-wide defaults of OpenOptions (set once by the CLI or the GUI before files are opened).
struct OpenDefaults {
    bool joinShards = true;
};
[[nodiscard]] OpenDefaults& openDefaults();

/// Options for opening a checkpoint.
struct OpenOptions {
    ProgressFn progress;  ///< called with bytes/units done; return false to cancel
    /// How deep this file sits inside other files' data (a zip in a pickle in a zip: 2); the
    /// registry refuses to open files nested deeper than kMaxNestedFiles.
    int nesting = 0;
    /// Build the object tree of pickled data (pickle and joblib files). Off (`ckpt validate`):
    /// the tree is built only when the data holds what the validator reads through it (tensors
    /// for NaN/Inf, nested files); the pickle streams, warnings and unchecked parts are the
    /// same either way, so every finding is too. Off also lets the pickle machine drop the
    /// entries of dicts of scalars appended to lists (MachineOptions::pruneScalarDicts): the
    /// tree built for tensors then shows those dicts empty.
    bool objectTree = true;
    /// A shard of a sharded checkpoint (model-00001-of-00003.safetensors beside an index that
    /// lists it) opens as the whole model, through the index. Off: the shard alone (`ckpt
    /// --shard-only`, and `ckpt scan`, which visits every shard anyway).
    bool joinShards = openDefaults().joinShards;
    /// Set by the shard index reader on the shards it opens: an index is never a shard.
    bool shardOfIndex = false;
};

/// What a probe may look at: the first bytes, the name, and containers decoded once and shared
/// by all readers (an HDF5 file or a zip directory). Probing never changes the source.
class ProbeContext {
public:
    ProbeContext(std::shared_ptr<const ByteSource> source, std::string displayName);
    ~ProbeContext();
    ProbeContext(const ProbeContext&) = delete;
    ProbeContext& operator=(const ProbeContext&) = delete;

    [[nodiscard]] const ByteSource& source() const { return *m_source; }
    [[nodiscard]] const std::shared_ptr<const ByteSource>& sourcePtr() const { return m_source; }
    /// The name used in messages (usually the file path).
    [[nodiscard]] const std::string& displayName() const { return m_displayName; }
    /// The lower-case file name, for the few tie-breaks that look at it.
    [[nodiscard]] std::string lowerFileName() const;
    /// The first bytes of the source (up to 4096).
    [[nodiscard]] std::span<const std::byte> head() const;

    /// True when the HDF5 signature is found at offset 0 or a user-block boundary.
    [[nodiscard]] bool hasHdf5Signature() const;
    /// The HDF5 file, opened on first use and shared; throws when the bytes are not valid HDF5.
    [[nodiscard]] std::shared_ptr<Hdf5File> hdf5();
    /// True when the bytes start like a zip archive (local header or empty archive).
    [[nodiscard]] bool hasZipSignature() const;
    /// The zip directory, read on first use and shared; throws when it is not a valid zip.
    [[nodiscard]] std::shared_ptr<ZipArchive> zip();

private:
    std::shared_ptr<const ByteSource> m_source;
    std::string m_displayName;
    std::shared_ptr<Hdf5File> m_hdf5;
    std::shared_ptr<ZipArchive> m_zip;
};

/// The scale of Reader::probe: how a reader knows that a source is its format. A reader may
/// add or take a few points to rank itself against another reader of the same container.
namespace probe {
inline constexpr int kNotMine = 0;
inline constexpr int kContainer = 10;  ///< any file of the container passes (an HDF5 file)
inline constexpr int kPlausible = 20;  ///< the bytes could be it (a pickle without PROTO)
inline constexpr int kWrapper = 30;    ///< a compressed stream that may hold it (joblib)
inline constexpr int kStructure = 50;  ///< its opening structure matches (PROTO, vars groups)
inline constexpr int kLayout = 60;     ///< its own attributes or members are there
inline constexpr int kHeader = 70;     ///< a header that parses as its own (safetensors)
inline constexpr int kMarker = 80;     ///< a member or magic only it writes (config.json)
inline constexpr int kCertain = 100;   ///< a magic number of its own (npy, torch legacy)
}  // namespace probe

/// One checkpoint format. Implementations are stateless and registered in registry.cpp.
class Reader {
public:
    virtual ~Reader() = default;

    /// Stable id, e.g. "keras-h5".
    [[nodiscard]] virtual std::string_view id() const = 0;
    /// Human name, e.g. "Keras legacy HDF5".
    [[nodiscard]] virtual std::string_view description() const = 0;

    /// File-name endings this format is usually saved with (lower case, with the dot), for file
    /// dialogs, drag and drop and `ckpt formats`. The content, never the name, decides which
    /// reader opens a file.
    [[nodiscard]] virtual std::vector<std::string_view> extensions() const = 0;
    /// What the first bytes hold, in words, for `ckpt formats`.
    [[nodiscard]] virtual std::string_view signature() const = 0;

    /// How sure this reader is that it can open the source, on the probe:: scale (0: not mine,
    /// 100: certain). Must be cheap and must not throw for foreign input.
    [[nodiscard]] virtual int probe(ProbeContext& context) const = 0;

    /// Reads structure and metadata (never the tensor data). Throws a core Error on failure.
    [[nodiscard]] virtual std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                           const OpenOptions& options) const = 0;
};

}  // namespace ckpt::core
