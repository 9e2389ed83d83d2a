#include "core/formats/joblib_decompress.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {

namespace {

constexpr std::size_t kChunk = 1U << 20;

/// Appends decoded chunks and stops at the limit.
class Sink {
public:
    Sink(std::uint64_t limit, bool throwAtLimit, std::function<void()> onLimit = {})
        : m_limit(limit), m_throw(throwAtLimit), m_onLimit(std::move(onLimit)) {}
    /// Room for the next chunk; null when the limit is reached.
    std::byte* room(std::size_t& n) {
        if (m_out.size() >= m_limit) {
            if (m_throw && m_onLimit) {
                m_onLimit();
            }
            if (m_throw) {
                throw UnsupportedError("the compressed data expands to more than " +
                                       std::to_string(m_limit) + " bytes (the limit)");
            }
            return nullptr;
        }
        n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, m_limit - m_out.size()));
        const auto old = m_out.size();
        m_out.resize(old + n);
        return m_out.data() + old;
    }
    /// Gives back the `left` bytes of the last room() that the decoder did not fill.
    void used(std::size_t left) { m_out.resize(m_out.size() - std::min(left, m_out.size())); }
    std::vector<std::byte>& bytes() { return m_out; }
    [[nodiscard]] bool full() const { return m_out.size() >= m_limit; }

private:
    std::vector<std::byte> m_out;
    std::uint64_t m_limit;
    bool m_throw;
    std::function<void()> m_onLimit;  ///< throws the error for the limit reached
};

/// Runs `end` when the scope ends, however it ends (the sink throws at its limit).
template <typename F>
class Finally {
public:
    explicit Finally(F f) : m_f(std::move(f)) {}
    ~Finally() { m_f(); }
    Finally(const Finally&) = delete;
    Finally& operator=(const Finally&) = delete;

private:
    F m_f;
};

void inflateZlib(std::span<const std::byte> in, bool gzip, Sink& sink) {
    z_stream z{};
    if (inflateInit2(&z, gzip ? 15 + 16 : 15) != Z_OK) {
        throw CorruptDataError("cannot start zlib");
    }
    const Finally end([&z] { inflateEnd(&z); });
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
    std::size_t consumed = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        std::size_t n = 0;
        std::byte* out = sink.room(n);
        if (out == nullptr) {
            break;
        }
        z.next_out = reinterpret_cast<Bytef*>(out);
        z.avail_out = static_cast<uInt>(n);
        rc = inflate(&z, Z_NO_FLUSH);
        sink.used(z.avail_out);
        if (z.avail_in == 0 && consumed + UINT32_MAX < in.size()) {
            consumed += UINT32_MAX;
            z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size() - consumed, UINT32_MAX));
        }
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            throw CorruptDataError(std::string("damaged ") + (gzip ? "gzip" : "zlib") +
                                   " data: " + (z.msg ? z.msg : "inflate failed"));
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            throw CorruptDataError(std::string("the ") + (gzip ? "gzip" : "zlib") +
                                   " stream ends early (truncated file?)");
        }
    }
}

void inflateBz2(std::span<const std::byte> in, Sink& sink) {
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
        throw CorruptDataError("cannot start bz2");
    }
    const Finally end([&s] { BZ2_bzDecompressEnd(&s); });
    s.next_in = reinterpret_cast<char*>(const_cast<std::byte*>(in.data()));
    s.avail_in = static_cast<unsigned>(std::min<std::size_t>(in.size(), UINT32_MAX));
    int rc = BZ_OK;
    while (rc != BZ_STREAM_END) {
        std::size_t n = 0;
        std::byte* out = sink.room(n);
        if (out == nullptr) {
            break;
        }
        s.next_out = reinterpret_cast<char*>(out);
        s.avail_out = static_cast<unsigned>(n);
        rc = BZ2_bzDecompress(&s);
        sink.used(s.avail_out);
        if (rc != BZ_OK && rc != BZ_STREAM_END) {
            throw CorruptDataError("damaged bz2 data (error " + std::to_string(rc) + ")");
        }
        if (rc == BZ_OK && s.avail_in == 0 && s.avail_out != 0) {
            throw CorruptDataError("the bz2 stream ends early (truncated file?)");
        }
    }
}

/// Decoder memory for xz/lzma streams. The header names the dictionary size and liblzma
/// allocates it: a 56-byte file asked for 1.3 GiB (found by fuzzing). xz's largest preset (-9e)
/// needs 65 MiB to decode.
constexpr std::uint64_t kXzMemLimit = 128ull << 20;

void inflateXz(std::span<const std::byte> in, bool alone, Sink& sink) {
    lzma_stream s = LZMA_STREAM_INIT;
    const lzma_ret init = alone ? lzma_alone_decoder(&s, kXzMemLimit)
                                : lzma_stream_decoder(&s, kXzMemLimit, LZMA_CONCATENATED);
    if (init != LZMA_OK) {
        throw CorruptDataError("cannot start lzma");
    }
    const Finally end([&s] { lzma_end(&s); });
    s.next_in = reinterpret_cast<const uint8_t*>(in.data());
    s.avail_in = in.size();
    lzma_ret rc = LZMA_OK;
    while (rc != LZMA_STREAM_END) {
        std::size_t n = 0;
        std::byte* out = sink.room(n);
        if (out == nullptr) {
            break;
        }
        s.next_out = reinterpret_cast<uint8_t*>(out);
        s.avail_out = n;
        rc = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
        sink.used(s.avail_out);
        if (rc == LZMA_BUF_ERROR) {
            throw CorruptDataError(std::string("the ") + (alone ? "lzma" : "xz") +
                                   " stream ends early (truncated file?)");
        }
        if (rc == LZMA_MEMLIMIT_ERROR) {
            throw UnsupportedError(std::string("the ") + (alone ? "lzma" : "xz") +
                                   " stream needs more than " + std::to_string(kXzMemLimit >> 20) +
                                   " MiB of decoder memory (its dictionary size)");
        }
        if (rc != LZMA_OK && rc != LZMA_STREAM_END) {
            throw CorruptDataError(std::string("damaged ") + (alone ? "lzma" : "xz") +
                                   " data (error " + std::to_string(static_cast<int>(rc)) + ")");
        }
    }
}

void run(std::span<const std::byte> in, const std::string& method, Sink& sink) {
    if (method == "zlib" || method == "gzip") {
        inflateZlib(in, method == "gzip", sink);
    } else if (method == "bz2") {
        inflateBz2(in, sink);
    } else if (method == "xz" || method == "lzma") {
        inflateXz(in, method == "lzma", sink);
    } else {
        throw UnsupportedError(method + "-compressed joblib files are not supported (no " + method +
                               " library in this build)");
    }
}

std::vector<std::byte> allBytes(const ByteSource& source) {
    std::vector<std::byte> copy(static_cast<std::size_t>(source.size()));
    source.read(0, copy);
    return copy;
}

}  // namespace

std::string joblibCompression(std::span<const std::byte> head) {
    const auto at = [&](std::size_t i) {
        return i < head.size() ? std::to_integer<unsigned>(head[i]) : 0x100U;
    };
    if (at(0) == 0x78 && at(1) <= 0xFF && ((at(0) << 8) | at(1)) % 31 == 0) {
        return "zlib";
    }
    if (at(0) == 0x1f && at(1) == 0x8b) {
        return "gzip";
    }
    if (at(0) == 'B' && at(1) == 'Z' && at(2) == 'h') {
        return "bz2";
    }
    if (at(0) == 0xfd && at(1) == '7' && at(2) == 'z' && at(3) == 'X' && at(4) == 'Z') {
        return "xz";
    }
    if (at(0) == 0x5d && at(1) == 0x00 && at(2) == 0x00) {
        return "lzma";
    }
    if (at(0) == 0x04 && at(1) == 0x22 && at(2) == 0x4d && at(3) == 0x18) {
        return "lz4";
    }
    return {};
}

std::shared_ptr<const ByteSource> decompressJoblib(const ByteSource& source,
                                                   const std::string& method,
                                                   std::uint64_t maxBytes) {
    std::vector<std::byte> copy;
    auto in = source.view();
    if (in.empty() && source.size() > 0) {
        copy = allBytes(source);
        in = copy;
    }
    // Bounded in absolute terms and as a ratio to the compressed size (a bomb is refused after
    // at most ratio x its size, however much it claims to hold).
    const Limits& lim = limits();
    const std::uint64_t absolute = std::min(maxBytes, lim.inflatedBytes);
    const std::uint64_t packed = std::max<std::uint64_t>(in.size(), 1);
    const std::uint64_t byRatio = packed > UINT64_MAX / lim.inflateRatio
                                      ? UINT64_MAX
                                      : std::max(lim.inflateRatioFloor, packed * lim.inflateRatio);
    const bool ratio = byRatio < absolute;
    Sink sink(std::min(absolute, byRatio), true, [&] {
        throw LimitError("the " + method + " stream of " + std::to_string(in.size()) +
                             " bytes expands to more than " +
                             std::to_string(std::min(absolute, byRatio)) + " bytes",
                         ratio ? "inflate-ratio" : "inflated-bytes",
                         ratio ? lim.inflateRatio : absolute, {source.name(), method});
    });
    run(in, method, sink);
    return std::make_shared<MemorySource>(std::move(sink.bytes()),
                                          source.name() + " (" + method + "-decompressed)");
}

std::string decompressPrefix(const ByteSource& source, const std::string& method,
                             std::size_t maxBytes) {
    Sink sink(maxBytes, false);
    try {
        const auto view = source.view();
        run(view.subspan(0, std::min<std::size_t>(view.size(), 1U << 16)), method, sink);
    } catch (const std::exception&) {
        // A prefix of the input ends early; what was decoded is still the start.
    }
    return {reinterpret_cast<const char*>(sink.bytes().data()), sink.bytes().size()};
}

}  // namespace ckpt::core
