#pragma once
/// The validator's look at one pickle value graph: which globals the loader resolves, what
/// calling them does, and which members plain pickle could not have written.

#include <string>
#include <vector>

#include "core/pickle/value.h"
#include "core/validate/finding.h"

namespace ckpt::core::pickle {
class ValueGraph;
}

namespace ckpt::core {

struct Policy;

/// Scans every value of `graph` (reachable from `roots` or not: an unreachable call still runs
/// while loading). Paths are member paths from the roots (`<root>.lock`, `<root>['model'].q`);
/// `member` names the stream inside its file ("data.pkl"), if any. Findings are ordered by
/// offset. A policy adds its deny-list (CKPT-S009) and lifts CKPT-S007/P002/P003 from the
/// globals it allows.
[[nodiscard]] std::vector<Finding> scanPickleGraph(const pickle::ValueGraph& graph,
                                                   const std::vector<pickle::ValueId>& roots,
                                                   const std::string& member = {},
                                                   const Policy* policy = nullptr);

}  // namespace ckpt::core
