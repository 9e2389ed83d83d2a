#pragma once
/// The validator's pass over archives and compressed wrappers that no reader opens but that a
/// loader (or a user following a README) unpacks first: 7z (nullifAI hid payloads in 7z-packed
/// torch files), tar (torch.save before 2017), and single gzip, bz2, xz/lzma, zstd or lz4
/// streams, through libarchive. Every entry is sniffed for a pickle by content, and nested
/// archives (zip, 7z, tar, compressed) are opened in turn.

#include <memory>
#include <string>
#include <vector>

#include "core/validate/finding.h"

namespace ckpt::core {

class ByteSource;
struct Policy;

/// True when `source` starts like an archive or compressed stream this pass reads (not zip:
/// zip_sweep.h handles it).
[[nodiscard]] bool looksLikeArchive(const ByteSource& source);

/// The CKPT-S010 warning for content at `where` that could not be checked because of `why`.
[[nodiscard]] Finding uncheckedFinding(const std::string& where, const std::string& why);

/// Scans each entry of `source` (see above). Entries are read in bounded blocks; one whose first
/// 4 KiB is neither a pickle nor an archive is skipped without being kept, the others are kept
/// up to 64 MiB (and limits().inflatedBytes, limits().inflateRatio times the packed size), and
/// nested archives are opened to a depth of 4. What could not be checked (a damaged archive, an
/// entry past a limit, an encrypted entry) is a CKPT-S010 warning, so that the file is never
/// reported clean unread. Findings name the entry ("model.7z › archive/data.pkl"). Never throws.
[[nodiscard]] std::vector<Finding> sweepArchiveForPickles(
    const std::shared_ptr<const ByteSource>& source, const Policy* policy = nullptr);

}  // namespace ckpt::core
