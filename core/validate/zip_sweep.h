#pragma once
/// The validator's own pass over a zip archive: every member, whatever its name or extension,
/// is sniffed for a pickle by content, the way a loader that ignores names (torch.load,
/// numpy.load with allow_pickle, a hand-written loader) would meet it. Readers open only the
/// members their format names; this pass finds the rest.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/validate/finding.h"

namespace ckpt::core {

class ByteSource;
struct Policy;

/// Scans `source` when it is a zip archive (else returns nothing): each central-directory entry
/// (duplicate names included, CRC and the encrypted flag ignored, as torch's reader does), the
/// name in each local header when it differs from the directory, and bytes before the first
/// entry or between the last entry and the directory. `alreadyScanned` holds member names a
/// reader has scanned; the first entry of each such name is skipped. Findings name the member.
/// Never throws: what cannot be read is skipped.
[[nodiscard]] std::vector<Finding> sweepZipForPickles(
    const std::shared_ptr<const ByteSource>& source, const std::set<std::string>& alreadyScanned,
    const Policy* policy = nullptr);

/// When `bytes` look like a pickle (by content, protocol 0 and 1 included), runs the symbolic
/// machine over them and appends the findings, named by `member`, even when the stream breaks
/// after its payload. Never throws for bad bytes.
void scanPickleBytes(const std::shared_ptr<const ByteSource>& bytes, const std::string& member,
                     std::vector<Finding>& out, const Policy* policy = nullptr);

/// Runs the symbolic machine over `source` as one pickle stream that no reader accepted (it
/// breaks after some opcodes, or starts in an unusual way) and scans the values it built before
/// failing: a loader runs those too. Empty when the first byte is not a pickle opcode.
[[nodiscard]] std::vector<Finding> scanBrokenPickle(const std::shared_ptr<const ByteSource>& source,
                                                    const Policy* policy = nullptr);

}  // namespace ckpt::core
