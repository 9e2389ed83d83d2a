#include "core/validate/zip_sweep.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/pickle/machine.h"
#include "core/pickle/opcode.h"
#include "core/pickle/opcode_reader.h"
#include "core/util/error.h"
#include "core/util/limits.h"
#include "core/validate/pickle_scan.h"

namespace ckpt::core {
namespace {

constexpr std::uint64_t kMaxSweepInflate = std::uint64_t{256} << 20;
constexpr std::uint64_t kSniffBytes = 4096;

std::uint64_t readLe(std::span<const std::byte> b, std::uint64_t off, int n) {
    std::uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) {
        v = (v << 8) | std::to_integer<std::uint64_t>(b[off + static_cast<std::uint64_t>(k)]);
    }
    return v;
}

/// Raw-deflate `in` into at most `limit` bytes; what inflated before an error is kept (a
/// loader runs what it could read).
std::vector<std::byte> inflateRaw(std::span<const std::byte> in, std::uint64_t limit) {
    std::vector<std::byte> out;
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
        return out;
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
    std::vector<std::byte> chunk(1 << 16);
    int rc = Z_OK;
    while (rc == Z_OK && out.size() < limit) {
        z.next_out = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_out = static_cast<uInt>(chunk.size());
        rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t got = chunk.size() - z.avail_out;
        out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
        if (got == 0 && rc == Z_OK) {
            break;
        }
    }
    inflateEnd(&z);
    return out;
}

/// True when `head` (the first bytes of a member) starts like a pickle: PROTO 2-5 and an
/// opcode, or up to 16 protocol 0/1 opcodes that decode.
bool startsLikePickle(const std::vector<std::byte>& head) {
    if (head.size() < 3) {
        return false;
    }
    if (head[0] == std::byte{0x80}) {
        const auto proto = std::to_integer<unsigned>(head[1]);
        return proto >= 2 && proto <= 5 &&
               pickle::opcodeInfo(std::to_integer<std::uint8_t>(head[2]));
    }
    try {
        pickle::OpcodeReader reader{std::span<const std::byte>(head)};
        for (int k = 0; k < 16 && !reader.atEnd(); ++k) {
            if (reader.next().code == pickle::Opcode::Stop) {
                return true;
            }
        }
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void scanStream(const std::shared_ptr<const ByteSource>& bytes, const std::string& member,
                std::vector<Finding>& out, const Policy* policy) {
    if (!looksLikePickle(*bytes)) {
        return;
    }
    pickle::Machine machine(bytes);
    std::vector<pickle::ValueId> roots;
    try {
        for (const auto& p : machine.loadAll().pickles) {
            roots.push_back(p.root);
        }
    } catch (const std::exception&) {
        // Broken after some opcodes: judge what was built.
    }
    auto fs = scanPickleGraph(machine.graph(), roots, member, policy);
    out.insert(out.end(), fs.begin(), fs.end());
}

class Sweeper {
public:
    Sweeper(std::shared_ptr<const ByteSource> source, const std::set<std::string>& scanned,
            const Policy* policy)
        : m_source(std::move(source)),
          m_bytes(m_source->view()),
          m_scanned(scanned),
          m_policy(policy) {}

    std::vector<Finding> run() {
        std::shared_ptr<ZipArchive> zip;
        try {
            zip = ZipArchive::open(m_source);
        } catch (const std::exception&) {
            return {};
        }
        std::set<std::string> skipped;
        std::uint64_t firstEntry = m_bytes.size();
        std::uint64_t lastEnd = 0;
        for (const auto& e : zip->entries()) {
            firstEntry = std::min(firstEntry, e.localHeaderOffset);
            const bool readerSaw = m_scanned.count(e.name) != 0 && skipped.insert(e.name).second;
            entry(e, readerSaw, lastEnd);
        }
        if (firstEntry > 0 && firstEntry <= m_bytes.size()) {
            region(0, firstEntry, "<bytes before the first zip entry>");
        }
        const auto directory = centralDirectoryStart(lastEnd);
        if (directory > lastEnd) {
            region(lastEnd, directory - lastEnd, "<bytes after the last zip entry>");
        }
        return std::move(m_findings);
    }

private:
    void entry(const ZipEntry& e, bool readerSaw, std::uint64_t& lastEnd) {
        const auto off = e.localHeaderOffset;
        if (off + 30 > m_bytes.size() || readLe(m_bytes, off, 4) != 0x04034b50U) {
            return;
        }
        const auto nameLen = readLe(m_bytes, off + 26, 2);
        const auto extraLen = readLe(m_bytes, off + 28, 2);
        const auto start = off + 30 + nameLen + extraLen;
        if (start > m_bytes.size()) {
            return;
        }
        const auto size = std::min<std::uint64_t>(e.compressedSize, m_bytes.size() - start);
        lastEnd = std::max(lastEnd, start + size);
        const std::string local(reinterpret_cast<const char*>(m_bytes.data() + off + 30), nameLen);
        std::string label = e.name;
        if (local != e.name) {
            label += " (local header name: " + local + ")";
            Finding f;
            f.rule = "CKPT-S008";
            f.category = FindingCategory::Security;
            f.severity = Severity::Warning;
            f.path = label;
            f.symbol = "zip member name";
            f.offset = off;
            f.member = label;
            f.message = "zip member '" + e.name + "' is called '" + local +
                        "' in its local header: loaders that read local headers and loaders "
                        "that read the directory see different files (CVE-2025-1944)";
            f.advice =
                "Do not trust a scan of this archive by name; re-create it from a trusted "
                "source.";
            m_findings.push_back(std::move(f));
            readerSaw = false;  // the reader read it under the other name, or refused it
        }
        if (readerSaw) {
            return;
        }
        std::shared_ptr<const ByteSource> data;
        try {
            if (e.method == 0) {
                data = std::make_shared<SliceSource>(m_source, start, size, label);
            } else if (e.method == 8) {
                // Inflate a head first: only a member that starts like a pickle is inflated
                // whole, and never past the limits a reader would apply.
                const auto packed = m_bytes.subspan(start, size);
                if (!startsLikePickle(inflateRaw(packed, kSniffBytes))) {
                    return;
                }
                const Limits& lim = limits();
                std::uint64_t cap = std::min({e.size, kMaxSweepInflate, lim.inflatedBytes});
                if (e.size > lim.inflateRatioFloor) {
                    cap = std::min(cap, size * lim.inflateRatio);
                }
                data = std::make_shared<MemorySource>(inflateRaw(packed, cap), label);
            } else {
                return;
            }
        } catch (const std::exception&) {
            return;
        }
        try {
            scanStream(data, label, m_findings, m_policy);
        } catch (const std::exception&) {
            return;  // a limit or a cancel: the reader's own pass reports its errors
        }
    }

    void region(std::uint64_t offset, std::uint64_t size, const std::string& label) {
        try {
            scanStream(std::make_shared<SliceSource>(m_source, offset, size, label), label,
                       m_findings, m_policy);
        } catch (const std::exception&) {
        }
    }

    /// Offset of the first central-directory header at or after `from`, or the file size.
    std::uint64_t centralDirectoryStart(std::uint64_t from) const {
        static const unsigned char sig[4] = {'P', 'K', 1, 2};
        for (std::uint64_t p = from; p + 4 <= m_bytes.size(); ++p) {
            if (std::memcmp(m_bytes.data() + p, sig, 4) == 0) {
                return p;
            }
        }
        return m_bytes.size();
    }

    std::shared_ptr<const ByteSource> m_source;
    std::span<const std::byte> m_bytes;
    const std::set<std::string>& m_scanned;
    std::vector<Finding> m_findings;
    const Policy* m_policy = nullptr;
};

}  // namespace

void scanPickleBytes(const std::shared_ptr<const ByteSource>& bytes, const std::string& member,
                     std::vector<Finding>& out, const Policy* policy) {
    try {
        scanStream(bytes, member, out, policy);
    } catch (const std::exception&) {
        // not a pickle after all, or unreadable: nothing to judge
    }
}

std::vector<Finding> scanBrokenPickle(const std::shared_ptr<const ByteSource>& source,
                                      const Policy* policy) {
    const auto head = source ? source->peek(0, 1) : std::vector<std::byte>{};
    if (head.empty() || !pickle::opcodeInfo(std::to_integer<std::uint8_t>(head[0]))) {
        return {};
    }
    std::vector<Finding> out;
    try {
        pickle::Machine machine(source);
        std::vector<pickle::ValueId> roots;
        try {
            for (const auto& p : machine.loadAll().pickles) {
                roots.push_back(p.root);
            }
        } catch (const std::exception&) {
            // judged below on what was built
        }
        out = scanPickleGraph(machine.graph(), roots, {}, policy);
    } catch (const std::exception&) {
    }
    return out;
}

std::vector<Finding> sweepZipForPickles(const std::shared_ptr<const ByteSource>& source,
                                        const std::set<std::string>& alreadyScanned,
                                        const Policy* policy) {
    if (!source || source->size() < 22 || source->view().empty()) {
        return {};
    }
    const auto head = source->peek(0, 4);
    const auto v = source->view();
    // A zip may start with other bytes (a pickle in front): look for its end record instead.
    bool zip = head.size() == 4 && head[0] == std::byte{'P'} && head[1] == std::byte{'K'};
    for (std::uint64_t p = v.size() - 22; !zip && p + 22 <= v.size() && v.size() - p < 66000; --p) {
        zip = std::memcmp(v.data() + p, "PK\x05\x06", 4) == 0;
        if (p == 0) {
            break;
        }
    }
    if (!zip) {
        return {};
    }
    return Sweeper(source, alreadyScanned, policy).run();
}

}  // namespace ckpt::core
