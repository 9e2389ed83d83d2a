#include "core/formats/sharded_reader.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/model/tensor.h"
#include "core/util/error.h"
#include "core/util/escape.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWeightMap = "\"weight_map\"";
/// Problems of one kind listed one by one before the rest are counted in one line.
constexpr std::size_t kListed = 50;

/// The index as read: tensor name -> shard name (a tree map: sorted, fast lookups), the
/// metadata, and the shards in name order.
struct Index {
    std::map<std::string, std::string> weightMap;
    Json metadata = Json::object();
    std::vector<std::string> shards;
};

bool startsWithBrace(std::span<const std::byte> head) {
    for (const std::byte b : head) {
        const auto c = static_cast<unsigned char>(b);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        return c == '{';
    }
    return false;
}

bool endsWith(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// A shard name the index may use: a relative path inside the index's folder (no root, no
/// "..", no NUL). The file it names may still be a symlink: the hub's cache keeps every shard
/// as a link into its blobs folder; the index's author controls the names, not the links.
bool safeShardName(const std::string& name) {
    if (name.empty() || name.size() > 4096 || name.find('\0') != std::string::npos) {
        return false;
    }
    const fs::path p(name);
    if (p.has_root_name() || p.has_root_directory()) {
        return false;
    }
    return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

Index parseIndex(const ByteSource& source) {
    const std::uint64_t cap = limits().shardIndexBytes;
    if (source.size() > cap) {
        throw LimitError("the index is " + std::to_string(source.size()) + " bytes",
                         "shard-index-bytes", cap);
    }
    const auto view = source.view();
    const std::string_view text(reinterpret_cast<const char*>(view.data()), view.size());
    nlohmann::json json;  // a tree map: the weight map is looked up by name, order is not needed
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw CorruptDataError("the index is not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {
        throw CorruptDataError("the index is not valid JSON (a number beyond double's range)");
    }
    if (!json.is_object()) {
        throw CorruptDataError("the index is not a JSON object");
    }
    const auto map = json.find("weight_map");
    if (map == json.end() || !map->is_object()) {
        throw FormatError("a JSON file without a weight_map object: not a shard index");
    }
    Index index;
    std::set<std::string> shards;
    for (auto& [tensor, shard] : map->items()) {
        if (!shard.is_string()) {
            throw CorruptDataError("weight_map entry '" + escapeText(tensor) +
                                   "' is not a file name");
        }
        auto name = shard.get<std::string>();
        if (shards.insert(name).second && shards.size() > limits().shardFiles) {
            throw LimitError(
                "the index names more than " + std::to_string(limits().shardFiles) + " shard files",
                "shard-files", limits().shardFiles);
        }
        index.weightMap.emplace(tensor, std::move(name));
    }
    index.shards.assign(shards.begin(), shards.end());
    if (const auto meta = json.find("metadata"); meta != json.end()) {
        if (meta->is_object()) {
            index.metadata =
                Json::parse(meta->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        } else if (!meta->is_null()) {
            throw CorruptDataError("the index's metadata is not a JSON object");
        }
    }
    return index;
}

/// The whole model's tree, built shard by shard.
class Joiner {
public:
    Joiner(Checkpoint& out, const Index& index) : m_out(out), m_index(index) {}

    /// Moves the tensors, pickles and findings of `shard` (named `name` in the index) in.
    void add(const std::string& name, Checkpoint& shard) {
        if (m_format.empty()) {
            m_format = shard.format();
        } else if (shard.format() != m_format && m_mixed.empty()) {
            m_mixed = name + " is " + shard.format() + ", the first shard " + m_format;
        }
        // Where each tensor sits in the index's terms: its path in the shard.
        std::set<const Node*> tensors;
        for (const Node* n : shard.tensorNodes()) {
            tensors.insert(n);
            const std::string path = n->path();
            m_found.insert(path);
            const auto it = m_index.weightMap.find(path);
            if (it == m_index.weightMap.end()) {
                problem(path, "is in " + name + " but not in the index's weight_map");
            } else if (it->second != name) {
                problem(path, "is in " + name + ", but the index places it in " + it->second);
            }
        }
        for (auto& child : shard.root().takeChildren()) {
            if (Node* twin = m_out.root().findChild(child->name())) {
                // Two shards hold the same top-level name: keep the first, say so.
                problem(child->name(), "is in " + name + " and again in an earlier shard (" +
                                           twinOrigin(*twin) + "); the earlier one is shown");
                continue;
            }
            child->attributes()["shard"] = name;
            m_out.root().addChild(std::move(child));
        }
        for (PickleStream p : shard.pickleStreams()) {
            p.member = name + (p.member.empty() ? "" : "/" + p.member);
            m_out.addPickleStream(std::move(p));
        }
        for (const auto& w : shard.warnings()) {
            m_out.addWarning(name + ": " + w);
        }
        for (UncheckedPart u : shard.uncheckedParts()) {
            u.where = name + ": " + u.where;
            m_out.addUncheckedPart(std::move(u));
        }
        for (LayoutProblem p : shard.layoutProblems()) {
            p.what = "(" + name + ") " + p.what;
            m_out.addLayoutProblem(std::move(p));
        }
        for (Layer& layer : shard.layers()) {
            auto same = std::find_if(m_out.layers().begin(), m_out.layers().end(),
                                     [&](const Layer& l) { return l.name == layer.name; });
            if (same == m_out.layers().end()) {
                m_out.layers().push_back(std::move(layer));
            } else {
                same->params += layer.params;
                same->trainableParams += layer.trainableParams;
                same->nonTrainableParams += layer.nonTrainableParams;
                same->weightPaths.insert(same->weightPaths.end(), layer.weightPaths.begin(),
                                         layer.weightPaths.end());
            }
        }
        if (m_out.metadata().is_object()) {
            for (auto& [k, v] : shard.metadata().items()) {
                if (!m_out.metadata().contains(k)) {
                    m_out.metadata()[k] = v;
                }
            }
        }
    }

    /// A shard that could not be read: its tensors are unchecked.
    void skip(const std::string& name, const std::string& why) {
        std::size_t count = 0;
        std::string first;
        for (const auto& [tensor, shard] : m_index.weightMap) {
            if (shard == name) {
                if (count++ == 0) {
                    first = tensor;
                }
                m_missing.insert(tensor);
            }
        }
        const std::string where = "shard " + name;
        const std::string what = why + "; the index places " + std::to_string(count) + " tensor" +
                                 (count == 1 ? "" : "s") + " in it" +
                                 (count ? " (first: " + first + ")" : "");
        m_out.addUncheckedPart({where, what});
        m_out.addWarning(where + ": " + what);
    }

    /// The index's tensors no shard held, the total size, the format mix: after every shard.
    void finish() {
        for (const auto& [tensor, shard] : m_index.weightMap) {
            if (m_found.count(tensor) == 0 && m_missing.count(tensor) == 0) {
                problem(tensor, "is listed in the index for " + shard + ", which does not hold it");
            }
        }
        if (m_unlisted > 0) {
            m_out.addLayoutProblem({"", std::to_string(m_unlisted) +
                                            " more tensor placement problems (the first " +
                                            std::to_string(kListed) + " are listed)"});
        }
        if (!m_mixed.empty()) {
            m_out.addWarning("the shards are not all one format: " + m_mixed);
        }
        const auto total = m_index.metadata.find("total_size");
        if (total != m_index.metadata.end() && total->is_number_unsigned() && m_missing.empty()) {
            std::uint64_t sum = 0;
            for (const Node* n : m_out.tensorNodes()) {
                sum += n->tensor()->storedBytes();
            }
            if (sum != total->get<std::uint64_t>()) {
                // Warnings only: hub indexes disagree with their shards now and then
                // (sizes counted before a dtype change), and every loader ignores it.
                m_out.addLayoutProblem(
                    {"",
                     "the index's total_size is " + std::to_string(total->get<std::uint64_t>()) +
                         " bytes; the shards' tensors hold " + std::to_string(sum),
                     std::nullopt, false});
            }
        }
    }

private:
    void problem(const std::string& path, const std::string& what) {
        if (++m_problems > kListed) {
            ++m_unlisted;
            return;
        }
        m_out.addLayoutProblem({path, "'" + path + "' " + what});
    }

    static std::string twinOrigin(const Node& n) {
        const auto it = n.attributes().find("shard");
        return it != n.attributes().end() && it->is_string() ? it->get<std::string>() : "?";
    }

    Checkpoint& m_out;
    const Index& m_index;
    std::set<std::string> m_found;
    std::set<std::string> m_missing;
    std::string m_format;
    std::string m_mixed;
    std::size_t m_problems = 0;
    std::size_t m_unlisted = 0;
};

}  // namespace

int ShardedIndexReader::probe(ProbeContext& context) const {
    const auto head = context.head();
    if (!startsWithBrace(head)) {
        return probe::kNotMine;
    }
    const std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
    if (text.find(kWeightMap) != std::string_view::npos) {
        return probe::kMarker;
    }
    // A long metadata block can push weight_map past the first 4 KiB.
    return endsWith(context.lowerFileName(), ".index.json") ? probe::kPlausible : probe::kNotMine;
}

std::unique_ptr<Checkpoint> ShardedIndexReader::open(ProbeContext& context,
                                                     const OpenOptions& options) const {
    if (options.shardOfIndex) {
        throw FormatError("a shard index that another index names as a shard");
    }
    if (options.nesting > 0) {
        throw UnsupportedError(
            "a shard index inside another file: its shards are files beside "
            "it, which are not opened from inside a file");
    }
    const Index index = parseIndex(context.source());
    const fs::path folder = fs::path(context.displayName()).parent_path();

    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    checkpoint->metadata() = index.metadata;
    checkpoint->metadata()["shards"] = index.shards.size();

    // Sizes first, for progress in bytes over the whole model.
    std::vector<std::uint64_t> sizes(index.shards.size(), 0);
    std::uint64_t totalBytes = 0;
    for (std::size_t i = 0; i < index.shards.size(); ++i) {
        std::error_code ec;
        if (safeShardName(index.shards[i])) {
            const auto n = fs::file_size(folder / index.shards[i], ec);
            sizes[i] = ec ? 0 : n;
            totalBytes += sizes[i];
        }
    }

    Joiner joiner(*checkpoint, index);
    std::uint64_t doneBytes = 0;
    for (std::size_t i = 0; i < index.shards.size(); ++i) {
        const std::string& name = index.shards[i];
        reportProgress(options.progress, doneBytes, totalBytes);
        if (!safeShardName(name)) {
            joiner.skip(escapeText(name), "not opened: the name leads outside the index's folder");
            continue;
        }
        const fs::path path = folder / name;
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            joiner.skip(name, "missing: no such file beside the index");
            continue;
        }
        OpenOptions inner;
        inner.objectTree = options.objectTree;
        inner.joinShards = false;
        inner.shardOfIndex = true;
        if (options.progress) {
            const std::uint64_t base = doneBytes;
            inner.progress = [&options, base, totalBytes](std::uint64_t done, std::uint64_t) {
                return options.progress(base + done, totalBytes);
            };
        }
        try {
            auto shard = openCheckpoint(path, inner);
            joiner.add(name, *shard);
        } catch (const CancelledError&) {
            throw;
        } catch (const Error& e) {
            joiner.skip(name, std::string("unreadable: ") + e.what());
        }
        doneBytes += sizes[i];
    }
    joiner.finish();
    reportProgress(options.progress, totalBytes, totalBytes);
    // The model's size is what its files hold, the index included.
    checkpoint->setFile(context.displayName(), totalBytes + context.source().size());
    return checkpoint;
}

namespace {

/// The "*.index.json" files of `folder` (at most 16 looked at) whose text holds a weight_map
/// and `needle` (empty: any), in name order.
std::vector<fs::path> indexFiles(const fs::path& folder, const std::string& needle) {
    std::vector<fs::path> out;
    std::error_code ec;
    std::size_t looked = 0;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!endsWith(name, ".index.json") || ++looked > 16) {
            continue;
        }
        std::error_code e2;
        const auto size = it->file_size(e2);
        if (e2 || size > limits().shardIndexBytes || !it->is_regular_file(e2)) {
            continue;
        }
        // A cheap text search; the index reader checks the JSON itself.
        std::ifstream in(it->path(), std::ios::binary);
        std::string text(static_cast<std::size_t>(size), '\0');
        if (!in.read(text.data(), static_cast<std::streamsize>(size))) {
            continue;
        }
        if (text.find(kWeightMap) != std::string::npos &&
            (needle.empty() || text.find(needle) != std::string::npos)) {
            out.push_back(it->path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// True for names with the shard counter of save_pretrained: "...-00002-of-00030...".
bool looksLikeShard(const std::string& name) {
    const auto digits = [&](std::size_t from, std::size_t to) {
        return to > from && std::all_of(name.begin() + static_cast<std::ptrdiff_t>(from),
                                        name.begin() + static_cast<std::ptrdiff_t>(to),
                                        [](char c) { return c >= '0' && c <= '9'; });
    };
    for (std::size_t of = name.find("-of-"); of != std::string::npos;
         of = name.find("-of-", of + 1)) {
        const std::size_t dash = name.rfind('-', of == 0 ? 0 : of - 1);
        std::size_t end = of + 4;
        while (end < name.size() && name[end] >= '0' && name[end] <= '9') {
            ++end;
        }
        if (dash != std::string::npos && dash < of && digits(dash + 1, of) && end > of + 4) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::optional<fs::path> ShardedIndexReader::indexInFolder(const fs::path& folder) {
    const auto found = indexFiles(folder, {});
    for (const auto& p : found) {
        if (p.filename() == "model.safetensors.index.json") {
            return p;
        }
    }
    if (found.size() == 1) {
        return found.front();
    }
    return std::nullopt;
}

std::optional<fs::path> ShardedIndexReader::indexOfShard(const fs::path& shard) {
    const std::string name = shard.filename().string();
    if (!looksLikeShard(name)) {
        return std::nullopt;
    }
    const fs::path folder = shard.parent_path().empty() ? fs::path(".") : shard.parent_path();
    const auto found = indexFiles(folder, "\"" + name + "\"");
    if (found.empty()) {
        return std::nullopt;
    }
    return shard.parent_path() / found.front().filename();
}

}  // namespace ckpt::core
