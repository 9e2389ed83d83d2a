#include "core/export/safetensors_export.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include "core/export/atomic_file.h"
#include "core/io/chunk_reader.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

/// Position of the dtype in the crate's `enum Dtype` (the writer sorts by it, descending).
int safetensorsRank(DType t) {
    switch (t) {
        case DType::Bool:
            return 0;
        case DType::UInt8:
            return 4;
        case DType::Int8:
            return 5;
        case DType::Float8E5M2:
            return 6;
        case DType::Float8E4M3FN:
            return 7;
        case DType::Float8E8M0FNU:
            return 8;
        case DType::Float8E4M3FNUZ:
            return 9;
        case DType::Float8E5M2FNUZ:
            return 10;
        case DType::Int16:
            return 11;
        case DType::UInt16:
            return 12;
        case DType::Float16:
            return 13;
        case DType::BFloat16:
            return 14;
        case DType::Int32:
            return 15;
        case DType::UInt32:
            return 16;
        case DType::Float32:
            return 17;
        case DType::Complex64:
            return 18;
        case DType::Float64:
            return 19;
        case DType::Int64:
            return 20;
        case DType::UInt64:
            return 21;
        default:
            return -1;
    }
}

struct Entry {
    std::string name;
    const Tensor* tensor;
};

/// Start writing back to disk after this many bytes, so the final fsync has little left to do.
constexpr std::uint64_t kWritebackBytes = std::uint64_t{64} << 20;

/// A descriptor of the file holding `t`'s elements exactly as safetensors stores them (C
/// order, little-endian, contiguous), or -1 when they need the tensor's reader.
int directInput(const Tensor& t, OpenFiles& files) {
    if (std::endian::native != std::endian::little || t.source() == nullptr ||
        (t.fortranOrder() && t.shape().size() > 1)) {
        return -1;
    }
    const auto extent = t.source()->fileExtent();
    return extent ? files.descriptor(extent->file) : -1;
}

}  // namespace

std::optional<std::string> safetensorsDtype(DType t) {
    switch (t) {
        case DType::Bool:
            return "BOOL";
        case DType::UInt8:
            return "U8";
        case DType::Int8:
            return "I8";
        case DType::Float8E5M2:
            return "F8_E5M2";
        case DType::Float8E4M3FN:
            return "F8_E4M3";
        case DType::Float8E8M0FNU:
            return "F8_E8M0";
        case DType::Float8E4M3FNUZ:
            return "F8_E4M3FNUZ";
        case DType::Float8E5M2FNUZ:
            return "F8_E5M2FNUZ";
        case DType::Int16:
            return "I16";
        case DType::UInt16:
            return "U16";
        case DType::Float16:
            return "F16";
        case DType::BFloat16:
            return "BF16";
        case DType::Int32:
            return "I32";
        case DType::UInt32:
            return "U32";
        case DType::Float32:
            return "F32";
        case DType::Complex64:
            return "C64";
        case DType::Float64:
            return "F64";
        case DType::Int64:
            return "I64";
        case DType::UInt64:
            return "U64";
        default:
            return std::nullopt;
    }
}

ExportReport exportSafetensors(const Checkpoint& checkpoint, const std::filesystem::path& out,
                               const ExportOptions& options) {
    ExportReport report;
    report.format = "safetensors";
    report.output = out;

    std::vector<Entry> entries;
    DecodedEncodings decoded;
    for (const Node* node : checkpoint.tensorNodes()) {
        const std::string path = node->path();
        const Tensor& t = *node->tensor();
        if (!tensorGlobMatches(options.tensorGlob, path)) {
            report.excluded.push_back(path + ": does not match --tensors " + options.tensorGlob);
            continue;
        }
        if (!options.includeOptimizer && isOptimizerStatePath(path)) {
            report.excluded.push_back(path + ": optimizer state, --no-optimizer");
            continue;
        }
        if (!safetensorsDtype(t.dtype()) || !t.readable()) {
            const std::string type =
                t.dtypeDetail().empty() ? std::string(dtypeName(t.dtype())) : t.dtypeDetail();
            report.dropped.push_back(
                path + ": " +
                (t.encoding().name.empty()
                     ? type + " tensors have no safetensors dtype (numeric data only)"
                     : t.encoding().name + " (" + type +
                           "): its elements are not read, so it is not written"));
            continue;
        }
        if (t.fortranOrder() && t.shape().size() > 1 && t.nbytes() > kMaxTransposeBytes) {
            report.dropped.push_back(path +
                                     ": Fortran-order tensor too large to transpose to C order");
            continue;
        }
        entries.push_back({path, &t});
        decoded.add(t);
    }
    if (const std::string note = decoded.note(); !note.empty()) {
        report.warnings.push_back(note);
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        const int ra = safetensorsRank(a.tensor->dtype());
        const int rb = safetensorsRank(b.tensor->dtype());
        return ra != rb ? ra > rb : a.name < b.name;
    });

    Json meta = Json::object();
    meta["source_format"] = checkpoint.format();
    meta["source_file"] = std::filesystem::path(checkpoint.filePath()).filename().string();
    // The header is composed entry by entry: an ordered_json object looks keys up linearly,
    // which made 40k tensors take seconds.
    std::string text = "{\"__metadata__\":" + meta.dump();
    std::unordered_set<std::string_view> names;
    std::uint64_t offset = 0;
    for (const auto& e : entries) {
        if (!names.insert(e.name).second || e.name == "__metadata__") {
            throw UnsupportedError("two tensors share the name '" + e.name + "'");
        }
        const std::uint64_t n = e.tensor->nbytes();
        const Json entry = {{"dtype", *safetensorsDtype(e.tensor->dtype())},
                            {"shape", e.tensor->shape()},
                            {"data_offsets", {offset, offset + n}}};
        text += "," + Json(e.name).dump() + ":" + entry.dump();
        offset += n;
    }
    text += "}";
    text.append((8 - text.size() % 8) % 8, ' ');
    if (text.size() > 100'000'000) {
        throw UnsupportedError("the safetensors header would exceed 100 MB (too many tensors)");
    }

    AtomicFile file(out, {checkpoint.filePath()});
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i) {
        len[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(text.size()) >> (8 * i)));
    }
    file.write(len, 8);
    file.write(text.data(), text.size());
    ProgressCounter progress(options.progress, offset);
    reportProgress(options.progress, 0, offset);
    OpenFiles inputs;
    std::uint64_t sinceWriteback = 0;
    const auto wrote = [&](std::uint64_t n) {
        progress.add(n);
        sinceWriteback += n;
        if (sinceWriteback >= kWritebackBytes) {
            file.startWriteback();
            sinceWriteback = 0;
        }
    };
    const std::uint64_t step = std::max<std::uint64_t>(options.chunkBytes, 1);
    for (const auto& e : entries) {
        try {
            const Tensor& t = *e.tensor;
            const int fd = directInput(t, inputs);
            if (fd >= 0) {
                // Stored as written: the kernel copies file to file, nothing passes through
                // this process (no buffer, no mapped pages).
                const std::uint64_t at = t.source()->fileExtent()->offset;
                const std::uint64_t n = t.nbytes();
                for (std::uint64_t done = 0; done < n; done += step) {
                    const std::uint64_t piece = std::min(step, n - done);
                    file.copyFrom(fd, at + done, piece);
                    wrote(piece);
                }
            } else {
                streamTensorBytes(t, options.chunkBytes, [&](const std::byte* p, std::size_t n) {
                    file.write(p, n);
                    wrote(n);
                });
            }
        } catch (Error& err) {
            err.fillContext({checkpoint.filePath(), checkpoint.format(), e.name, {}});
            throw;
        }
        report.written.emplace_back(e.name, e.name);
    }
    file.commit();
    report.tensors = entries.size();
    report.dataBytes = offset;
    report.fileBytes = 8 + text.size() + offset;
    return report;
}

}  // namespace ckpt::core
