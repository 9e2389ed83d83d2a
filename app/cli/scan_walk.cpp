#include "app/cli/scan_walk.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace ckpt::cli {
namespace {

/// True when `inner` (canonical) lies below `root` (canonical).
bool isInside(const fs::path& inner, const fs::path& root) {
    const fs::path rel = inner.lexically_relative(root);
    return !rel.empty() && rel != "." && *rel.begin() != "..";
}

/// Lists one folder's entries into `result` and queues its sub-folders on `pending`.
void listFolder(const fs::path& shown, const fs::path& rel, const fs::path& canonicalRoot,
                bool recursive, std::vector<std::pair<fs::path, fs::path>>& pending,
                WalkResult& result) {
    std::error_code ec;
    fs::directory_iterator it(shown, fs::directory_options::none, ec);
    if (ec) {
        result.skipped.push_back({shown.string(), "a folder that cannot be read: " + ec.message()});
        return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path child = shown / it->path().filename();
        const fs::path childRel = rel / it->path().filename();
        std::error_code sec;
        const fs::file_status link = it->symlink_status(sec);
        if (sec) {
            result.skipped.push_back({child.string(), "cannot be examined: " + sec.message()});
            continue;
        }
        if (fs::is_symlink(link)) {
            const fs::file_status target = fs::status(child, sec);
            if (sec || !fs::exists(target)) {
                result.skipped.push_back({child.string(), "a dangling symbolic link"});
            } else if (fs::is_directory(target)) {
                result.skipped.push_back(
                    {child.string(),
                     "a symbolic link to a folder (folder links are not followed)"});
            } else if (!fs::is_regular_file(target)) {
                result.skipped.push_back(
                    {child.string(), "a symbolic link to something that is not a regular file"});
            } else if (const fs::path real = fs::canonical(child, sec);
                       sec || !isInside(real, canonicalRoot)) {
                result.skipped.push_back({child.string(), "a symbolic link to a file outside " +
                                                              canonicalRoot.string() +
                                                              " (not followed)"});
            } else {
                result.files.push_back({child.string(), childRel.generic_string()});
            }
        } else if (fs::is_directory(link)) {
            if (recursive) {
                pending.emplace_back(child, childRel);
            }
        } else if (fs::is_regular_file(link)) {
            result.files.push_back({child.string(), childRel.generic_string()});
        } else {
            result.skipped.push_back(
                {child.string(), "not a regular file (a socket, FIFO or device)"});
        }
    }
    if (ec) {
        result.skipped.push_back(
            {shown.string(), "a folder whose listing failed part way: " + ec.message()});
    }
}

}  // namespace

WalkResult walkPaths(const std::vector<std::string>& roots, bool recursive) {
    WalkResult result;
    for (const auto& root : roots) {
        std::error_code ec;
        const fs::file_status st = fs::status(root, ec);
        if (ec || !fs::exists(st)) {
            result.missing.push_back(
                {root, ec ? ec.message() : std::string("No such file or directory")});
            continue;
        }
        if (fs::is_regular_file(st)) {
            result.files.push_back({root, root});
            continue;
        }
        if (!fs::is_directory(st)) {
            result.skipped.push_back({root, "not a regular file (a socket, FIFO or device)"});
            continue;
        }
        const fs::path canonicalRoot = fs::canonical(root, ec);
        if (ec) {
            result.missing.push_back({root, ec.message()});
            continue;
        }
        // Depth-first with an explicit stack: a hostile tree's depth costs heap, not stack.
        std::vector<std::pair<fs::path, fs::path>> pending{{fs::path(root), fs::path()}};
        while (!pending.empty()) {
            auto [shown, rel] = std::move(pending.back());
            pending.pop_back();
            listFolder(shown, rel, canonicalRoot, recursive, pending, result);
        }
    }
    std::sort(result.files.begin(), result.files.end(),
              [](const WalkedFile& a, const WalkedFile& b) { return a.path < b.path; });
    result.files.erase(
        std::unique(result.files.begin(), result.files.end(),
                    [](const WalkedFile& a, const WalkedFile& b) { return a.path == b.path; }),
        result.files.end());
    std::sort(result.skipped.begin(), result.skipped.end(),
              [](const WalkNote& a, const WalkNote& b) { return a.path < b.path; });
    return result;
}

std::size_t dropOwnFiles(std::vector<WalkedFile>& files, const std::vector<std::string>& roots,
                         const std::vector<std::string>& outputs, const std::string& cacheDir) {
    std::vector<fs::path> own;
    std::error_code ec;
    for (const auto& o : outputs) {
        if (const fs::path p = fs::weakly_canonical(o, ec); !ec) {
            own.push_back(p);
        }
    }
    fs::path cache;
    if (!cacheDir.empty()) {
        cache = fs::weakly_canonical(cacheDir, ec);
        if (ec) {
            cache.clear();
        }
    }
    // Canonicalising every file costs a realpath() each: only when something is inside.
    bool inside = false;
    for (const auto& r : roots) {
        const fs::path root = fs::weakly_canonical(r, ec);
        if (ec) {
            continue;
        }
        inside = inside || (!cache.empty() && (cache == root || isInside(cache, root)));
        for (const auto& o : own) {
            inside = inside || o == root || isInside(o, root);
        }
    }
    if (!inside) {
        return 0;
    }
    const auto before = files.size();
    std::erase_if(files, [&](const WalkedFile& f) {
        std::error_code fec;
        const fs::path p = fs::weakly_canonical(f.path, fec);
        if (fec) {
            return false;
        }
        return std::find(own.begin(), own.end(), p) != own.end() ||
               (!cache.empty() && isInside(p, cache));
    });
    return before - files.size();
}

std::uint64_t stableHash(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    // splitmix64's finaliser: FNV's low bits alone spread poorly for small moduli.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

std::string stableHashHex(std::string_view text) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(stableHash(text)));
    return buf;
}

bool inShard(std::string_view shardKey, std::uint64_t index, std::uint64_t count) {
    return count <= 1 || stableHash(shardKey) % count == index;
}

bool parseShard(std::string_view text, std::uint64_t& index, std::uint64_t& count) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) {
        return false;
    }
    const auto number = [](std::string_view s, std::uint64_t& v) {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    };
    return number(text.substr(0, slash), index) && number(text.substr(slash + 1), count) &&
           count >= 1 && index < count;
}

}  // namespace ckpt::cli
