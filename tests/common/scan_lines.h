#pragma once
// Reading `ckpt scan` JSONL output in tests: the file lines by path, the summary, and lines
// compared without what differs between runs of the same scan (times, cache origin).

#include <QFile>
#include <QString>
#include <map>
#include <string>

#include "core/model/json.h"

namespace ckpt::test {

struct ScanOutput {
    std::map<std::string, core::Json> lines;  ///< by path
    std::vector<std::string> order;           ///< paths in the order written
    core::Json summary;                       ///< null when there is no summary line
    int summaryLines = 0;
    int badLines = 0;  ///< lines that are not JSON objects
};

inline ScanOutput parseScanOutput(const QByteArray& text) {
    ScanOutput out;
    for (const QByteArray& raw : text.split('\n')) {
        if (raw.isEmpty()) {
            continue;
        }
        const auto j = core::Json::parse(raw.toStdString(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            ++out.badLines;
        } else if (j.contains("summary")) {
            out.summary = j["summary"];
            ++out.summaryLines;
        } else {
            const std::string path = j.value("path", std::string());
            out.order.push_back(path);
            out.lines[path] = j;
        }
    }
    return out;
}

inline ScanOutput readScanOutput(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return parseScanOutput(f.readAll());
}

/// A line without elapsed_ms and cached: what must be equal between two scans of one tree.
inline core::Json stable(core::Json line) {
    line.erase("elapsed_ms");
    line.erase("cached");
    return line;
}

using Count = unsigned long long;

/// A count of a line or summary; all ones when it is missing.
inline Count count(const core::Json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number_unsigned() ? j[key].get<Count>()
                                                                           : ~0ull;
}

}  // namespace ckpt::test
