// ckpt scan --merge A.jsonl B.jsonl ... : the shards of one scan joined into one output.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <queue>
#include <set>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/scan_output.h"
#include "app/cli/scan_record.h"
#include "core/model/json_dump.h"
#include "core/util/escape.h"
#include "core/util/version.h"

namespace ckpt::cli {
namespace {

/// What the first pass learnt of one input.
struct Input {
    std::string name;
    core::Json summary;
    std::uint64_t lines = 0;
};

/// A refusal: the message and the exit code.
struct Refusal {
    std::string message;
    int code = kUsage;
};

/// Reads `name` once: every line parses, file lines come sorted by path, and the last line is
/// the summary a finished scan writes. Throws Refusal.
Input readInput(const std::string& name) {
    std::ifstream in(name, std::ios::binary);
    if (!in) {
        throw Refusal{"cannot read " + name, kUnreadable};
    }
    Input input{name, nullptr, 0};
    std::string text;
    std::string previous;
    std::uint64_t number = 0;
    while (std::getline(in, text)) {
        ++number;
        if (text.empty()) {
            continue;
        }
        const core::Json j = core::Json::parse(text, nullptr, false);
        const auto where = name + " line " + std::to_string(number);
        if (j.is_discarded() || !j.is_object()) {
            throw Refusal{where + " is not JSON: not the output of `ckpt scan`", kUnreadable};
        }
        if (!input.summary.is_null()) {
            throw Refusal{where + " follows the summary line: the file was edited or joined",
                          kUnreadable};
        }
        if (j.contains("summary")) {
            input.summary = j["summary"];
            continue;
        }
        if (!j.contains("path") || !j["path"].is_string()) {
            throw Refusal{where + " has no path: not the output of `ckpt scan`", kUnreadable};
        }
        const auto& path = j["path"].get_ref<const std::string&>();
        if (input.lines != 0 && !(previous < path)) {
            throw Refusal{where + " (" + path + ") is out of order or repeated: " + name +
                              " is not as `ckpt scan` wrote it",
                          kUnreadable};
        }
        previous = path;
        ++input.lines;
    }
    if (input.summary.is_null() || !input.summary.is_object()) {
        throw Refusal{name +
                          " has no summary line: its scan did not finish (or the file is not "
                          "`ckpt scan` output); run that shard again",
                      kUnreadable};
    }
    if (input.summary.value("files", ~0ull) != input.lines) {
        throw Refusal{name + " holds " + std::to_string(input.lines) +
                          " file lines but its summary counts " +
                          std::to_string(input.summary.value("files", 0ull)) + ": it is damaged",
                      kUnreadable};
    }
    return input;
}

struct ShardId {
    std::uint64_t index = 0;
    std::uint64_t count = 1;
};

/// The shard a summary names; an unsharded scan is 0/1.
ShardId shardOf(const core::Json& summary) {
    if (!summary.contains("shard") || !summary["shard"].is_object()) {
        return {};
    }
    const auto& s = summary["shard"];
    return {s.value("index", 0ull), s.value("count", 1ull)};
}

std::string shardText(const core::Json& summary) {
    const ShardId id = shardOf(summary);
    return std::to_string(id.index) + "/" + std::to_string(id.count);
}

/// The inputs must be the shards of one scan (each once, none missing) or whole scans of
/// their own; and all were made with the same version, policy, limits and options.
void checkInputsFit(const std::vector<Input>& inputs) {
    const auto& first = inputs.front().summary;
    std::map<std::uint64_t, std::string> seen;
    const std::uint64_t n = shardOf(first).count;
    for (const auto& in : inputs) {
        const auto& s = in.summary;
        if (s.value("config", std::string()) != first.value("config", std::string())) {
            throw Refusal{inputs.front().name + " and " + in.name +
                          " were scanned with different versions, policies, limits or "
                          "--no-data (config " +
                          first.value("config", std::string()) + " against " +
                          s.value("config", std::string()) + ")"};
        }
        if (shardOf(s).count != n) {
            throw Refusal{inputs.front().name + " is shard " + shardText(first) + " but " +
                          in.name + " is shard " + shardText(s) +
                          ": only shards of one split can be merged"};
        }
        if (n == 1) {
            continue;
        }
        if (s["roots"] != first["roots"] ||
            s.value("recursive", false) != first.value("recursive", false)) {
            throw Refusal{inputs.front().name + " and " + in.name +
                          " are shards of scans of different PATHs or options"};
        }
        const std::uint64_t k = shardOf(s).index;
        if (const auto it = seen.find(k); it != seen.end()) {
            throw Refusal{it->second + " and " + in.name + " are both shard " + shardText(s) +
                          ": the same shard given twice would count its files twice"};
        }
        seen[k] = in.name;
    }
    if (n > 1 && seen.size() != n) {
        std::string missing;
        for (std::uint64_t k = 0; k < n; ++k) {
            if (seen.count(k) == 0) {
                missing +=
                    (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(n);
            }
        }
        throw Refusal{"shard(s) " + missing +
                      " missing: the merge would not cover the tree (give every shard's output)"};
    }
}

/// One input being read in the merge pass: its next file line.
struct Cursor {
    std::ifstream in;
    std::string name;
    core::Json line;
    std::string path;

    bool advance() {
        std::string text;
        while (std::getline(in, text)) {
            if (text.empty()) {
                continue;
            }
            line = core::Json::parse(text, nullptr, false);
            if (line.is_object() && line.contains("path")) {
                path = line["path"].get<std::string>();
                return true;
            }
        }
        return false;  // the summary line, then the end
    }
};

}  // namespace

int runScanMerge(const Args& args, std::ostream& out, std::ostream& err) {
    const auto failOn = failOnOption(args);
    std::vector<Input> inputs;
    try {
        for (const auto& name : args.positionals()) {
            inputs.push_back(readInput(name));
        }
        checkInputsFit(inputs);
    } catch (const Refusal& r) {
        err << "ckpt scan --merge: " << core::escapeText(r.message) << "\n";
        return r.code;
    }
    // Written beside OUT and renamed at the end: a refused merge leaves no half file behind.
    const auto jsonlPath = args.option("--jsonl");
    const bool toFile = jsonlPath && *jsonlPath != "-";
    const std::string tmpPath = toFile ? *jsonlPath + ".ckpt-tmp" : std::string();
    LineSink sink;
    if (!sink.open(toFile ? std::optional<std::string>(tmpPath) : std::nullopt, out)) {
        err << "ckpt: error: cannot write " << core::escapeText(*jsonlPath) << "\n";
        return kUnreadable;
    }
    const auto fail = [&](const std::string& message, int code) {
        if (toFile) {
            std::error_code ec;
            std::filesystem::remove(tmpPath, ec);
        }
        err << "ckpt scan --merge: " << core::escapeText(message) << "\n";
        return code;
    };
    std::vector<std::unique_ptr<Cursor>> cursors;
    const auto later = [](const Cursor* a, const Cursor* b) { return a->path > b->path; };
    std::priority_queue<Cursor*, std::vector<Cursor*>, decltype(later)> heads(later);
    for (const auto& input : inputs) {
        auto c = std::make_unique<Cursor>();
        c->in.open(input.name, std::ios::binary);
        c->name = input.name;
        if (c->advance()) {
            heads.push(c.get());
        }
        cursors.push_back(std::move(c));
    }
    ScanTally tally;
    SarifCollector sarif(args.option("--sarif").has_value());
    std::string previous;
    const Cursor* previousFrom = nullptr;
    while (!heads.empty()) {
        Cursor* c = heads.top();
        heads.pop();
        if (previousFrom != nullptr && c->path == previous) {
            return fail(previousFrom->name + " and " + c->name + " both hold " + c->path +
                            ": the inputs overlap (shards of different splits, or one tree "
                            "scanned twice)",
                        kUsage);
        }
        try {
            tally.add(c->line);
        } catch (const std::exception& e) {
            return fail(c->name + ": " + e.what(), kUnreadable);
        }
        sink.write(c->line);
        sarif.add(c->line);
        previous = c->path;
        previousFrom = c;
        if (c->advance()) {
            heads.push(c);
        }
    }
    ScanTally fromSummaries;
    core::Json roots = core::Json::array();
    core::Json mergedFrom = core::Json::array();
    std::uint64_t skipped = 0, missing = 0, cacheWriteFailures = 0;
    double seconds = 0;
    for (const auto& in : inputs) {
        const auto& s = in.summary;
        try {
            fromSummaries.add(ScanTally::fromJson(s));
        } catch (const std::exception& e) {
            return fail(in.name + " summary: " + e.what(), kUnreadable);
        }
        for (const auto& r : s.value("roots", core::Json::array())) {
            if (std::find(roots.begin(), roots.end(), r) == roots.end()) {
                roots.push_back(r);
            }
        }
        mergedFrom.push_back(in.name);
        // Shards of one split walk the same tree and meet the same notes; whole scans add up.
        const bool shards = shardOf(s).count > 1;
        skipped = shards ? std::max<std::uint64_t>(skipped, s.value("skipped", 0ull))
                         : skipped + s.value("skipped", 0ull);
        missing = shards ? std::max<std::uint64_t>(missing, s.value("missing", 0ull))
                         : missing + s.value("missing", 0ull);
        cacheWriteFailures += s.value("cache_write_failures", 0ull);
        seconds = std::max(seconds, s.value("elapsed_s", 0.0));
    }
    tally.hashed = fromSummaries.hashed;
    int code = tally.exitCode(*failOn);
    if (missing != 0) {
        code = kUnreadable;
    }
    const auto& first = inputs.front().summary;
    core::Json summary = tally.json();
    summary["version"] = first.value("version", core::productVersion());
    summary["config"] = first.value("config", std::string());
    summary["roots"] = std::move(roots);
    summary["recursive"] = first.value("recursive", false);
    summary["shard"] = {{"index", 0}, {"count", 1}};
    summary["skipped"] = skipped;
    summary["missing"] = missing;
    summary["cache_write_failures"] = cacheWriteFailures;
    summary["elapsed_s"] = seconds;  // the slowest shard: the wall time of a parallel run
    summary["fail_on"] = std::string(core::severityName(*failOn));
    summary["exit_code"] = code;
    summary["merged_from"] = std::move(mergedFrom);
    sink.write({{"summary", std::move(summary)}});
    if (!sink.finish()) {
        return fail("cannot write the merged JSON lines", kUnreadable);
    }
    if (toFile) {
        std::error_code ec;
        std::filesystem::rename(tmpPath, *jsonlPath, ec);
        if (ec) {
            return fail("cannot write " + *jsonlPath + ": " + ec.message(), kUnreadable);
        }
    }
    if (const auto s = args.option("--sarif")) {
        if (const std::string e = sarif.write(*s); !e.empty()) {
            err << "ckpt: error: " << core::escapeText(e) << "\n";
            return kUnreadable;
        }
    }
    printScanSummary(tally, skipped, seconds, sink.toStdout() ? err : out);
    return code;
}

}  // namespace ckpt::cli
