#include "app/cli/scan_record.h"

#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <new>
#include <optional>

#include "app/cli/cli.h"
#include "app/cli/scan_cache.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/io/file_hash.h"
#include "core/model/checkpoint.h"
#include "core/util/error.h"

namespace ckpt::cli {
namespace {

/// Stands for the file's own path inside cached messages ("cannot open a.h5: ..."), so that a
/// result stored for one path reads right for another file with the same content.
constexpr std::string_view kPathToken = "\x01path\x01";

void replaceInStrings(core::Json& j, std::string_view from, std::string_view to) {
    if (from.empty()) {
        return;
    }
    if (j.is_string()) {
        auto& s = j.get_ref<std::string&>();
        for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
            s.replace(at, from.size(), to);
        }
    } else if (j.is_structured()) {
        for (auto& v : j) {
            replaceInStrings(v, from, to);
        }
    }
}

/// The content part of a line (what the cache stores): everything but path, time and origin.
struct Analysis {
    core::Json body;
    bool ioError = false;  ///< the file could not be read: not worth caching
    /// The result depends on files beside this one (a shard index's shards, an ONNX model's
    /// external data, a bundle's pickles): not cached by this file's content alone, which
    /// stays the same when one of those changes (and is shared by copies in other folders).
    bool readsOtherFiles = false;
};

/// Formats whose reader opens files other than the one scanned.
bool readsOtherFiles(const std::string& format) {
    return format == "sharded" || format == "onnx" || format == "bundle";
}

std::unique_ptr<core::Checkpoint> openByContent(const std::string& path,
                                                const core::OpenOptions& options,
                                                std::string& formatSeen) {
    auto source = core::FileSource::open(path);
    core::ProbeContext context(source, path);
    const core::Reader* reader = core::detectReader(context);
    if (reader == nullptr) {
        if (!context.hasHdf5Signature() && !context.hasZipSignature()) {
            return nullptr;  // not a checkpoint
        }
        // A container we know whose content no reader accepts: the registry's own error.
        formatSeen = context.hasHdf5Signature() ? "hdf5" : "zip";
        return core::openCheckpoint(std::move(source), path, options);
    }
    formatSeen = std::string(reader->id());
    try {
        auto checkpoint = reader->open(context, options);
        checkpoint->setFile(path, context.source().size());
        return checkpoint;
    } catch (const core::Error&) {
        core::rethrowWithContext({path, formatSeen});
    } catch (const std::bad_alloc&) {
        throw core::CorruptDataError("the file claims more memory than it could hold",
                                     {path, formatSeen});
    }
}

Analysis analyse(const std::string& path, const std::string& sha, std::uint64_t size,
                 const ScanSettings& settings) {
    Analysis a;
    core::Json errors = core::Json::array();
    core::Json format = nullptr;
    core::Json tensors = nullptr;
    core::Json parameters = nullptr;
    bool isCheckpoint = false;
    core::ValidationReport report;
    std::string formatSeen;
    try {
        core::OpenOptions open;
        open.objectTree = false;  // as `ckpt validate`: the findings need the graph, not the tree
        const auto checkpoint = openByContent(path, open, formatSeen);
        if (checkpoint) {
            isCheckpoint = true;
            format = checkpoint->format();
            a.readsOtherFiles = readsOtherFiles(checkpoint->format());
            tensors = checkpoint->tensorNodes().size();
            parameters = checkpoint->totalParams();
            report = core::validateCheckpoint(*checkpoint, settings.validate);
        } else {
            report = core::validateUnopenedFile(path, settings.validate);
        }
    } catch (const std::exception& e) {
        const auto* error = dynamic_cast<const core::Error*>(&e);
        a.ioError = dynamic_cast<const core::IoError*>(&e) != nullptr;
        errors.push_back(e.what());
        isCheckpoint = true;  // something claimed it, or it could not be read at all
        if (error != nullptr && !error->context().format.empty()) {
            formatSeen = error->context().format;
        }
        if (!formatSeen.empty()) {
            format = formatSeen;
            a.readsOtherFiles = readsOtherFiles(formatSeen);
        }
        // As `ckpt validate`: pickles inside a file no reader opened are still judged.
        report = core::validateUnopenedFile(path, settings.validate);
    }
    core::Json findings = core::validationJson({report})["findings"];
    for (auto& f : findings) {
        f.erase("file");
    }
    a.body = {{"size", size},
              {"sha256", sha},
              {"format", format},
              {"checkpoint", isCheckpoint},
              {"tensors", tensors},
              {"parameters", parameters},
              {"findings_by_severity",
               {{"error", report.count(core::Severity::Error)},
                {"warning", report.count(core::Severity::Warning)},
                {"info", report.count(core::Severity::Info)}}},
              {"findings", std::move(findings)},
              {"suppressed", report.suppressed.size()},
              {"disabled", report.disabled},
              {"errors", std::move(errors)}};
    return a;
}

core::Json makeLine(const std::string& path, const core::Json& body, double elapsedMs,
                    bool cached) {
    core::Json line = {{"path", path}};
    for (const auto& [k, v] : body.items()) {
        line[k] = v;
    }
    line["elapsed_ms"] = std::round(elapsedMs * 1000.0) / 1000.0;
    line["cached"] = cached;
    return line;
}

core::Json errorBody(std::uint64_t size, const std::string& why) {
    return {{"size", size},
            {"sha256", nullptr},
            {"format", nullptr},
            {"checkpoint", true},
            {"tensors", nullptr},
            {"parameters", nullptr},
            {"findings_by_severity", {{"error", 0}, {"warning", 0}, {"info", 0}}},
            {"findings", core::Json::array()},
            {"suppressed", 0},
            {"disabled", 0},
            {"errors", core::Json::array({why})}};
}

std::uint64_t countField(const core::Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number_unsigned()) {
        throw core::FormatError(std::string("a scan line without a count '") + key + "'");
    }
    return j[key].get<std::uint64_t>();
}

}  // namespace

core::Json errorLine(const std::string& path, const std::string& why) {
    return makeLine(path, errorBody(0, why), 0.0, false);
}

ScanOutcome scanFile(const std::string& path, const ScanSettings& settings) {
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    };
    ScanOutcome out;
    const auto stamp = stampOf(path);
    if (!stamp) {
        out.line = makeLine(path, errorBody(0, "cannot stat " + path), elapsed(), false);
        return out;
    }
    std::string sha;
    if (settings.cache != nullptr) {
        sha = settings.cache->knownSha(path, *stamp).value_or("");
    }
    if (sha.empty()) {
        try {
            sha = core::sha256File(path);
        } catch (const std::exception& e) {
            out.line = makeLine(path, errorBody(stamp->size, e.what()), elapsed(), false);
            return out;
        }
        out.hashed = true;
        if (settings.cache != nullptr && !settings.cache->rememberSha(path, *stamp, sha)) {
            out.cacheWriteFailed = true;
        }
    }
    if (settings.cache != nullptr) {
        // (A result of a format that reads other files is never used, should an older
        // version have stored one.)
        auto body = settings.cache->result(sha);
        if (body && body->contains("format") && (*body)["format"].is_string() &&
            readsOtherFiles((*body)["format"].get<std::string>())) {
            body.reset();
        }
        if (body) {
            replaceInStrings(*body, kPathToken, path);
            (*body)["size"] = stamp->size;
            out.line = makeLine(path, *body, elapsed(), true);
            return out;
        }
    }
    Analysis a = analyse(path, sha, stamp->size, settings);
    if (settings.cache != nullptr && !a.ioError && !a.readsOtherFiles) {
        core::Json stored = a.body;
        replaceInStrings(stored["errors"], path, kPathToken);
        replaceInStrings(stored["findings"], path, kPathToken);
        if (!settings.cache->storeResult(sha, stored)) {
            out.cacheWriteFailed = true;
        }
    }
    out.line = makeLine(path, a.body, elapsed(), false);
    return out;
}

core::ValidationReport reportFromLine(const core::Json& line) {
    core::ValidationReport r;
    r.file = line.value("path", std::string());
    r.format = line.contains("format") && line["format"].is_string()
                   ? line["format"].get<std::string>()
                   : std::string("not-a-checkpoint");
    const auto str = [](const core::Json& j, const char* key) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    const auto offset = [](const core::Json& j) -> std::optional<std::uint64_t> {
        if (j.contains("offset") && j["offset"].is_number_unsigned()) {
            return j["offset"].get<std::uint64_t>();
        }
        return std::nullopt;
    };
    if (!line.contains("findings") || !line["findings"].is_array()) {
        return r;
    }
    for (const auto& j : line["findings"]) {
        if (!j.is_object()) {
            continue;
        }
        core::Finding f;
        f.rule = str(j, "rule");
        for (int c = 0; c <= static_cast<int>(core::FindingCategory::Policy); ++c) {
            if (core::categoryName(static_cast<core::FindingCategory>(c)) == str(j, "category")) {
                f.category = static_cast<core::FindingCategory>(c);
            }
        }
        f.severity = core::severityFromName(str(j, "severity")).value_or(core::Severity::Error);
        f.path = str(j, "path");
        f.symbol = str(j, "symbol");
        f.offset = offset(j);
        f.member = str(j, "member");
        f.message = str(j, "message");
        f.advice = str(j, "advice");
        if (j.contains("parts") && j["parts"].is_array()) {
            for (const auto& p : j["parts"]) {
                f.parts.push_back({str(p, "path"), str(p, "symbol"), offset(p), str(p, "message")});
            }
        }
        r.findings.push_back(std::move(f));
    }
    if (line.contains("suppressed") && line["suppressed"].is_number_unsigned()) {
        r.suppressed.resize(line["suppressed"].get<std::size_t>());  // counted by the SARIF log
    }
    return r;
}

void ScanTally::add(const core::Json& line) {
    const core::Json& bySeverity = line.is_object() && line.contains("findings_by_severity")
                                       ? line["findings_by_severity"]
                                       : core::Json();
    errors += countField(bySeverity, "error");
    warnings += countField(bySeverity, "warning");
    infos += countField(bySeverity, "info");
    bytes += countField(line, "size");
    suppressed += countField(line, "suppressed");
    ++files;
    const bool checkpoint = line.value("checkpoint", true);
    const bool failed =
        line.contains("errors") && line["errors"].is_array() && !line["errors"].empty();
    checkpoint ? ++checkpoints : ++notCheckpoints;
    if (failed) {
        ++unreadable;
    }
    line.value("cached", false) ? ++cached : ++opened;
}

void ScanTally::add(const ScanTally& o) {
    files += o.files;
    checkpoints += o.checkpoints;
    notCheckpoints += o.notCheckpoints;
    unreadable += o.unreadable;
    opened += o.opened;
    cached += o.cached;
    hashed += o.hashed;
    bytes += o.bytes;
    errors += o.errors;
    warnings += o.warnings;
    infos += o.infos;
    suppressed += o.suppressed;
}

core::Json ScanTally::json() const {
    return {{"files", files},
            {"checkpoints", checkpoints},
            {"not_checkpoints", notCheckpoints},
            {"unreadable", unreadable},
            {"opened", opened},
            {"cached", cached},
            {"hashed", hashed},
            {"bytes", bytes},
            {"findings", {{"error", errors}, {"warning", warnings}, {"info", infos}}},
            {"suppressed", suppressed}};
}

ScanTally ScanTally::fromJson(const core::Json& j) {
    ScanTally t;
    t.files = countField(j, "files");
    t.checkpoints = countField(j, "checkpoints");
    t.notCheckpoints = countField(j, "not_checkpoints");
    t.unreadable = countField(j, "unreadable");
    t.opened = countField(j, "opened");
    t.cached = countField(j, "cached");
    t.hashed = countField(j, "hashed");
    t.bytes = countField(j, "bytes");
    const core::Json& f = j.contains("findings") ? j["findings"] : core::Json();
    t.errors = countField(f, "error");
    t.warnings = countField(f, "warning");
    t.infos = countField(f, "info");
    t.suppressed = countField(j, "suppressed");
    return t;
}

int ScanTally::exitCode(core::Severity failOn) const {
    if (unreadable != 0) {
        return kUnreadable;
    }
    const std::uint64_t reaching = failOn == core::Severity::Error     ? errors
                                   : failOn == core::Severity::Warning ? errors + warnings
                                                                       : errors + warnings + infos;
    return reaching != 0 ? kDifferent : kOk;
}

}  // namespace ckpt::cli
