#include "core/pyobj/lazy_tree.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <optional>
#include <string_view>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pickle/value_printer.h"
#include "core/pyobj/python_idioms.h"

namespace ckpt::core::pyobj {

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

constexpr std::uint32_t kOpen = UINT32_MAX;
constexpr std::uint32_t kNotPlain = UINT32_MAX - 1;
constexpr std::uint32_t kMaxSize = UINT32_MAX - 2;

bool isScalar(ValueKind k) {
    switch (k) {
        case ValueKind::None:
        case ValueKind::Bool:
        case ValueKind::Int:
        case ValueKind::BigInt:
        case ValueKind::Float:
        case ValueKind::Str:
        case ValueKind::Bytes:
        case ValueKind::ByteArray:
            return true;
        default:
            return false;
    }
}

bool isContainer(ValueKind k) {
    switch (k) {
        case ValueKind::List:
        case ValueKind::Tuple:
        case ValueKind::Dict:
        case ValueKind::Set:
        case ValueKind::FrozenSet:
            return true;
        default:
            return false;
    }
}

/// builtins.list/tuple/set/frozenset() called without arguments, its items appended by the
/// pickle (how a list is written in batches without building it): shown as that container.
std::optional<std::string> itemsCall(const ValueGraph& g, ValueId id) {
    if (g.kind(id) != ValueKind::Call) {
        return std::nullopt;
    }
    auto type = sequenceCall(g, id);
    if (!type) {
        return std::nullopt;
    }
    const pickle::Value v = g[id];
    const auto* args = pickle::sequenceItems(g, v.args);
    if ((g.contains(v.args) && (args == nullptr || !args->empty())) || g.contains(v.kwargs) ||
        !v.states.empty() || !v.entries.empty()) {
        return std::nullopt;
    }
    return type;
}

bool isContainerValue(const ValueGraph& g, ValueId id) {
    return isContainer(g.kind(id)) || itemsCall(g, id).has_value();
}

std::size_t memberCount(const ValueGraph& g, ValueId id) {
    return g.kind(id) == ValueKind::Dict ? g.entries(id).size() : g.items(id).size();
}

ValueId memberAt(const ValueGraph& g, ValueId id, std::size_t i) {
    return g.kind(id) == ValueKind::Dict ? g.entries(id)[i].second : g.items(id)[i];
}

/// True when the dict's keys are all str or int and no two make the same name (the eager tree
/// numbers repeated names "#2"; a lazy one makes one name at a time and cannot). Str keys are
/// compared as views; ints and the empty str ("''") as made names.
bool keysArePlainNames(const ValueGraph& g, ValueId dict, std::vector<std::string>& made,
                       std::vector<std::string_view>& names) {
    made.clear();
    names.clear();
    const auto& entries = g.entries(dict);
    made.reserve(entries.size());  // views into `made` stay valid
    for (const auto& [k, v] : entries) {
        const ValueKind kk = g.kind(k);
        const auto str = kk == ValueKind::Str ? pickle::asStr(g, k) : std::nullopt;
        if (str && !str->empty()) {
            names.push_back(*str);
        } else if (kk == ValueKind::Str || kk == ValueKind::Int) {
            made.push_back(treeKeyName(g, k));
            names.push_back(made.back());
        } else {
            return false;
        }
    }
    const std::size_t n = names.size();
    if (n <= 8) {
        for (std::size_t i = 1; i < n; ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (names[i] == names[j]) {
                    return false;
                }
            }
        }
        return true;
    }
    std::sort(names.begin(), names.end());
    return std::adjacent_find(names.begin(), names.end()) == names.end();
}

}  // namespace

std::string plainTypeName(const ValueGraph& g, ValueId id) {
    if (auto type = itemsCall(g, id)) {
        return std::move(*type);
    }
    return treeTypeName(g.kind(id));
}

std::string treeTypeName(ValueKind k) {
    switch (k) {
        case ValueKind::None:
            return "NoneType";
        case ValueKind::BigInt:
            return "int";
        default:
            return std::string(pickle::valueKindName(k));
    }
}

std::string treeKeyName(const ValueGraph& g, ValueId key) {
    if (const auto s = pickle::asStr(g, key)) {
        return s->empty() ? "''" : std::string(*s);
    }
    if (g.contains(key) && g.kind(key) == ValueKind::Int) {
        return std::to_string(g[key].integer);
    }
    pickle::PrintOptions o;
    o.maxDepth = 3;
    o.maxItems = 6;
    o.maxStringBytes = 40;
    o.maxChars = 80;
    return pickle::ValuePrinter(g, o).print(key);
}

std::string treeValueText(const ValueGraph& g, ValueId id, std::size_t maxChars) {
    pickle::PrintOptions o;
    o.maxDepth = 3;
    o.maxItems = 8;
    o.maxStringBytes = maxChars;
    o.maxChars = maxChars * 2;
    return pickle::ValuePrinter(g, o).print(id);
}

PlainSubtrees::PlainSubtrees(const ValueGraph& g, const Recognitions& r)
    : m_size(g.size()), m_height(g.size()) {
    // Held more than once (or from a recogniser's side table): shown as a reference the second
    // time, so not a plain tree. m_height holds the count of holders meanwhile.
    for (ValueId id = 0; id < g.size(); ++id) {
        g.forEachChild(id, [&](ValueId c) {
            if (c < g.size() && m_height[c] < 2) {
                ++m_height[c];
            }
        });
    }
    const auto notPlain = [&](ValueId id) {
        if (id < g.size()) {
            m_size[id] = kNotPlain;
        }
    };
    for (const auto& [id, states] : r.extraStates) {
        notPlain(id);
        std::for_each(states.begin(), states.end(), notPlain);
    }
    for (const auto& [id, attrs] : r.extraAttributes) {
        notPlain(id);
        for (const auto& [k, v] : attrs) {
            notPlain(v);
        }
    }
    for (const auto& [id, tensor] : r.tensors) {
        notPlain(id);
    }
    for (const auto& [id, archive] : r.archives) {
        notPlain(id);
    }
    // The cheap test first: on 10^7 values, two hash lookups per value cost more than the rest.
    for (ValueId id = 0; id < g.size(); ++id) {
        if (m_height[id] > 1 && isContainerValue(g, id) &&
            !(g.kind(id) == ValueKind::Tuple && g.items(id).empty())) {
            m_size[id] = kNotPlain;
        }
    }
    std::fill(m_height.begin(), m_height.end(), 0);
    // Post-order over containers; a container met while open is a cycle.
    struct Frame {
        ValueId id;
        std::size_t next;
        std::size_t count;
        std::uint64_t size;
        std::uint32_t height;
        bool plain;
        bool dict;
    };
    const auto frame = [&g](ValueId id) {
        const bool dict = g.kind(id) == ValueKind::Dict;
        return Frame{id, 0, dict ? g.entries(id).size() : g.items(id).size(), 1, 1, true, dict};
    };
    std::vector<Frame> stack;
    std::vector<std::string> made;
    std::vector<std::string_view> names;
    for (ValueId start = 0; start < g.size(); ++start) {
        if (m_size[start] != 0 || !isContainerValue(g, start)) {
            continue;
        }
        m_size[start] = kOpen;
        stack.push_back(frame(start));
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.plain && f.next < f.count) {
                const std::size_t i = f.next++;
                const ValueId c = f.dict ? g.entries(f.id)[i].second : g.items(f.id)[i];
                const ValueKind ck = g.kind(c);
                if (isScalar(ck) && m_size[c] != kNotPlain) {
                    f.size += 1;
                    f.height = std::max<std::uint32_t>(f.height, 2);
                } else if (m_size[c] == kNotPlain || m_size[c] == kOpen ||
                           !isContainerValue(g, c)) {
                    f.plain = false;
                } else if (m_size[c] == 0) {
                    m_size[c] = kOpen;
                    stack.push_back(frame(c));
                } else {
                    f.size += m_size[c];
                    f.height = std::max<std::uint32_t>(f.height, m_height[c] + 1u);
                }
                continue;
            }
            Frame done = f;
            stack.pop_back();
            if (done.plain && done.dict) {
                done.plain = keysArePlainNames(g, done.id, made, names);
            }
            const bool plain = done.plain && done.size <= kMaxSize;
            m_size[done.id] = plain ? static_cast<std::uint32_t>(done.size) : kNotPlain;
            m_height[done.id] =
                static_cast<std::uint8_t>(std::min<std::uint32_t>(done.height, 255));
            if (!stack.empty()) {
                Frame& up = stack.back();
                if (!plain) {
                    up.plain = false;
                } else {
                    up.size += done.size;
                    up.height = std::max<std::uint32_t>(up.height, m_height[done.id] + 1u);
                }
            }
        }
    }
}

std::size_t PlainSubtrees::size(ValueId id) const {
    if (id >= m_size.size() || m_size[id] >= kNotPlain) {
        return 0;
    }
    return m_size[id];
}

std::size_t PlainSubtrees::height(ValueId id) const {
    return id < m_height.size() ? m_height[id] : 255;
}

PlainChildren::PlainChildren(std::shared_ptr<const ValueGraph> graph, std::size_t maxValueChars)
    : m_graph(std::move(graph)), m_maxValueChars(maxValueChars) {}

std::size_t PlainChildren::childCount(std::uint64_t key) const {
    return memberCount(*m_graph, static_cast<ValueId>(key));
}

ChildView PlainChildren::describeChild(std::uint64_t key, std::size_t i) const {
    return view(key, i, nullptr);
}

ChildView PlainChildren::view(std::uint64_t key, std::size_t i, ValueId* member) const {
    const ValueGraph& g = *m_graph;
    const auto id = static_cast<ValueId>(key);
    ChildView v;
    ValueId c = 0;
    if (g.kind(id) == ValueKind::Dict) {
        const auto& [k, val] = g.entries(id)[i];
        v.name = treeKeyName(g, k);
        c = val;
    } else {
        v.name = std::to_string(i);
        c = g.items(id)[i];
    }
    const bool container = isContainerValue(g, c);
    v.kind = container ? NodeKind::Group : NodeKind::Value;
    v.typeName = plainTypeName(g, c);
    if (!container) {
        v.value = treeValueText(g, c, m_maxValueChars);
    } else if (memberCount(g, c) > 0) {
        v.key = c;
    }
    if (member != nullptr) {
        *member = c;
    }
    return v;
}

std::unique_ptr<Node> PlainChildren::makeChild(std::uint64_t key, std::size_t i) const {
    ValueId c = 0;
    ChildView v = view(key, i, &c);
    auto node = std::make_unique<Node>(v.kind, std::move(v.name));
    node->setTypeName(std::move(v.typeName));
    if (v.kind == NodeKind::Value) {
        node->setValue(std::move(v.value));
    }
    node->attributes()["offset"] = (*m_graph)[c].offset;
    if (v.key) {
        node->setLazy(shared_from_this(), *v.key);
    }
    return node;
}

std::size_t PlainChildren::subtreeSize(std::uint64_t key) const {
    const ValueGraph& g = *m_graph;
    std::size_t n = 0;
    std::vector<ValueId> stack{static_cast<ValueId>(key)};
    while (!stack.empty()) {
        const ValueId id = stack.back();
        stack.pop_back();
        ++n;
        if (!isContainerValue(g, id)) {
            continue;
        }
        for (std::size_t i = 0, count = memberCount(g, id); i < count; ++i) {
            stack.push_back(memberAt(g, id, i));
        }
    }
    return n;
}

void PlainChildren::attach(Node& node, ValueId id) const {
    if (memberCount(*m_graph, id) > 0) {
        node.setLazy(shared_from_this(), id);
    }
}

}  // namespace ckpt::core::pyobj
