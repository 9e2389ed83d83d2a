#include "app/cli/scan_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "app/cli/scan_walk.h"
#include "core/model/json_dump.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace ckpt::cli {
namespace {

bool isSha256(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::optional<core::Json> readJson(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    core::Json j = core::Json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return std::nullopt;  // a torn or foreign entry is a miss, never an error
    }
    return j;
}

/// Writes `j` to a temporary beside `file`, then renames it into place: a reader sees the old
/// entry or the new one, never half of one.
bool writeJsonAtomically(const fs::path& file, const core::Json& j) {
    static std::atomic<unsigned long long> counter{0};
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    const fs::path tmp = file.string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                         std::to_string(counter.fetch_add(1));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << core::dumpJson(j);
        if (!out.flush()) {
            fs::remove(tmp, ec);
            return false;
        }
    }
    fs::rename(tmp, file, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return false;
    }
    return true;
}

/// The key of a path in the index: absolute, so that scans from other folders share it.
std::string absolutePath(const std::string& path) {
    std::error_code ec;
    const fs::path abs = fs::absolute(path, ec);
    return (ec ? fs::path(path) : abs).lexically_normal().string();
}

}  // namespace

std::optional<FileStamp> stampOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;
    }
    FileStamp s;
    s.size = static_cast<std::uint64_t>(st.st_size);
    s.mtimeNs = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    s.ctimeNs = static_cast<std::uint64_t>(st.st_ctim.tv_sec) * 1'000'000'000ull +
                static_cast<std::uint64_t>(st.st_ctim.tv_nsec);
    s.inode = static_cast<std::uint64_t>(st.st_ino);
    s.device = static_cast<std::uint64_t>(st.st_dev);
    return s;
}

ScanCache::ScanCache(fs::path dir, std::string configKey)
    : m_dir(std::move(dir)), m_configKey(std::move(configKey)) {
    std::error_code ec;
    fs::create_directories(m_dir / "paths", ec);
    if (!ec) {
        fs::create_directories(m_dir / "results" / m_configKey, ec);
    }
    if (ec || !fs::is_directory(m_dir)) {
        throw core::IoError("cannot use cache folder " + m_dir.string() + ": " + ec.message(),
                            {m_dir.string(), "cache", {}, {}});
    }
}

fs::path ScanCache::indexFile(const std::string& absolutePath) const {
    const std::string h = stableHashHex(absolutePath);
    return m_dir / "paths" / h.substr(0, 2) / (h + ".json");
}

fs::path ScanCache::resultFile(const std::string& sha) const {
    return m_dir / "results" / m_configKey / sha.substr(0, 2) / (sha + ".json");
}

std::optional<std::string> ScanCache::knownSha(const std::string& path,
                                               const FileStamp& stamp) const {
    const std::string abs = absolutePath(path);
    const auto j = readJson(indexFile(abs));
    if (!j) {
        return std::nullopt;
    }
    const auto u64 = [&](const char* key) {
        return j->contains(key) && (*j)[key].is_number_unsigned() ? (*j)[key].get<std::uint64_t>()
                                                                  : ~0ull;
    };
    const FileStamp stored{u64("size"), u64("mtime_ns"), u64("ctime_ns"), u64("inode"),
                           u64("device")};
    const auto sha = j->value("sha256", std::string());
    // The index file is named by a hash of the path: the path inside settles a collision.
    if (j->value("path", std::string()) != abs || !(stored == stamp) || !isSha256(sha)) {
        return std::nullopt;
    }
    return sha;
}

bool ScanCache::rememberSha(const std::string& path, const FileStamp& stamp,
                            const std::string& sha) const {
    const std::string abs = absolutePath(path);
    return writeJsonAtomically(indexFile(abs), {{"path", abs},
                                                {"size", stamp.size},
                                                {"mtime_ns", stamp.mtimeNs},
                                                {"ctime_ns", stamp.ctimeNs},
                                                {"inode", stamp.inode},
                                                {"device", stamp.device},
                                                {"sha256", sha}});
}

std::optional<core::Json> ScanCache::result(const std::string& sha) const {
    if (!isSha256(sha)) {
        return std::nullopt;
    }
    auto j = readJson(resultFile(sha));
    if (!j || j->value("sha256", std::string()) != sha) {
        return std::nullopt;
    }
    return j;
}

bool ScanCache::storeResult(const std::string& sha, const core::Json& result) const {
    return isSha256(sha) && writeJsonAtomically(resultFile(sha), result);
}

}  // namespace ckpt::cli
