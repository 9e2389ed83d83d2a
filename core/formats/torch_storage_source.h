#pragma once
/// A compressed torch storage member of a zip, inflated on first read (never at open) and
/// refused above a size limit, so that a zip bomb cannot take the memory.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"

namespace ckpt::core {

/// The bytes of one deflated zip member. size() is the directory's uncompressed size; the first
/// read() inflates the member (at most `maxInflated` bytes, else UnsupportedError) and keeps it.
class LazyZipMemberSource final : public ByteSource {
public:
    LazyZipMemberSource(std::shared_ptr<const ZipArchive> zip, ZipEntry entry,
                        std::uint64_t maxInflated);

    [[nodiscard]] std::uint64_t size() const override { return m_entry.size; }
    [[nodiscard]] std::span<const std::byte> view() const override { return {}; }
    void read(std::uint64_t offset, std::span<std::byte> out) const override;
    [[nodiscard]] std::string name() const override { return m_entry.name; }

private:
    std::shared_ptr<const ZipArchive> m_zip;
    ZipEntry m_entry;
    std::uint64_t m_maxInflated;
    mutable std::once_flag m_once;
    mutable std::shared_ptr<const ByteSource> m_inflated;
};

}  // namespace ckpt::core
