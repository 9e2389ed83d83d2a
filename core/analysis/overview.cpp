#include "core/analysis/overview.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/model/tensor.h"

namespace ckpt::core {

namespace {

constexpr std::size_t kMaxScalars = 32;
constexpr std::size_t kExpandBelow = 4;  ///< open a group further when there are this few

struct Item {
    std::string path;
    std::vector<std::size_t> ends;  ///< end offset in `path` of each module component
    std::uint64_t numel = 0;
    std::uint64_t bytes = 0;
};

/// The module components of a tensor path: its folders, then the dotted parts of its name
/// without the last one. A name without dots (npz "W1") is its own component.
std::vector<std::size_t> componentEnds(const std::string& path) {
    std::vector<std::size_t> ends;
    const std::size_t slash = path.rfind('/');
    const std::size_t nameStart = slash == std::string::npos ? 0 : slash + 1;
    for (std::size_t i = 0; i < nameStart; ++i) {
        if (path[i] == '/') {
            ends.push_back(i);
        }
    }
    for (std::size_t i = nameStart; i < path.size(); ++i) {
        if (path[i] == '.' && i > nameStart) {
            ends.push_back(i);
        }
    }
    if (ends.empty()) {
        ends.push_back(path.size());
    }
    return ends;
}

std::string_view prefixAt(const Item& item, std::size_t depth) {
    if (depth == 0) {
        return {};
    }
    const std::size_t k = std::min(depth, item.ends.size());
    return std::string_view(item.path).substr(0, item.ends[k - 1]);
}

/// The component that ends the prefix of `depth` components (its own name).
std::string_view componentAt(const Item& item, std::size_t depth) {
    const std::size_t k = std::min(depth, item.ends.size());
    if (k == 0) {
        return {};
    }
    const std::size_t begin = k >= 2 ? item.ends[k - 2] + 1 : 0;
    return std::string_view(item.path).substr(begin, item.ends[k - 1] - begin);
}

bool underOptimizer(const Item& item, std::size_t depth) {
    for (std::size_t d = 1; d <= std::min(depth, item.ends.size()); ++d) {
        if (isOptimizerStateName(std::string(componentAt(item, d)))) {
            return true;
        }
    }
    return false;
}

struct Group {
    std::string name;
    std::size_t depth = 0;
    std::vector<std::size_t> members;
};

std::vector<Group> groupAt(const std::vector<Item>& items, const std::vector<std::size_t>& members,
                           std::size_t depth) {
    std::vector<Group> groups;
    std::unordered_map<std::string_view, std::size_t> index;
    for (const std::size_t m : members) {
        const std::string_view key = prefixAt(items[m], depth);
        auto [it, fresh] = index.try_emplace(key, groups.size());
        if (fresh) {
            groups.push_back({std::string(key), depth, {}});
        }
        groups[it->second].members.push_back(m);
    }
    return groups;
}

std::size_t commonDepth(const std::vector<Item>& items) {
    if (items.empty()) {
        return 0;
    }
    std::size_t depth = items.front().ends.size();
    for (const auto& item : items) {
        depth = std::min(depth, item.ends.size());
        while (depth > 0 && prefixAt(item, depth) != prefixAt(items.front(), depth)) {
            --depth;
        }
    }
    // Keep one component to group by whenever the tensors differ below the shared part.
    for (const auto& item : items) {
        if (item.ends.size() == depth && depth > 0 && items.size() > 1) {
            return depth - 1;
        }
    }
    return depth;
}

bool isScalarType(const std::string& type) {
    static constexpr std::array<std::string_view, 6> kPlain = {"int", "float",   "bool",
                                                               "str", "complex", "bytes"};
    if (std::find(kPlain.begin(), kPlain.end(), type) != kPlain.end()) {
        return true;
    }
    return type.rfind("numpy.", 0) == 0 && type != "numpy.dtype" && type != "numpy.ndarray";
}

std::string numberText(double v, bool integral) {
    char buf[40];
    if (integral && std::isfinite(v) && std::fabs(v) < 9.0e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.8g", v);
    }
    return buf;
}

void collectScalars(const Checkpoint& c, CheckpointOverview& out) {
    // A lazy root (a list of 10^6 rows) is looked at only in its first children.
    const Node& root = c.root();
    const std::size_t count =
        root.lazy() ? std::min<std::size_t>(root.childCount(), 4096) : root.childCount();
    for (std::size_t i = 0; i < count; ++i) {
        if (out.scalars.size() >= kMaxScalars) {
            break;
        }
        const Node& n = *root.child(i);
        if (n.kind() == NodeKind::Value && isScalarType(n.typeName())) {
            std::string v = n.value();
            if (v.size() > 80) {
                v = v.substr(0, 77) + "...";
            }
            out.scalars.push_back({n.name(), n.typeName(), std::move(v)});
        } else if (n.kind() == NodeKind::Tensor && n.tensor() && n.tensor()->numel() == 1 &&
                   n.tensor()->readable()) {
            double v = 0.0;
            try {
                n.tensor()->readAsDouble(0, 1, &v);
            } catch (const std::exception&) {
                continue;
            }
            const auto dt = n.tensor()->dtype();
            out.scalars.push_back({n.name(), std::string(dtypeName(dt)) + " tensor",
                                   numberText(v, !dtypeIsFloat(dt))});
        }
    }
}

}  // namespace

bool isOptimizerStateName(const std::string& name) {
    static constexpr std::array<std::string_view, 14> kNames = {"optimizer",
                                                                "optimizer_weights",
                                                                "optimizer_state_dict",
                                                                "optimizer_state",
                                                                "optimizers",
                                                                "optim",
                                                                "opt_state",
                                                                "scheduler",
                                                                "lr_scheduler",
                                                                "schedulers",
                                                                "scaler",
                                                                "grad_scaler",
                                                                "amp_scaler",
                                                                "optimizer_states"};
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return std::find(kNames.begin(), kNames.end(), lower) != kNames.end();
}

CheckpointOverview summarizeCheckpoint(const Checkpoint& c) {
    CheckpointOverview out;
    std::vector<Item> items;
    for (const Node* n : c.tensorNodes()) {
        Item item;
        item.path = n->path();
        item.ends = componentEnds(item.path);
        if (n->tensor()) {
            item.numel = n->tensor()->numel();
            item.bytes = n->tensor()->storedBytes();
        }
        out.tensors += 1;
        out.bytes += item.bytes;
        items.push_back(std::move(item));
    }
    std::vector<std::size_t> all(items.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = i;
    }
    const std::size_t depth = commonDepth(items) + 1;
    std::vector<Group> groups = groupAt(items, all, depth);
    if (groups.size() <= kExpandBelow) {
        std::vector<Group> opened;
        for (auto& g : groups) {
            const Item& first = items[g.members.front()];
            std::vector<Group> sub;
            // Down through the parts all its tensors share (transformer.h) to where they
            // branch (h.0, h.1, ...).
            for (std::size_t d = g.depth + 1; !underOptimizer(first, g.depth); ++d) {
                sub = groupAt(items, g.members, d);
                if (sub.size() != 1 || sub.front().name == g.name ||
                    sub.front().name.size() <= prefixAt(first, d - 1).size()) {
                    break;
                }
            }
            if (sub.size() >= 2) {
                std::move(sub.begin(), sub.end(), std::back_inserter(opened));
            } else {
                opened.push_back(std::move(g));
            }
        }
        groups = std::move(opened);
    }

    std::uint64_t modelParams = 0;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const Group& g = groups[gi];
        ModuleSummary m;
        m.name = g.name;
        m.optimizerState = underOptimizer(items[g.members.front()], g.depth);
        m.firstTensor = items[g.members.front()].path;
        for (const std::size_t i : g.members) {
            m.tensors += 1;
            m.params += items[i].numel;
            m.bytes += items[i].bytes;
        }
        (m.optimizerState ? out.optimizerParams : modelParams) += m.params;
        if (gi + 1 < kMaxOverviewModules || groups.size() <= kMaxOverviewModules) {
            out.modules.push_back(std::move(m));
        } else {
            if (out.modulesLeftOut == 0) {
                out.modules.push_back({});
            }
            ModuleSummary& rest = out.modules.back();
            rest.tensors += m.tensors;
            rest.params += m.params;
            rest.bytes += m.bytes;
            ++out.modulesLeftOut;
        }
    }
    if (out.modulesLeftOut > 0) {
        out.modules.back().name = "(" + std::to_string(out.modulesLeftOut) + " more)";
    }
    out.params = c.layers().empty() ? modelParams : c.totalParams();
    collectScalars(c, out);
    return out;
}

}  // namespace ckpt::core
