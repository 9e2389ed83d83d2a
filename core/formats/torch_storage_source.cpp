#include "core/formats/torch_storage_source.h"

#include "core/util/error.h"

namespace ckpt::core {

LazyZipMemberSource::LazyZipMemberSource(std::shared_ptr<const ZipArchive> zip, ZipEntry entry,
                                         std::uint64_t maxInflated)
    : m_zip(std::move(zip)), m_entry(std::move(entry)), m_maxInflated(maxInflated) {}

void LazyZipMemberSource::read(std::uint64_t offset, std::span<std::byte> out) const {
    if (m_entry.size > m_maxInflated) {
        throw UnsupportedError("storage member '" + m_entry.name + "' is compressed and claims " +
                               std::to_string(m_entry.size) + " bytes, above the limit of " +
                               std::to_string(m_maxInflated) + " bytes for inflating in memory");
    }
    std::call_once(m_once, [this] { m_inflated = m_zip->member(m_entry, m_maxInflated); });
    m_inflated->read(offset, out);
}

}  // namespace ckpt::core
