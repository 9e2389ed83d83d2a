#pragma once
/// Read-only zip archives (.keras, PyTorch, .npz): the directory, members read in place when
/// stored, inflated with libzip when compressed. Nothing is extracted to disk.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ckpt::core {

class ByteSource;

struct ZipEntry {
    std::string name;
    std::uint64_t compressedSize = 0;
    std::uint64_t size = 0;
    std::uint16_t method = 0;  ///< 0 stored, 8 deflate, ...
    std::uint32_t crc = 0;
    std::uint16_t flags = 0;
    std::uint64_t localHeaderOffset = 0;
    std::uint64_t index = 0;  ///< position in the central directory
    [[nodiscard]] bool stored() const { return method == 0; }
    [[nodiscard]] bool encrypted() const { return (flags & 1u) != 0; }
};

class ZipArchive {
public:
    /// Reads the central directory (zip64 included) of `source`; throws FormatError when it is
    /// not a zip and CorruptDataError when its directory is damaged.
    static std::shared_ptr<ZipArchive> open(std::shared_ptr<const ByteSource> source);
    ~ZipArchive();
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    [[nodiscard]] const std::vector<ZipEntry>& entries() const { return m_entries; }
    /// The entry called `name`, or null.
    [[nodiscard]] const ZipEntry* find(std::string_view name) const;
    [[nodiscard]] const std::shared_ptr<const ByteSource>& source() const { return m_source; }

    /// Where the member's data starts inside the archive (after its local header). Throws
    /// CorruptDataError when the local header is damaged or disagrees with the directory.
    [[nodiscard]] std::uint64_t dataOffset(const ZipEntry& entry) const;

    /// The member's bytes: a window onto the archive for stored members (CRC checked up to
    /// `crcCheckLimit` bytes), else inflated into memory, refusing more than `maxInflated`
    /// bytes. Throws CorruptDataError on CRC mismatch or damaged data.
    [[nodiscard]] std::shared_ptr<const ByteSource> member(
        const ZipEntry& entry, std::uint64_t maxInflated = std::uint64_t{4} << 30,
        std::uint64_t crcCheckLimit = std::uint64_t{256} << 20) const;

    /// A small member as text (config.json, metadata.json); refuses members above `maxBytes`.
    [[nodiscard]] std::string readText(const ZipEntry& entry,
                                       std::uint64_t maxBytes = std::uint64_t{64} << 20) const;

private:
    explicit ZipArchive(std::shared_ptr<const ByteSource> source);
    void readDirectory();

    std::shared_ptr<const ByteSource> m_source;
    std::vector<ZipEntry> m_entries;
    struct LibZip;
    std::unique_ptr<LibZip> m_zip;
};

}  // namespace ckpt::core
