#include "app/cli/scan_output.h"

#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/text_format.h"
#include "core/model/json_dump.h"

namespace ckpt::cli {

bool LineSink::open(const std::optional<std::string>& path, std::ostream& stdOut) {
    m_stdout = &stdOut;
    if (!path || *path == "-") {
        m_stream = &stdOut;
        return true;
    }
    m_file.open(*path, std::ios::binary | std::ios::trunc);
    m_stream = &m_file;
    return m_file.is_open();
}

void LineSink::write(const core::Json& line) {
    *m_stream << core::dumpJson(line) << '\n';
}

bool LineSink::finish() {
    m_stream->flush();
    return static_cast<bool>(*m_stream);
}

void SarifCollector::add(const core::Json& line) {
    if (!m_wanted) {
        return;
    }
    core::ValidationReport r = reportFromLine(line);
    if (!r.findings.empty() || !r.suppressed.empty()) {
        m_reports.push_back(std::move(r));
    }
}

std::string SarifCollector::write(const std::string& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        return "cannot write " + path;
    }
    out << core::dumpJson(core::validationSarif(m_reports), 2) << "\n";
    out.flush();
    return out ? std::string() : "cannot write " + path;
}

void printScanSummary(const ScanTally& t, std::uint64_t skipped, double seconds,
                      std::ostream& out) {
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", seconds);
    out << groupDigits(t.files) << " file(s), " << humanBytes(t.bytes) << ": "
        << groupDigits(t.checkpoints) << " checkpoint(s), " << groupDigits(t.notCheckpoints)
        << " other";
    if (t.unreadable != 0) {
        out << ", " << groupDigits(t.unreadable) << " could not be read (see \"errors\")";
    }
    out << "; findings: " << t.errors << " error(s), " << t.warnings << " warning(s), " << t.infos
        << " info";
    if (t.suppressed != 0) {
        out << " (" << t.suppressed << " suppressed by the policy)";
    }
    out << "; opened " << groupDigits(t.opened) << ", from the cache " << groupDigits(t.cached);
    if (skipped != 0) {
        out << "; " << groupDigits(skipped) << " path(s) skipped";
    }
    out << "; " << time << "\n";
}

std::optional<core::Severity> failOnOption(const Args& args) {
    return core::severityFromName(args.option("--fail-on").value_or("error"));
}

}  // namespace ckpt::cli
