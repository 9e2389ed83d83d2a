#include "core/export/pickle_clean_io.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <functional>

#include "core/export/atomic_file.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

std::vector<std::byte> deflateAll(std::span<const std::byte> data, bool gzip) {
    z_stream z{};
    // joblib: zlib.compressobj(3) for zlib, gzip.GzipFile(compresslevel=3); level 3 by default.
    if (deflateInit2(&z, 3, Z_DEFLATED, gzip ? 15 + 16 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw IoError("cannot start zlib");
    }
    std::vector<std::byte> out(deflateBound(&z, static_cast<uLong>(data.size())) + 64);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const auto n = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        throw IoError("zlib compression failed");
    }
    out.resize(n);
    return out;
}

std::vector<std::byte> lzmaAll(std::span<const std::byte> data, bool xz) {
    lzma_stream s = LZMA_STREAM_INIT;
    lzma_ret rc = LZMA_OK;
    if (xz) {
        rc = lzma_easy_encoder(&s, 3, LZMA_CHECK_CRC64);
    } else {
        lzma_options_lzma opt;
        lzma_lzma_preset(&opt, 3);
        rc = lzma_alone_encoder(&s, &opt);
    }
    if (rc != LZMA_OK) {
        throw IoError("cannot start liblzma");
    }
    std::vector<std::byte> out;
    std::vector<std::uint8_t> buf(1 << 20);
    s.next_in = reinterpret_cast<const std::uint8_t*>(data.data());
    s.avail_in = data.size();
    do {
        s.next_out = buf.data();
        s.avail_out = buf.size();
        rc = lzma_code(&s, LZMA_FINISH);
        const auto* b = reinterpret_cast<const std::byte*>(buf.data());
        out.insert(out.end(), b, b + (buf.size() - s.avail_out));
    } while (rc == LZMA_OK);
    lzma_end(&s);
    if (rc != LZMA_STREAM_END) {
        throw IoError("lzma compression failed");
    }
    return out;
}

std::vector<std::byte> bz2All(std::span<const std::byte> data) {
    bz_stream s{};
    if (BZ2_bzCompressInit(&s, 3, 0, 0) != BZ_OK) {
        throw IoError("cannot start bzip2");
    }
    std::vector<std::byte> out;
    std::vector<char> buf(1 << 20);
    s.next_in = const_cast<char*>(reinterpret_cast<const char*>(data.data()));
    s.avail_in = static_cast<unsigned>(data.size());
    int rc = BZ_FINISH_OK;
    while (rc != BZ_STREAM_END) {
        s.next_out = buf.data();
        s.avail_out = static_cast<unsigned>(buf.size());
        rc = BZ2_bzCompress(&s, BZ_FINISH);
        if (rc != BZ_FINISH_OK && rc != BZ_STREAM_END) {
            BZ2_bzCompressEnd(&s);
            throw IoError("bzip2 compression failed");
        }
        const auto* b = reinterpret_cast<const std::byte*>(buf.data());
        out.insert(out.end(), b, b + (buf.size() - s.avail_out));
    }
    BZ2_bzCompressEnd(&s);
    return out;
}

void put16(std::vector<std::byte>& v, std::uint32_t x) {
    v.push_back(static_cast<std::byte>(x & 0xff));
    v.push_back(static_cast<std::byte>((x >> 8) & 0xff));
}
void put32(std::vector<std::byte>& v, std::uint32_t x) {
    put16(v, x & 0xffff);
    put16(v, x >> 16);
}
void putName(std::vector<std::byte>& v, const std::string& s) {
    const auto* b = reinterpret_cast<const std::byte*>(s.data());
    v.insert(v.end(), b, b + s.size());
}

constexpr std::uint64_t kAlign = 64;
constexpr std::uint64_t kMax32 = 0xffffffffULL;

}  // namespace

std::vector<std::byte> compressLikeJoblib(std::span<const std::byte> data,
                                          const std::string& method) {
    if (data.size() > kMax32 && (method == "zlib" || method == "gzip" || method == "bz2")) {
        throw UnsupportedError("re-compressing more than 4 GiB with " + method +
                               " is not supported");
    }
    if (method == "zlib" || method == "gzip") {
        return deflateAll(data, method == "gzip");
    }
    if (method == "xz" || method == "lzma") {
        return lzmaAll(data, method == "xz");
    }
    if (method == "bz2") {
        return bz2All(data);
    }
    throw UnsupportedError("joblib compression '" + method + "' cannot be written");
}

void writeZipWithReplacement(const ZipArchive& zip, const std::string& replacedName,
                             std::span<const std::byte> replacement, AtomicFile& out,
                             const std::function<void(std::uint64_t)>& onBytes) {
    struct Written {
        std::string name;
        std::uint16_t method;
        std::uint32_t crc;
        std::uint64_t csize, usize, offset;
    };
    std::vector<Written> written;
    const auto& src = *zip.source();
    std::vector<std::byte> chunk(std::size_t{4} << 20);
    for (const auto& e : zip.entries()) {
        const bool replaced = e.name == replacedName;
        Written w{e.name,
                  replaced ? std::uint16_t{0} : e.method,
                  e.crc,
                  replaced ? replacement.size() : e.compressedSize,
                  replaced ? replacement.size() : e.size,
                  out.written()};
        if (replaced) {
            w.crc = static_cast<std::uint32_t>(
                crc32_z(0, reinterpret_cast<const Bytef*>(replacement.data()), replacement.size()));
        }
        if (w.csize > kMax32 || w.usize > kMax32 || w.offset > kMax32) {
            throw UnsupportedError(
                "the cleaned torch archive would need zip64 (over 4 GiB), which is not written "
                "yet");
        }
        std::vector<std::byte> h;
        put32(h, 0x04034b50);
        put16(h, w.method == 0 ? 10 : 20);
        put16(h, 0);
        put16(h, w.method);
        put16(h, 0);
        put16(h, 0x21);  // 1980-01-01, as torch writes
        put32(h, w.crc);
        put32(h, static_cast<std::uint32_t>(w.csize));
        put32(h, static_cast<std::uint32_t>(w.usize));
        put16(h, static_cast<std::uint32_t>(e.name.size()));
        const std::uint64_t natural = w.offset + 30 + e.name.size();
        std::uint64_t pad = 0;
        if (natural % kAlign != 0) {
            pad = (kAlign - (natural + 4) % kAlign) % kAlign;
            put16(h, static_cast<std::uint32_t>(4 + pad));
        } else {
            put16(h, 0);
        }
        putName(h, e.name);
        if (natural % kAlign != 0) {
            put16(h, 0x4246);  // "FB": torch's padding record
            put16(h, static_cast<std::uint32_t>(pad));
            h.insert(h.end(), pad, std::byte{'Z'});
        }
        out.write(h.data(), h.size());
        if (replaced) {
            out.write(replacement.data(), replacement.size());
            onBytes(replacement.size());
        } else {
            const std::uint64_t start = zip.dataOffset(e);
            for (std::uint64_t done = 0; done < e.compressedSize;) {
                const auto n = static_cast<std::size_t>(
                    std::min<std::uint64_t>(chunk.size(), e.compressedSize - done));
                src.read(start + done, std::span<std::byte>(chunk.data(), n));
                out.write(chunk.data(), n);
                onBytes(n);
                done += n;
            }
        }
        written.push_back(std::move(w));
    }
    std::vector<std::byte> cd;
    const std::uint64_t cdOffset = out.written();
    for (const auto& w : written) {
        put32(cd, 0x02014b50);
        put16(cd, 0x031e);
        put16(cd, w.method == 0 ? 10 : 20);
        put16(cd, 0);
        put16(cd, w.method);
        put16(cd, 0);
        put16(cd, 0x21);
        put32(cd, w.crc);
        put32(cd, static_cast<std::uint32_t>(w.csize));
        put32(cd, static_cast<std::uint32_t>(w.usize));
        put16(cd, static_cast<std::uint32_t>(w.name.size()));
        put16(cd, 0);
        put16(cd, 0);
        put16(cd, 0);
        put16(cd, 0);
        put32(cd, 0);
        put32(cd, static_cast<std::uint32_t>(w.offset));
        putName(cd, w.name);
    }
    if (written.size() > 0xffff || cdOffset + cd.size() > kMax32) {
        throw UnsupportedError("the cleaned torch archive would need zip64, which is not written");
    }
    const auto cdSize = static_cast<std::uint32_t>(cd.size());
    put32(cd, 0x06054b50);
    put16(cd, 0);
    put16(cd, 0);
    put16(cd, static_cast<std::uint32_t>(written.size()));
    put16(cd, static_cast<std::uint32_t>(written.size()));
    put32(cd, cdSize);
    put32(cd, static_cast<std::uint32_t>(cdOffset));
    put16(cd, 0);
    out.write(cd.data(), cd.size());
}

}  // namespace ckpt::core
