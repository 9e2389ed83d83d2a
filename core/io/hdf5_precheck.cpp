#include "core/io/hdf5_precheck.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "core/util/error.h"

namespace ckpt::core {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
constexpr std::uint16_t kAttribute = 0x000C;
constexpr std::uint16_t kContinuation = 0x0010;
constexpr std::size_t kMaxChunks = 4096;

/// Little-endian unsigned of `n` bytes at `at`, or nothing past the end.
std::optional<std::uint64_t> readLe(std::span<const std::byte> b, std::uint64_t at, unsigned n) {
    if (n > 8 || at > b.size() || n > b.size() - at) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
        v |= static_cast<std::uint64_t>(std::to_integer<unsigned char>(b[at + i])) << (8 * i);
    }
    return v;
}

struct Root {
    std::uint64_t base = 0;    ///< where addresses count from (the superblock's offset)
    std::uint64_t header = 0;  ///< the root group's object header, relative to base
    unsigned offsets = 8;      ///< size of file addresses
    unsigned lengths = 8;      ///< size of file lengths
};

std::optional<Root> findRoot(std::span<const std::byte> b) {
    for (std::uint64_t at = 0; at + 8 <= b.size(); at = at == 0 ? 512 : at * 2) {
        if (std::memcmp(b.data() + at, kSignature, 8) != 0) {
            continue;
        }
        const auto version = readLe(b, at + 8, 1);
        if (!version) {
            return std::nullopt;
        }
        Root r;
        r.base = at;
        if (*version <= 1) {
            const auto so = readLe(b, at + 13, 1);
            const auto sl = readLe(b, at + 14, 1);
            if (!so || !sl || (*so != 4 && *so != 8) || (*sl != 4 && *sl != 8)) {
                return std::nullopt;
            }
            r.offsets = static_cast<unsigned>(*so);
            r.lengths = static_cast<unsigned>(*sl);
            // 24 bytes of fields (28 in version 1), four addresses, then the root group's symbol
            // table entry: its link name offset, then its object header address.
            const std::uint64_t entry = at + (*version == 0 ? 24 : 28) + 4 * r.offsets;
            const auto header = readLe(b, entry + r.offsets, r.offsets);
            if (!header) {
                return std::nullopt;
            }
            r.header = *header;
        } else {
            const auto so = readLe(b, at + 9, 1);
            const auto sl = readLe(b, at + 10, 1);
            if (!so || !sl || (*so != 4 && *so != 8) || (*sl != 4 && *sl != 8)) {
                return std::nullopt;
            }
            r.offsets = static_cast<unsigned>(*so);
            r.lengths = static_cast<unsigned>(*sl);
            // signature, 4 bytes, base, extension, end-of-file addresses, then the root header.
            const auto header = readLe(b, at + 12 + 3 * r.offsets, r.offsets);
            if (!header) {
                return std::nullopt;
            }
            r.header = *header;
        }
        return r;
    }
    return std::nullopt;
}

std::uint64_t pad8(std::uint64_t n) {
    return (n + 7) & ~std::uint64_t{7};
}

/// The bytes an attribute message's name, datatype and dataspace take, by its version (1: each
/// padded to 8 bytes after an 8-byte prefix; 2: no padding; 3: one more prefix byte).
std::optional<std::uint64_t> attributeFieldBytes(std::span<const std::byte> b, std::uint64_t at) {
    const auto version = readLe(b, at, 1);
    const auto nameSize = readLe(b, at + 2, 2);
    const auto typeSize = readLe(b, at + 4, 2);
    const auto spaceSize = readLe(b, at + 6, 2);
    if (!version || !nameSize || !typeSize || !spaceSize) {
        return std::nullopt;
    }
    if (*version == 1) {
        return 8 + pad8(*nameSize) + pad8(*typeSize) + pad8(*spaceSize);
    }
    return (*version == 3 ? 9 : 8) + *nameSize + *typeSize + *spaceSize;
}

[[noreturn]] void fail(const std::string& name, std::uint64_t at, const std::string& what) {
    throw CorruptDataError("the root group's object header is damaged (" + what +
                               "); it is not handed to the HDF5 library, which can crash on it",
                           {name, "hdf5", "/", at});
}

}  // namespace

void precheckHdf5(std::span<const std::byte> b, const std::string& name) {
    const auto root = findRoot(b);
    if (!root) {
        return;
    }
    const std::uint64_t start = root->base + root->header;
    if (root->header > b.size() || start + 16 > b.size()) {
        return;  // libhdf5 reports an address past the end itself
    }
    if (std::memcmp(b.data() + start, "OHDR", 4) == 0 || readLe(b, start, 1) != 1u) {
        return;  // version 2 (checksummed) or not an object header: left to libhdf5
    }
    const auto firstSize = readLe(b, start + 8, 4);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks{{start + 16, *firstSize}};
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        if (chunks.size() > kMaxChunks) {
            fail(name, start, "more than " + std::to_string(kMaxChunks) + " continuation chunks");
        }
        const auto [at, size] = chunks[c];
        if (at > b.size() || size > b.size() - at) {
            fail(name, at,
                 "a chunk of " + std::to_string(size) + " bytes at offset " + std::to_string(at) +
                     " runs past the end of the file");
        }
        std::uint64_t p = at;
        const std::uint64_t end = at + size;
        while (p + 8 <= end) {
            const auto type = readLe(b, p, 2);
            const auto length = readLe(b, p + 2, 2);
            if (*length > end - (p + 8)) {
                fail(name, p,
                     "a message of " + std::to_string(*length) + " bytes at offset " +
                         std::to_string(p) + " runs past its chunk, which ends at " +
                         std::to_string(end));
            }
            if (*type == kAttribute && (readLe(b, p + 4, 1).value_or(0) & 0x02) == 0) {
                // Not shared: the name, datatype and dataspace must fit in the message.
                const auto fields = attributeFieldBytes(b, p + 8);
                if (!fields || *fields > *length) {
                    fail(name, p,
                         "an attribute message at offset " + std::to_string(p) + " of " +
                             std::to_string(*length) + " bytes whose parts need " +
                             (fields ? std::to_string(*fields) : std::string("more")));
                }
            }
            if (*type == kContinuation) {
                const auto where = readLe(b, p + 8, root->offsets);
                const auto length2 = readLe(b, p + 8 + root->offsets, root->lengths);
                if (*length < root->offsets + root->lengths || !where || !length2) {
                    fail(name, p, "a continuation message too short to name its chunk");
                }
                const std::uint64_t next = root->base + *where;
                for (const auto& seen : chunks) {
                    if (seen.first == next) {
                        fail(name, p, "continuation chunks that lead back to an earlier one");
                    }
                }
                chunks.emplace_back(next, *length2);
            }
            p += 8 + *length;
        }
    }
}

}  // namespace ckpt::core
