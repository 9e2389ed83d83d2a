// ckpt scan PATH... : every file of a tree, one JSON line each, in parallel, cached, sharded.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/scan_cache.h"
#include "app/cli/scan_output.h"
#include "app/cli/scan_record.h"
#include "app/cli/scan_walk.h"
#include "app/cli/text_format.h"
#include "core/io/file_hash.h"
#include "core/util/escape.h"
#include "core/util/limits.h"
#include "core/util/version.h"

namespace ckpt::cli {
namespace {

constexpr const char* kScanUsage =
    "Usage: ckpt scan PATH... [--recursive] [--jsonl OUT] [--sarif OUT] [--cache DIR]\n"
    "                 [--jobs N] [--shard K/N] [--policy FILE] [--fail-on S] [--no-data]\n"
    "       ckpt scan --merge A.jsonl B.jsonl... [--jsonl OUT] [--sarif OUT] [--fail-on S]\n";

/// Notes about skipped paths beyond this many are counted, not printed.
constexpr std::size_t kMaxNotes = 20;

/// What decides a file's result besides its content: the version, the policy file's bytes (and
/// the day, for suppressions that expire), --no-data and every limit. A cached result is used
/// only under the same key.
std::string configKey(const std::optional<std::string>& policyPath, bool readData) {
    std::string k =
        std::string("ckpt ") + core::productVersion() + "\ndata " + (readData ? "1" : "0");
    if (policyPath) {
        k += "\npolicy " + core::sha256File(*policyPath) + "\nday " + core::todayUtc().text();
    }
    for (const auto& l : core::describeLimits()) {
        k += "\n" + l.name + "=" + std::to_string(l.value);
    }
    return stableHashHex(k);
}

struct ScanRun {
    std::vector<WalkedFile> files;
    ScanSettings settings;
    unsigned jobs = 1;
};

/// Scans `run.files` on `run.jobs` threads and hands each outcome to `emit` in file order, as
/// soon as it and all before it are done. Workers stay at most a window of files ahead of the
/// output, so memory holds that window's results, not the whole tree's.
template <typename Emit>
void scanInOrder(const ScanRun& run, Emit&& emit) {
    const std::size_t n = run.files.size();
    const auto scanOne = [&](std::size_t i) {
        try {
            return scanFile(run.files[i].path, run.settings);
        } catch (const std::exception& e) {  // out of memory while building the line
            ScanOutcome o;
            o.line = errorLine(run.files[i].path, std::string("internal error: ") + e.what());
            return o;
        }
    };
    if (run.jobs <= 1 || n <= 1) {
        for (std::size_t i = 0; i < n; ++i) {
            emit(scanOne(i));
        }
        return;
    }
    const std::size_t window = 4 * static_cast<std::size_t>(run.jobs) + 8;
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::size_t, ScanOutcome> ready;
    std::size_t next = 0;
    std::size_t emitted = 0;
    const auto worker = [&] {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return next >= n || next < emitted + window; });
            if (next >= n) {
                return;
            }
            const std::size_t i = next++;
            lock.unlock();
            ScanOutcome o = scanOne(i);
            lock.lock();
            ready.emplace(i, std::move(o));
            changed.notify_all();
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < std::min<std::size_t>(run.jobs, n); ++t) {
        threads.emplace_back(worker);
    }
    while (emitted < n) {
        ScanOutcome o;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return ready.count(emitted) != 0; });
            auto node = ready.extract(emitted);
            o = std::move(node.mapped());
            ++emitted;
            changed.notify_all();
        }
        emit(std::move(o));
    }
    for (auto& t : threads) {
        t.join();
    }
}

int scanUsage(std::ostream& err, const std::string& why) {
    err << "ckpt scan: " << why << "\n" << kScanUsage;
    return kUsage;
}

}  // namespace

int runScan(const std::vector<std::string>& argvIn, std::ostream& out, std::ostream& err) {
    std::vector<std::string> argv = argvIn;
    for (auto& a : argv) {
        if (a == "-r") {
            a = "--recursive";
        } else if (a == "-j") {
            a = "--jobs";
        }
    }
    Args args;
    if (auto e = args.parse(
            argv, {"--recursive", "--merge", "--no-data"},
            {"--jsonl", "--sarif", "--cache", "--jobs", "--shard", "--policy", "--fail-on"});
        !e.empty()) {
        return scanUsage(err, e);
    }
    if (args.positionals().empty()) {
        return scanUsage(err, args.flag("--merge") ? "expected the JSONL files to merge"
                                                   : "expected at least one PATH");
    }
    const auto failOn = failOnOption(args);
    if (!failOn) {
        return scanUsage(err, "--fail-on takes error, warning or info");
    }
    if (args.flag("--merge")) {
        for (const char* o : {"--cache", "--jobs", "--shard", "--policy"}) {
            if (args.option(o)) {
                return scanUsage(err, std::string(o) + " applies to a scan, not to --merge");
            }
        }
        if (args.flag("--recursive") || args.flag("--no-data")) {
            return scanUsage(err, "--recursive and --no-data apply to a scan, not to --merge");
        }
        return runScanMerge(args, out, err);
    }
    std::uint64_t shardIndex = 0;
    std::uint64_t shardCount = 1;
    if (const auto s = args.option("--shard"); s && !parseShard(*s, shardIndex, shardCount)) {
        return scanUsage(err, "--shard takes K/N with 0 <= K < N (e.g. --shard 0/4)");
    }
    ScanRun run;
    if (const auto j = args.option("--jobs")) {
        const auto n = std::atoi(j->c_str());
        if (n < 1 || n > 256 || j->find_first_not_of("0123456789") != std::string::npos) {
            return scanUsage(err, "--jobs takes a number from 1 to 256");
        }
        run.jobs = static_cast<unsigned>(n);
    }
    std::optional<core::Policy> policy;
    std::optional<ScanCache> cache;
    std::string key;
    try {
        if (const auto p = args.option("--policy")) {
            policy = core::loadPolicy(*p);
        }
        key = configKey(args.option("--policy"), !args.flag("--no-data"));
    } catch (const std::exception& e) {
        err << "ckpt scan: " << core::escapeText(e.what()) << "\n";
        return kUsage;
    }
    try {
        if (const auto c = args.option("--cache")) {
            cache.emplace(*c, key);
        }
    } catch (const std::exception& e) {
        err << "ckpt: error: " << core::escapeText(e.what()) << "\n";
        return kUnreadable;
    }
    run.settings.validate.readData = !args.flag("--no-data");
    run.settings.validate.policy = policy ? &*policy : nullptr;
    run.settings.cache = cache ? &*cache : nullptr;

    const auto start = std::chrono::steady_clock::now();
    WalkResult walk = walkPaths(args.positionals(), args.flag("--recursive"));
    std::vector<std::string> outputs;
    for (const char* o : {"--jsonl", "--sarif"}) {
        if (const auto p = args.option(o); p && *p != "-") {
            outputs.push_back(*p);
        }
    }
    // A scan never reads what it writes (an output or cache folder inside a PATH).
    (void)dropOwnFiles(walk.files, args.positionals(), outputs,
                       args.option("--cache").value_or(""));
    for (auto& f : walk.files) {
        if (inShard(f.shardKey, shardIndex, shardCount)) {
            run.files.push_back(std::move(f));
        }
    }
    walk.files.clear();
    for (const auto& m : walk.missing) {
        err << "ckpt: error: cannot read " << core::escapeText(m.path) << ": "
            << core::escapeText(m.why) << "\n";
    }
    for (std::size_t i = 0; i < walk.skipped.size() && i < kMaxNotes; ++i) {
        err << "ckpt scan: note: skipped " << core::escapeText(walk.skipped[i].path) << ": "
            << walk.skipped[i].why << "\n";
    }
    if (walk.skipped.size() > kMaxNotes) {
        err << "ckpt scan: note: " << walk.skipped.size() - kMaxNotes << " more path(s) skipped\n";
    }

    LineSink sink;
    if (!sink.open(args.option("--jsonl"), out)) {
        err << "ckpt: error: cannot write " << core::escapeText(*args.option("--jsonl")) << "\n";
        return kUnreadable;
    }
    SarifCollector sarif(args.option("--sarif").has_value());
    ScanTally tally;
    std::uint64_t cacheWriteFailures = 0;
    const auto progress = terminalProgress("scanning");
    const std::uint64_t total = run.files.size();
    scanInOrder(run, [&](ScanOutcome o) {
        sink.write(o.line);
        tally.add(o.line);
        tally.hashed += o.hashed ? 1 : 0;
        cacheWriteFailures += o.cacheWriteFailed ? 1 : 0;
        sarif.add(o.line);
        if (progress) {
            progress(tally.files, total);
        }
    });
    clearTerminalProgress();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int code = tally.exitCode(*failOn);
    if (!walk.missing.empty()) {
        code = kUnreadable;
    }
    core::Json summary = tally.json();
    summary["version"] = core::productVersion();
    summary["config"] = key;
    summary["roots"] = args.positionals();
    summary["recursive"] = args.flag("--recursive");
    summary["shard"] = {{"index", shardIndex}, {"count", shardCount}};
    summary["skipped"] = walk.skipped.size();
    summary["missing"] = walk.missing.size();
    summary["cache_write_failures"] = cacheWriteFailures;
    summary["elapsed_s"] = std::round(seconds * 1000.0) / 1000.0;
    summary["fail_on"] = std::string(core::severityName(*failOn));
    summary["exit_code"] = code;
    sink.write({{"summary", std::move(summary)}});
    if (!sink.finish()) {
        err << "ckpt: error: cannot write the JSON lines (disk full or output closed)\n";
        return kUnreadable;
    }
    if (const auto s = args.option("--sarif")) {
        if (const std::string e = sarif.write(*s); !e.empty()) {
            err << "ckpt: error: " << core::escapeText(e) << "\n";
            return kUnreadable;
        }
    }
    printScanSummary(tally, walk.skipped.size(), seconds, sink.toStdout() ? err : out);
    if (cacheWriteFailures != 0) {
        err << "ckpt scan: note: " << cacheWriteFailures
            << " cache entries could not be written (the results are complete)\n";
    }
    return code;
}

}  // namespace ckpt::cli
