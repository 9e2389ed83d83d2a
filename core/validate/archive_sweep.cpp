#include "core/validate/archive_sweep.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"
#include "core/util/limits.h"
#include "core/validate/zip_sweep.h"

namespace ckpt::core {
namespace {

constexpr int kMaxDepth = 4;
constexpr std::size_t kBlock = 64 * 1024;
constexpr std::size_t kSniff = 4096;                          ///< bytes read before deciding
constexpr std::uint64_t kMaxEntry = std::uint64_t{64} << 20;  ///< one pickle or archive

bool startsWith(std::span<const std::byte> b, std::size_t offset, const char* magic,
                std::size_t n) {
    return b.size() >= offset + n && std::memcmp(b.data() + offset, magic, n) == 0;
}

bool archiveMagic(std::span<const std::byte> b) {
    return startsWith(b, 0, "7z\xBC\xAF\x27\x1C", 6) ||  // 7z
           startsWith(b, 257, "ustar", 5) ||             // tar (POSIX and GNU)
           startsWith(b, 0, "\x1F\x8B", 2) ||            // gzip
           (startsWith(b, 0, "BZh", 3) && b.size() > 3 && std::to_integer<char>(b[3]) >= '1' &&
            std::to_integer<char>(b[3]) <= '9') ||  // bz2
           startsWith(b, 0,
                      "\xFD"
                      "7zXZ\x00",
                      6) ||                            // xz
           startsWith(b, 0, "\x28\xB5\x2F\xFD", 4) ||  // zstd
           startsWith(b, 0, "\x04\x22\x4D\x18", 4);    // lz4 frame
}

bool zipMagic(std::span<const std::byte> b) {
    return startsWith(b, 0, "PK\x03\x04", 4) || startsWith(b, 0, "PK\x05\x06", 4);
}

bool interesting(std::span<const std::byte> head) {
    if (zipMagic(head) || archiveMagic(head)) {
        return true;
    }
    const MemorySource probe(
        std::vector<std::byte>(head.begin(),
                               head.begin() + std::min<std::size_t>(head.size(), kSniff)),
        "sniff");
    return looksLikePickle(probe);
}

class ArchiveSweep {
public:
    explicit ArchiveSweep(const Policy* policy) : m_policy(policy) {}

    void sweep(std::span<const std::byte> bytes, const std::string& prefix, int depth) {
        struct Closer {
            void operator()(archive* a) const { archive_read_free(a); }
        };
        const std::unique_ptr<archive, Closer> a(archive_read_new());
        if (!a) {
            return;
        }
        archive_read_support_filter_all(a.get());
        archive_read_support_format_7zip(a.get());
        archive_read_support_format_tar(a.get());
        archive_read_support_format_raw(a.get());  // a single compressed stream: one entry
        if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
            unchecked(prefix.empty() ? std::string("(archive)") : prefix,
                      "libarchive cannot open it: " + errorText(a.get()));
            return;
        }
        const Limits& lim = limits();
        archive_entry* entry = nullptr;
        std::uint64_t entries = 0;
        int rc = ARCHIVE_OK;
        while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK ||
               rc == ARCHIVE_WARN) {
            if (++entries > lim.zipEntries) {
                unchecked(prefix, "more than " + std::to_string(lim.zipEntries) +
                                      " entries (limit zip-entries)");
                return;
            }
            const char* raw = archive_entry_pathname(entry);
            std::string name = raw != nullptr && *raw != 0 ? raw : "data";
            if (archive_format(a.get()) == ARCHIVE_FORMAT_RAW) {
                name = "(decompressed stream)";
            }
            const std::string label = prefix.empty() ? name : prefix + " › " + name;
            // Directories, links, devices: nothing a loader unpickles. 7z entries written
            // without attributes have no type at all: read those.
            if (const auto type = archive_entry_filetype(entry); type != 0 && type != AE_IFREG) {
                continue;
            }
            if (archive_entry_is_encrypted(entry) != 0) {
                unchecked(label, "the entry is encrypted");
                continue;
            }
            std::vector<std::byte> data;
            // Bounded: the absolute limit, the ratio to the packed archive, 256 MiB for one
            // pickle, and what is left of the budget for the whole file.
            const std::uint64_t byRatio =
                std::max<std::uint64_t>(lim.inflateRatioFloor, lim.inflateRatio * bytes.size());
            const std::uint64_t left = lim.inflatedBytes - std::min(lim.inflatedBytes, m_total);
            const std::uint64_t cap = std::min({lim.inflatedBytes, byRatio, kMaxEntry, left});
            bool tooBig = false;
            bool sniffed = false;
            std::vector<std::byte> block(kBlock);
            for (;;) {
                const la_ssize_t n = archive_read_data(a.get(), block.data(), block.size());
                if (n < 0) {
                    unchecked(label, "damaged entry: " + errorText(a.get()));
                    break;
                }
                if (n == 0) {
                    break;
                }
                if (data.size() + static_cast<std::size_t>(n) > cap) {
                    tooBig = true;
                    break;
                }
                data.insert(data.end(), block.begin(), block.begin() + n);
                if (!sniffed && data.size() >= kSniff) {
                    sniffed = true;
                    // Only pickles and archives are kept; anything else (weights, text) is
                    // skipped without holding it in memory.
                    if (!interesting(data)) {
                        data.clear();
                        archive_read_data_skip(a.get());
                        break;
                    }
                }
            }
            m_total += data.size();
            if (tooBig) {
                unchecked(label, "it unpacks to more than " + std::to_string(cap >> 20) +
                                     " MiB (limits inflated-bytes and inflate-ratio); only the "
                                     "first part was checked");
            }
            judge(std::move(data), label, depth);
        }
        if (rc != ARCHIVE_EOF) {
            unchecked(prefix.empty() ? std::string("(archive)") : prefix,
                      "reading stopped: " + errorText(a.get()));
        }
    }

    std::vector<Finding> take() { return std::move(m_findings); }

private:
    void judge(std::vector<std::byte> data, const std::string& label, int depth) {
        if (data.empty() || !interesting(data)) {
            return;
        }
        const std::span<const std::byte> view(data);
        if (zipMagic(view) || archiveMagic(view)) {
            if (depth + 1 >= kMaxDepth) {
                unchecked(label, "archives nested deeper than " + std::to_string(kMaxDepth));
                return;
            }
            if (zipMagic(view)) {
                auto inner = sweepZipForPickles(
                    std::make_shared<MemorySource>(std::move(data), label), {}, m_policy);
                for (auto& f : inner) {
                    f.member = f.member.empty() ? label : label + " › " + f.member;
                    m_findings.push_back(std::move(f));
                }
                return;
            }
            sweep(view, label, depth + 1);
            return;
        }
        scanPickleBytes(std::make_shared<MemorySource>(std::move(data), label), label, m_findings,
                        m_policy);
    }

    void unchecked(const std::string& where, const std::string& why) {
        m_findings.push_back(uncheckedFinding(where, why));
    }

    static std::string errorText(archive* a) {
        const char* e = archive_error_string(a);
        return e != nullptr ? e : "unknown error";
    }

    const Policy* m_policy;
    std::vector<Finding> m_findings;
    std::uint64_t m_total = 0;
};

}  // namespace

bool looksLikeArchive(const ByteSource& source) {
    const auto head = source.peek(0, 512);
    return archiveMagic(head);
}

Finding uncheckedFinding(const std::string& where, const std::string& why) {
    Finding f;
    f.rule = "CKPT-S010";
    f.category = FindingCategory::Security;
    f.severity = Severity::Warning;
    f.path = where;
    f.member = where;
    if (where.rfind("shard ", 0) == 0) {  // a shard of a sharded model (sharded_reader.h)
        f.message = where + " could not be checked: " + why +
                    "; the model is incomplete, and what a loader finds there is unchecked";
        f.advice =
            "Fetch the shard again from the model's source and check it, or look at the "
            "shards one by one (ckpt --shard-only).";
        return f;
    }
    f.message = where + " could not be checked: " + why +
                "; a loader that unpacks it further may run what is inside";
    f.advice =
        "Unpack it yourself with a trusted tool and check what comes out, or do not load it.";
    return f;
}

std::vector<Finding> sweepArchiveForPickles(const std::shared_ptr<const ByteSource>& source,
                                            const Policy* policy) {
    try {
        if (!source || !looksLikeArchive(*source)) {
            return {};
        }
        ArchiveSweep sweep(policy);
        sweep.sweep(source->view(), {}, 0);
        return sweep.take();
    } catch (const std::exception&) {
        return {};
    }
}

}  // namespace ckpt::core
