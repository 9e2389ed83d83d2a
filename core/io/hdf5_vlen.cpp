#include "core/io/hdf5_vlen.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/util/error.h"

// Layouts follow the HDF5 file format specification (version 3.0): object header prefixes
// v1/v2, continuation blocks, the attribute message (versions 1-3), the global heap collection
// and the disk form of a variable-length element (4-byte length, heap collection address,
// 4-byte object index).

namespace ckpt::core {
namespace {

constexpr std::uint16_t kMsgContinuation = 0x10;
constexpr std::uint16_t kMsgAttribute = 0x0C;
constexpr std::size_t kMaxHeaderBlocks = 4096;  // continuation blocks followed per object
constexpr std::size_t kMaxHeapIndex = 65535;
constexpr std::uint64_t kMaxHeaderBlock = std::uint64_t{16} << 20;  // real ones are KiBs

std::uint64_t readLE(const std::byte* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    }
    return v;
}

std::uint64_t round8(std::uint64_t v) {
    return (v + 7) & ~std::uint64_t{7};
}

struct FileLayout {
    std::shared_ptr<const ByteSource> bytes;
    std::uint64_t base = 0;  // where address 0 sits (after a user block)
    std::size_t sizeofAddr = 8;
    std::size_t sizeofSize = 8;
    std::string attr;  // for messages

    [[noreturn]] void fail(const std::string& what, std::uint64_t address) const {
        throw CorruptDataError("variable-length string attribute '" + attr + "': " + what,
                               {{}, "hdf5", {}, address});
    }

    /// `n` bytes at file address `address`, checked against the file size.
    std::vector<std::byte> at(std::uint64_t address, std::uint64_t n) const {
        const std::uint64_t size = bytes->size();
        if (address > size || base > size - address || n > size - base - address) {
            fail("reference to " + std::to_string(n) + " bytes at address " +
                     std::to_string(address) + " lies outside the file (" + std::to_string(size) +
                     " bytes)",
                 address);
        }
        std::vector<std::byte> out(static_cast<std::size_t>(n));
        bytes->read(base + address, out);
        return out;
    }
};

/// One block of header messages: [start, end) in file addresses.
struct Block {
    std::uint64_t start;
    std::uint64_t end;
};

/// Finds the attribute message named `name` in the object header at `address`; returns its
/// bytes, or an empty vector when the header holds no such message (dense storage).
std::vector<std::byte> findAttributeMessage(const FileLayout& f, std::uint64_t address,
                                            const std::string& name) {
    const auto prefix = f.at(address, 16);
    const bool v2 = std::memcmp(prefix.data(), "OHDR", 4) == 0;
    std::vector<Block> blocks;
    std::size_t msgHeader = 8;
    bool orderTracked = false;
    if (v2) {
        const auto flags = static_cast<unsigned>(prefix[5]);
        std::uint64_t pos = 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
        const std::size_t width = std::size_t{1} << (flags & 3);
        const auto sizeField = f.at(address + pos, width);
        const std::uint64_t chunk = readLE(sizeField.data(), width);
        pos += width;
        blocks.push_back({address + pos, address + pos + chunk});
        orderTracked = (flags & 0x04) != 0;
        msgHeader = orderTracked ? 6 : 4;
    } else {
        if (static_cast<unsigned>(prefix[0]) != 1) {
            f.fail("object header of unknown version " +
                       std::to_string(static_cast<unsigned>(prefix[0])),
                   address);
        }
        const std::uint64_t size = readLE(prefix.data() + 8, 4);
        blocks.push_back({address + 16, address + 16 + size});
    }
    std::set<std::uint64_t> seen;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (b >= kMaxHeaderBlocks || !seen.insert(blocks[b].start).second) {
            f.fail("object header continuation blocks loop or exceed " +
                       std::to_string(kMaxHeaderBlocks),
                   blocks[b].start);
        }
        if (blocks[b].end - blocks[b].start > kMaxHeaderBlock) {
            f.fail("object header block of " + std::to_string(blocks[b].end - blocks[b].start) +
                       " bytes",
                   blocks[b].start);
        }
        const auto block = f.at(blocks[b].start, blocks[b].end - blocks[b].start);
        std::size_t pos = 0;
        while (pos + msgHeader <= block.size()) {
            const std::byte* m = block.data() + pos;
            const auto type = static_cast<std::uint16_t>(v2 ? readLE(m, 1) : readLE(m, 2));
            const auto size = static_cast<std::size_t>(v2 ? readLE(m + 1, 2) : readLE(m + 2, 2));
            const std::size_t dataAt = pos + msgHeader;
            if (size > block.size() - dataAt) {
                f.fail("header message runs past its block", blocks[b].start + pos);
            }
            const std::byte* d = block.data() + dataAt;
            // A shared message holds a reference to the message, not the message itself.
            const bool shared = (static_cast<unsigned>(m[v2 ? 3 : 4]) & 0x02) != 0;
            if (type == kMsgContinuation && size >= f.sizeofAddr + f.sizeofSize) {
                std::uint64_t at = readLE(d, f.sizeofAddr);
                std::uint64_t len = readLE(d + f.sizeofAddr, f.sizeofSize);
                if (v2) {  // "OCHK" signature ... checksum
                    if (len < 8) {
                        f.fail("continuation block too short", at);
                    }
                    at += 4;
                    len -= 8;
                }
                if (len > f.bytes->size()) {
                    f.fail("continuation block larger than the file", at);
                }
                blocks.push_back({at, at + len});
            } else if (type == kMsgAttribute && size >= 8 && !shared) {
                const unsigned version = static_cast<unsigned>(d[0]);
                const std::size_t nameSize = readLE(d + 2, 2);
                const std::size_t dtSize = readLE(d + 4, 2);
                const std::size_t dsSize = readLE(d + 6, 2);
                const std::size_t head = version >= 3 ? 9 : 8;
                const bool pad = version == 1;
                const std::size_t nameLen = pad ? round8(nameSize) : nameSize;
                if (head + nameLen <= size && nameSize > 0) {
                    const char* n = reinterpret_cast<const char*>(d + head);
                    const std::string found(n, strnlen(n, nameSize));
                    if (found == name) {
                        const std::size_t dataOff = head + nameLen +
                                                    (pad ? round8(dtSize) : dtSize) +
                                                    (pad ? round8(dsSize) : dsSize);
                        if (dataOff > size) {
                            f.fail("attribute message shorter than its fields", address);
                        }
                        return std::vector<std::byte>(d + dataOff, d + size);
                    }
                }
            }
            pos = dataAt + size;
        }
    }
    return {};
}

/// One parsed global heap collection: object index -> (file address of the data, size).
using Collection = std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>>;

Collection parseCollection(const FileLayout& f, std::uint64_t address) {
    const auto head = f.at(address, 8 + f.sizeofSize);
    if (std::memcmp(head.data(), "GCOL", 4) != 0) {
        f.fail("reference to address " + std::to_string(address) +
                   ", which holds no global heap collection",
               address);
    }
    const std::uint64_t size = readLE(head.data() + 8, f.sizeofSize);
    if (size > f.bytes->size() || address + size > f.bytes->size()) {
        f.fail("global heap collection of " + std::to_string(size) + " bytes runs past the file",
               address);
    }
    Collection out;
    const std::uint64_t objHeader = 8 + f.sizeofSize;
    std::uint64_t pos = 8 + f.sizeofSize;
    while (pos + objHeader <= size) {
        const auto h = f.at(address + pos, objHeader);
        const std::uint64_t index = readLE(h.data(), 2);
        const std::uint64_t objSize = readLE(h.data() + 8, f.sizeofSize);
        if (index == 0) {
            break;  // free space: the rest of the collection
        }
        if (objSize > size - pos - objHeader) {
            f.fail("global heap object " + std::to_string(index) + " claims " +
                       std::to_string(objSize) + " bytes, more than its collection holds",
                   address + pos);
        }
        out[index] = {address + pos + objHeader, objSize};
        pos += objHeader + round8(objSize);
        if (out.size() > kMaxHeapIndex) {
            break;
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> readVlenStringsFromFile(hid_t obj, const std::string& name, hsize_t n) {
    Hdf5Lock lock(hdf5Mutex());
    FileLayout f;
    f.attr = name;
    f.bytes = hdf5SourceOf(obj);
    if (!f.bytes) {
        throw UnsupportedError("variable-length string attribute '" + name +
                               "' of an HDF5 file not opened by this program");
    }
    {
        const hid_t file = h5check(H5Iget_file_id(obj), "file of attribute");
        H5Id fileId(file);
        H5Id fcpl(h5check(H5Fget_create_plist(file), "file creation properties"));
        std::size_t sa = 0;
        std::size_t ss = 0;
        h5checkStatus(H5Pget_sizes(fcpl.get(), &sa, &ss), "file address sizes");
        hsize_t userblock = 0;
        h5checkStatus(H5Pget_userblock(fcpl.get(), &userblock), "file user block");
        if ((sa != 2 && sa != 4 && sa != 8) || (ss != 2 && ss != 4 && ss != 8)) {
            f.fail("unsupported address size " + std::to_string(sa), 0);
        }
        f.sizeofAddr = sa;
        f.sizeofSize = ss;
        f.base = userblock;
    }
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info{};
    h5checkStatus(H5Oget_info3(obj, &info, H5O_INFO_BASIC), "object of attribute");
    std::uint64_t address = 0;
    std::memcpy(&address, &info.token, sizeof address);
#else
    H5O_info_t info{};
    h5checkStatus(H5Oget_info2(obj, &info, H5O_INFO_BASIC), "object of attribute");
    const std::uint64_t address = info.addr;
#endif
    const auto data = findAttributeMessage(f, address, name);
    if (data.empty()) {
        throw UnsupportedError("variable-length string attribute '" + name +
                               "' is kept in dense attribute storage, which this reader does "
                               "not read");
    }
    const std::size_t element = 4 + f.sizeofAddr + 4;
    if (n > data.size() / element) {
        f.fail("claims " + std::to_string(n) + " elements but its message holds " +
                   std::to_string(data.size() / element),
               address);
    }
    std::map<std::uint64_t, Collection> collections;
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(n));
    std::uint64_t total = 0;
    for (hsize_t i = 0; i < n; ++i) {
        const std::byte* e = data.data() + i * element;
        const std::uint64_t length = readLE(e, 4);
        const std::uint64_t heap = readLE(e + 4, f.sizeofAddr);
        const std::uint64_t index = readLE(e + 4 + f.sizeofAddr, 4);
        if (length == 0) {
            out.emplace_back();
            continue;
        }
        auto it = collections.find(heap);
        if (it == collections.end()) {
            it = collections.emplace(heap, parseCollection(f, heap)).first;
        }
        const auto obj2 = it->second.find(index);
        if (obj2 == it->second.end()) {
            f.fail("element " + std::to_string(i) + " refers to heap object " +
                       std::to_string(index) + ", which its collection does not hold",
                   heap);
        }
        if (obj2->second.second < length) {
            f.fail("element " + std::to_string(i) + " claims " + std::to_string(length) +
                       " bytes but its heap object holds " + std::to_string(obj2->second.second),
                   obj2->second.first);
        }
        total += length;
        if (total > f.bytes->size()) {
            f.fail("strings total more bytes than the file holds", address);
        }
        const auto bytes = f.at(obj2->second.first, length);
        const auto* chars = reinterpret_cast<const char*>(bytes.data());
        out.emplace_back(chars, strnlen(chars, bytes.size()));
    }
    return out;
}

}  // namespace ckpt::core
