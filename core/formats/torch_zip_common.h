#pragma once
/// What the torch.save zip and the TorchScript archive share (FORMATS.md §4.1): a root folder
/// of any name, data.pkl, storages under data/<key> read in place, version and byteorder records.

#include <memory>
#include <optional>
#include <string>

#include "core/formats/reader.h"

namespace ckpt::core {

struct ZipEntry;

/// The members that make a zip a torch archive.
struct TorchZipLayout {
    std::string prefix;  ///< root folder with its '/', e.g. "archive/"
    const ZipEntry* dataPkl = nullptr;
    const ZipEntry* constantsPkl = nullptr;  ///< TorchScript only
    bool hasCode = false;                    ///< a code/ folder (TorchScript)
};

/// The layout when `zip` is a torch archive, else nullopt.
[[nodiscard]] std::optional<TorchZipLayout> torchZipLayout(const ZipArchive& zip);

/// Largest compressed storage member inflated in memory on read.
inline constexpr std::uint64_t kMaxInflatedStorage = std::uint64_t{1} << 30;

/// Opens a torch zip archive; `script` selects the TorchScript view (constants, code files).
[[nodiscard]] std::unique_ptr<Checkpoint> openTorchZip(ProbeContext& context,
                                                       const OpenOptions& options, bool script);

}  // namespace ckpt::core
