#include "core/pyobj/nested_archives.h"

#include <cstring>

#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

namespace ckpt::core::pyobj {

namespace {

constexpr std::size_t kMaxTarMembers = 100'000;

std::uint64_t octal(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
        v = v * 8 + static_cast<std::uint64_t>(p[i] - '0');
    }
    return v;
}

std::string field(const char* p, std::size_t n) {
    return std::string(p, strnlen(p, n));
}

void listTar(const ByteSource& src, ArchiveEntry& entry) {
    std::uint64_t pos = 0;
    char h[512];
    while (pos + 512 <= src.size()) {
        src.read(pos, std::as_writable_bytes(std::span<char>(h, 512)));
        if (h[0] == '\0') {
            break;  // end-of-archive blocks
        }
        if (std::memcmp(h + 257, "ustar", 5) != 0) {
            entry.error = "damaged tar header at offset " + std::to_string(pos);
            return;
        }
        const std::uint64_t size = octal(h + 124, 12);
        std::string name = field(h + 0, 100);
        const std::string prefix = field(h + 345, 155);
        if (!prefix.empty()) {
            name = prefix + "/" + name;
        }
        const char type = h[156];
        if (type == '0' || type == '\0') {
            if (entry.tarMembers.size() >= kMaxTarMembers) {
                entry.error = "more than " + std::to_string(kMaxTarMembers) + " members";
                return;
            }
            entry.tarMembers.emplace_back(name, size);
        }
        const std::uint64_t blocks = (size + 511) / 512;
        if (blocks > (src.size() - pos) / 512) {
            entry.error = "member " + name + " runs past the end of the tar";
            return;
        }
        pos += 512 + blocks * 512;
    }
}

}  // namespace

std::string nestedFileKind(std::span<const std::byte> head, std::uint64_t size) {
    const auto* b = reinterpret_cast<const char*>(head.data());
    if (head.size() >= 4 && size >= 22 && std::memcmp(b, "PK\x03\x04", 4) == 0) {
        return "zip";
    }
    if (head.size() >= 262 && size >= 512 && std::memcmp(b + 257, "ustar", 5) == 0) {
        return "tar";
    }
    return {};
}

ArchiveEntry openNestedArchive(std::shared_ptr<const ByteSource> bytes, const std::string& kind,
                               const std::string& name, const OpenNestedFn& open) {
    ArchiveEntry entry;
    entry.name = name;
    entry.size = bytes->size();
    try {
        if (kind == "tar") {
            entry.format = "tar";
            listTar(*bytes, entry);
        } else if (!open) {
            entry.error = "files inside the data are not opened here";
        } else {
            entry.checkpoint = open(bytes, name);
            entry.format = entry.checkpoint->format();
        }
    } catch (const std::exception& e) {
        entry.error = e.what();
    }
    return entry;
}

}  // namespace ckpt::core::pyobj
