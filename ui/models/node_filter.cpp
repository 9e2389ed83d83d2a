#include "ui/models/node_filter.h"

#include <algorithm>
#include <cctype>

#include "core/model/node.h"

namespace ckpt::ui {

using core::Node;

namespace {

bool containsLower(const std::string& haystack, const std::string& needleLower) {
    const auto it = std::search(
        haystack.begin(), haystack.end(), needleLower.begin(), needleLower.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != haystack.end();
}

}  // namespace

bool NodeFilter::setText(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed == m_text) {
        return false;
    }
    m_text = trimmed;
    m_lower = m_text.toLower().toStdString();
    m_byPath = m_text.contains(QLatin1Char('/'));
    m_matchCount = 0;
    m_passAll.clear();
    m_visibleChildren.clear();
    m_visibleRow.clear();
    return true;
}

void NodeFilter::addTree(const Node* root) {
    if (active()) {
        walk(root, {});
    }
}

void NodeFilter::forget(const std::function<bool(const Node*)>& belongs) {
    std::erase_if(m_visibleChildren, [&](const auto& kv) { return belongs(kv.first); });
    std::erase_if(m_visibleRow, [&](const auto& kv) { return belongs(kv.first); });
    std::erase_if(m_passAll, [&](const Node* n) { return belongs(n); });
}

bool NodeFilter::walk(const Node* n, const std::string& parentPath) {
    std::string path;
    if (n->parent() != nullptr) {
        path = parentPath.empty() ? n->name() : parentPath + "/" + n->name();
        if (containsLower(m_byPath ? path : n->name(), m_lower)) {
            ++m_matchCount;
            m_passAll.insert(n);
            return true;
        }
    }
    std::vector<std::uint32_t> visible;
    for (std::size_t i = 0; i < n->childCount(); ++i) {
        // A lazy node's children are matched through their descriptions, so that only the
        // matches and the nodes on the way to them are made (10^7 pickled dicts stay unmade).
        if (n->lazy() && !lazyChildHasMatch(n, i, path)) {
            continue;
        }
        if (walk(n->child(i), path)) {
            visible.push_back(static_cast<std::uint32_t>(i));
        }
    }
    if (visible.empty()) {
        return false;
    }
    for (std::size_t k = 0; k < visible.size(); ++k) {
        m_visibleRow[n->child(visible[k])] = static_cast<int>(k);
    }
    m_visibleChildren[n] = std::move(visible);
    return true;
}

bool NodeFilter::lazyChildHasMatch(const Node* n, std::size_t i,
                                   const std::string& parentPath) const {
    const core::ChildView v = n->describeChild(i);
    const std::string path = parentPath.empty() ? v.name : parentPath + "/" + v.name;
    if (containsLower(m_byPath ? path : v.name, m_lower)) {
        return true;
    }
    bool hit = false;
    n->visitBelowChild(i, path, [&](const core::ChildView& d, const std::string& p, std::size_t) {
        hit = containsLower(m_byPath ? p : d.name, m_lower);
        return hit ? Node::Visit::Stop : Node::Visit::Descend;
    });
    return hit;
}

bool NodeFilter::inPassAll(const Node* n) const {
    for (; n != nullptr; n = n->parent()) {
        if (m_passAll.contains(n)) {
            return true;
        }
    }
    return false;
}

std::size_t NodeFilter::visibleChildCount(const Node* n) const {
    if (!active() || inPassAll(n)) {
        return n->childCount();
    }
    const auto it = m_visibleChildren.find(n);
    return it == m_visibleChildren.end() ? 0 : it->second.size();
}

const Node* NodeFilter::visibleChild(const Node* n, std::size_t i) const {
    if (!active() || inPassAll(n)) {
        return i < n->childCount() ? n->child(i) : nullptr;
    }
    const auto it = m_visibleChildren.find(n);
    if (it == m_visibleChildren.end() || i >= it->second.size()) {
        return nullptr;
    }
    return n->child(it->second[i]);
}

int NodeFilter::visibleRow(const Node* n) const {
    if (!active() || inPassAll(n->parent())) {
        return static_cast<int>(n->row());
    }
    const auto it = m_visibleRow.find(n);
    return it == m_visibleRow.end() ? -1 : it->second;
}

}  // namespace ckpt::ui
