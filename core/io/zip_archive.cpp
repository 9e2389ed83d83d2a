#include "core/io/zip_archive.h"

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <span>

#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kZip64EocdSig = 0x06064b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kLocalSig = 0x04034b50;

/// Little-endian field of `n` bytes at `off`; a field past the end is a damaged archive (every
/// offset here comes from the file).
std::uint64_t le(std::span<const std::byte> b, std::size_t off, std::size_t n) {
    if (off > b.size() || n > b.size() - off) {
        throw CorruptDataError("a zip record points past the end of the file (damaged archive)");
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v |= static_cast<std::uint64_t>(b[off + i]) << (8 * i);
    }
    return v;
}

}  // namespace

struct ZipArchive::LibZip {
    zip_t* archive = nullptr;
    std::mutex mutex;
    ~LibZip() {
        if (archive != nullptr) {
            zip_discard(archive);
        }
    }
};

ZipArchive::ZipArchive(std::shared_ptr<const ByteSource> source)
    : m_source(std::move(source)), m_zip(std::make_unique<LibZip>()) {}

ZipArchive::~ZipArchive() = default;

std::shared_ptr<ZipArchive> ZipArchive::open(std::shared_ptr<const ByteSource> source) {
    std::shared_ptr<ZipArchive> zip(new ZipArchive(std::move(source)));
    try {
        zip->readDirectory();
    } catch (Error& e) {
        e.fillContext({zip->m_source->name(), "zip"});
        throw;
    }
    return zip;
}

void ZipArchive::readDirectory() {
    const auto bytes = m_source->view();
    const Error::Context ctx{m_source->name(), "zip"};
    if (bytes.size() < 22) {
        throw FormatError("too small to be a zip archive", ctx);
    }
    // End of central directory: last 22 bytes plus up to 64 KiB of comment.
    std::uint64_t eocd = UINT64_MAX;
    const std::uint64_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
    for (std::uint64_t p = bytes.size() - 22 + 1; p-- > lowest;) {
        if (le(bytes, p, 4) == kEocdSig) {
            eocd = p;
            break;
        }
    }
    if (eocd == UINT64_MAX) {
        throw CorruptDataError("zip end-of-directory record not found (truncated archive?)", ctx);
    }
    std::uint64_t count = le(bytes, eocd + 10, 2);
    std::uint64_t cdSize = le(bytes, eocd + 12, 4);
    std::uint64_t cdOffset = le(bytes, eocd + 16, 4);
    if ((count == 0xffff || cdSize == 0xffffffff || cdOffset == 0xffffffff) && eocd >= 20 &&
        le(bytes, eocd - 20, 4) == kZip64LocatorSig) {
        const std::uint64_t z64 = le(bytes, eocd - 20 + 8, 8);
        if (bytes.size() < 56 || z64 > bytes.size() - 56 || le(bytes, z64, 4) != kZip64EocdSig) {
            throw CorruptDataError("damaged zip64 end-of-directory record", ctx);
        }
        count = le(bytes, z64 + 32, 8);
        cdSize = le(bytes, z64 + 40, 8);
        cdOffset = le(bytes, z64 + 48, 8);
    }
    if (count > limits().zipEntries) {
        throw LimitError("zip directory lists " + std::to_string(count) + " entries", "zip-entries",
                         limits().zipEntries, ctx);
    }
    if (cdOffset > bytes.size() || cdSize > bytes.size() - cdOffset || count > cdSize / 46 + 1) {
        throw CorruptDataError("zip central directory lies outside the file (truncated?)", ctx);
    }
    std::uint64_t p = cdOffset;
    m_entries.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        if (p + 46 > cdOffset + cdSize || le(bytes, p, 4) != kCentralSig) {
            throw CorruptDataError("damaged zip central directory entry " + std::to_string(i),
                                   {ctx.file, "zip", {}, p});
        }
        ZipEntry e;
        e.index = i;
        e.flags = static_cast<std::uint16_t>(le(bytes, p + 8, 2));
        e.method = static_cast<std::uint16_t>(le(bytes, p + 10, 2));
        e.crc = static_cast<std::uint32_t>(le(bytes, p + 16, 4));
        e.compressedSize = le(bytes, p + 20, 4);
        e.size = le(bytes, p + 24, 4);
        const std::uint64_t nameLen = le(bytes, p + 28, 2);
        const std::uint64_t extraLen = le(bytes, p + 30, 2);
        const std::uint64_t commentLen = le(bytes, p + 32, 2);
        e.localHeaderOffset = le(bytes, p + 42, 4);
        if (p + 46 + nameLen + extraLen + commentLen > cdOffset + cdSize) {
            throw CorruptDataError("zip directory entry runs past the directory",
                                   {ctx.file, "zip", {}, p});
        }
        e.name.assign(reinterpret_cast<const char*>(bytes.data() + p + 46), nameLen);
        if (std::any_of(e.name.begin(), e.name.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
            throw CorruptDataError("damaged zip central directory entry " + std::to_string(i) +
                                       " (its name holds control bytes)",
                                   {ctx.file, "zip", {}, p});
        }
        // ZIP64 extra field: the 64-bit values of the fields saturated above, in this order.
        for (std::uint64_t x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen;) {
            const auto id = le(bytes, x, 2);
            const auto len = le(bytes, x + 2, 2);
            if (id == 1) {
                std::uint64_t q = x + 4;
                const std::uint64_t end = x + 4 + len;
                if (e.size == 0xffffffff && q + 8 <= end) {
                    e.size = le(bytes, q, 8);
                    q += 8;
                }
                if (e.compressedSize == 0xffffffff && q + 8 <= end) {
                    e.compressedSize = le(bytes, q, 8);
                    q += 8;
                }
                if (e.localHeaderOffset == 0xffffffff && q + 8 <= end) {
                    e.localHeaderOffset = le(bytes, q, 8);
                }
            }
            x += 4 + len;
        }
        if (e.localHeaderOffset > bytes.size() ||
            e.compressedSize > bytes.size() - e.localHeaderOffset) {
            throw CorruptDataError("zip member '" + e.name + "' lies outside the archive",
                                   {ctx.file, "zip", e.name, e.localHeaderOffset});
        }
        m_entries.push_back(std::move(e));
        p += 46 + nameLen + extraLen + commentLen;
    }

    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (src == nullptr) {
        zip_error_fini(&err);
        throw CorruptDataError("cannot read zip archive", ctx);
    }
    m_zip->archive = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (m_zip->archive == nullptr) {
        const std::string msg = zip_error_strerror(&err);
        zip_source_free(src);
        zip_error_fini(&err);
        throw CorruptDataError("damaged zip archive: " + msg, ctx);
    }
    zip_error_fini(&err);
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
    for (const auto& e : m_entries) {
        if (e.name == name) {
            return &e;
        }
    }
    return nullptr;
}

std::uint64_t ZipArchive::dataOffset(const ZipEntry& entry) const {
    const auto bytes = m_source->view();
    const auto off = entry.localHeaderOffset;
    const Error::Context ctx{m_source->name(), "zip", entry.name, off};
    if (off + 30 > bytes.size() || le(bytes, off, 4) != kLocalSig) {
        throw CorruptDataError("damaged local header of zip member '" + entry.name + "'", ctx);
    }
    const std::uint64_t nameLen = le(bytes, off + 26, 2);
    const std::uint64_t extraLen = le(bytes, off + 28, 2);
    const std::uint64_t start = off + 30 + nameLen + extraLen;
    if (start > bytes.size() || entry.compressedSize > bytes.size() - start) {
        throw CorruptDataError("zip member '" + entry.name + "' runs past the end of the archive",
                               ctx);
    }
    if (nameLen != entry.name.size() ||
        std::memcmp(bytes.data() + off + 30, entry.name.data(), nameLen) != 0) {
        throw CorruptDataError(
            "local header of zip member '" + entry.name + "' disagrees with the directory", ctx);
    }
    return start;
}

std::shared_ptr<const ByteSource> ZipArchive::member(const ZipEntry& entry,
                                                     std::uint64_t maxInflated,
                                                     std::uint64_t crcCheckLimit) const {
    const Error::Context ctx{m_source->name(), "zip", entry.name};
    if (entry.encrypted()) {
        throw UnsupportedError("zip member '" + entry.name + "' is encrypted", ctx);
    }
    const std::string label = entry.name + " in " + m_source->name();
    if (entry.stored()) {
        const auto start = dataOffset(entry);
        if (entry.size != entry.compressedSize) {
            throw CorruptDataError(
                "stored zip member '" + entry.name + "' has different packed and unpacked sizes",
                ctx);
        }
        auto slice = std::make_shared<SliceSource>(m_source, start, entry.size, label);
        if (entry.size <= crcCheckLimit) {
            const auto v = slice->view();
            uLong crc = crc32(0L, Z_NULL, 0);
            std::size_t done = 0;
            while (done < v.size()) {
                const auto n = static_cast<uInt>(std::min<std::size_t>(v.size() - done, 1u << 30));
                crc = crc32(crc, reinterpret_cast<const Bytef*>(v.data() + done), n);
                done += n;
            }
            if (crc != entry.crc) {
                throw CorruptDataError("zip member '" + entry.name + "' fails its CRC check", ctx);
            }
        }
        return slice;
    }
    const Limits& lim = limits();
    const std::uint64_t absolute = std::min(maxInflated, lim.inflatedBytes);
    if (entry.size > absolute) {
        throw LimitError("zip member '" + entry.name + "' claims " + std::to_string(entry.size) +
                             " bytes unpacked",
                         "inflated-bytes", absolute, ctx);
    }
    // A deflate bomb: refused on what the directory claims, before anything is inflated. A
    // member that inflates past its claimed size is refused below, at that size.
    const std::uint64_t packed = std::max<std::uint64_t>(entry.compressedSize, 1);
    if (entry.size > lim.inflateRatioFloor && entry.size / packed >= lim.inflateRatio) {
        throw LimitError("zip member '" + entry.name + "' claims " + std::to_string(entry.size) +
                             " bytes unpacked from " + std::to_string(entry.compressedSize) +
                             " packed (ratio " + std::to_string(entry.size / packed) + ":1)",
                         "inflate-ratio", lim.inflateRatio, ctx);
    }
    (void)dataOffset(entry);
    std::lock_guard lock(m_zip->mutex);
    zip_file_t* f = zip_fopen_index(m_zip->archive, entry.index, 0);
    if (f == nullptr) {
        throw CorruptDataError(
            std::string("cannot open zip member: ") + zip_strerror(m_zip->archive), ctx);
    }
    // Inflated in bounded chunks; the buffer grows with what really arrives, never to the
    // claimed size up front.
    constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
    std::vector<std::byte> out;
    out.reserve(static_cast<std::size_t>(std::min(entry.size, kChunk * 16)));
    std::uint64_t got = 0;
    while (got < entry.size) {
        const std::uint64_t want = std::min(kChunk, entry.size - got);
        out.resize(static_cast<std::size_t>(got + want));
        const zip_int64_t n = zip_fread(f, out.data() + got, want);
        if (n < 0) {
            const std::string msg = zip_file_strerror(f);
            zip_fclose(f);
            throw CorruptDataError("damaged zip member: " + msg, ctx);
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::uint64_t>(n);
    }
    out.resize(static_cast<std::size_t>(got));
    // One more read lets libzip see the end of the stream and check the CRC.
    char probe = 0;
    const zip_int64_t tail = zip_fread(f, &probe, 1);
    const std::string tailMsg = tail < 0 ? zip_file_strerror(f) : "";
    zip_fclose(f);
    if (got != entry.size || tail != 0) {
        throw CorruptDataError(
            "damaged zip member: " + (tail < 0 ? tailMsg : std::string("size mismatch")), ctx);
    }
    return std::make_shared<MemorySource>(std::move(out), label);
}

std::string ZipArchive::readText(const ZipEntry& entry, std::uint64_t maxBytes) const {
    if (entry.size > maxBytes) {
        throw CorruptDataError("zip member '" + entry.name + "' is too large for a text member (" +
                                   std::to_string(entry.size) + " bytes)",
                               {m_source->name(), "zip", entry.name});
    }
    const auto src = member(entry);
    const auto v = src->view();
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}

}  // namespace ckpt::core
