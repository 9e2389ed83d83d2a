#pragma once
// A synthetic lazy tree for tests that counts the nodes it makes: key 0 is a list of `rows`
// dicts, key r+1 the dict of row r, holding "id" (a value) and "tags" (key rows+1+r: a list of
// two strings). Used to check that walks over lazy trees make only what they must.

#include <memory>
#include <string>
#include <utility>

#include "core/model/node.h"

namespace ckpt::test {

using core::ChildSource;
using core::ChildView;
using core::Node;
using core::NodeKind;

/// A synthetic lazy tree that counts the nodes it makes: key 0 is a list of `rows` dicts,
/// key r+1 the dict of row r, holding "id" (a value) and "tags" (key rows+1+r: a list of 2).
class CountingSource : public ChildSource {
public:
    explicit CountingSource(std::size_t rows) : m_rows(rows) {}
    mutable std::size_t made = 0;

    [[nodiscard]] std::size_t childCount(std::uint64_t key) const override {
        return key == 0 ? m_rows : 2;
    }
    [[nodiscard]] ChildView describeChild(std::uint64_t key, std::size_t i) const override {
        ChildView v;
        if (key == 0) {
            v = {NodeKind::Group, std::to_string(i), "dict", "", i + 1};
        } else if (key <= m_rows) {
            v = i == 0 ? ChildView{NodeKind::Value, "id", "int", std::to_string(key - 1), {}}
                       : ChildView{NodeKind::Group, "tags", "list", "", m_rows + key};
        } else {
            v = {NodeKind::Value, std::to_string(i), "str", "tag" + std::to_string(key), {}};
        }
        return v;
    }
    [[nodiscard]] std::unique_ptr<Node> makeChild(std::uint64_t key, std::size_t i) const override {
        ++made;
        const ChildView v = describeChild(key, i);
        auto n = std::make_unique<Node>(v.kind, v.name);
        n->setTypeName(v.typeName);
        n->setValue(v.value);
        if (v.key) {
            n->setLazy(m_self.lock(), *v.key);
        }
        return n;
    }
    [[nodiscard]] std::size_t subtreeSize(std::uint64_t key) const override {
        return key == 0 ? 1 + m_rows * 5 : key <= m_rows ? 5 : 3;
    }
    std::weak_ptr<CountingSource> m_self;

private:
    std::size_t m_rows;
};

inline std::pair<std::unique_ptr<Node>, std::shared_ptr<CountingSource>> countingTree(
    std::size_t rows) {
    auto source = std::make_shared<CountingSource>(rows);
    source->m_self = source;
    auto root = std::make_unique<Node>(NodeKind::Group, "");
    root->setLazy(source, 0);
    return {std::move(root), source};
}

}  // namespace ckpt::test
