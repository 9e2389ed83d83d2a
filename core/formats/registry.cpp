#include "core/formats/registry.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/io/byte_source.h"
#include "core/util/error.h"

namespace ckpt::core {

ProbeContext::ProbeContext(std::shared_ptr<const ByteSource> source, std::string displayName)
    : m_source(std::move(source)), m_displayName(std::move(displayName)) {}

ProbeContext::~ProbeContext() = default;

std::string ProbeContext::lowerFileName() const {
    std::string name = std::filesystem::path(m_displayName).filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

std::span<const std::byte> ProbeContext::head() const {
    const auto v = m_source->view();
    return v.subspan(0, std::min<std::size_t>(v.size(), 4096));
}

bool ProbeContext::hasHdf5Signature() const {
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    const auto v = m_source->view();
    // The superblock sits at 0 or at a power-of-two user-block boundary from 512 on.
    for (std::uint64_t off = 0; off + 8 <= v.size(); off = off == 0 ? 512 : off * 2) {
        if (std::memcmp(v.data() + off, sig, 8) == 0) {
            return true;
        }
    }
    return false;
}

bool ProbeContext::hasZipSignature() const {
    const auto h = head();
    return h.size() >= 4 && h[0] == std::byte{'P'} && h[1] == std::byte{'K'} &&
           ((h[2] == std::byte{3} && h[3] == std::byte{4}) ||
            (h[2] == std::byte{5} && h[3] == std::byte{6}));
}

}  // namespace ckpt::core
