#include "core/model/checkpoint.h"

#include <functional>

namespace ckpt::core {

Checkpoint::Checkpoint(std::string format, std::string formatDescription)
    : m_format(std::move(format)),
      m_formatDescription(std::move(formatDescription)),
      m_root(std::make_unique<Node>(NodeKind::Group, "")) {}

void Checkpoint::setFormat(std::string format, std::string formatDescription) {
    m_format = std::move(format);
    m_formatDescription = std::move(formatDescription);
}

void Checkpoint::setFile(std::string path, std::uint64_t size) {
    m_filePath = std::move(path);
    m_fileSize = size;
}

std::uint64_t Checkpoint::totalParams() const {
    std::uint64_t n = 0;
    for (const auto& l : m_layers) {
        n += l.params;
    }
    return n;
}

std::uint64_t Checkpoint::trainableParams() const {
    std::uint64_t n = 0;
    for (const auto& l : m_layers) {
        n += l.trainableParams;
    }
    return n;
}

std::uint64_t Checkpoint::nonTrainableParams() const {
    std::uint64_t n = 0;
    for (const auto& l : m_layers) {
        n += l.nonTrainableParams;
    }
    return n;
}

std::vector<const Node*> Checkpoint::tensorNodes() const {
    std::vector<const Node*> out;
    std::function<void(const Node&)> walk = [&](const Node& n) {
        if (n.kind() == NodeKind::Tensor) {
            out.push_back(&n);
        }
        if (n.lazy()) {
            return;  // groups and values only, made on demand
        }
        for (const auto& c : n.children()) {
            walk(*c);
        }
    };
    walk(*m_root);
    return out;
}

const Node* Checkpoint::findTensor(const std::string& path) const {
    if (path.empty()) {  // a lone unnamed array (.npy)
        const Node* only = m_root->findChild("");
        return only != nullptr && only->kind() == NodeKind::Tensor ? only : nullptr;
    }
    const Node* n = m_root->find(path);
    return n != nullptr && n->kind() == NodeKind::Tensor ? n : nullptr;
}

}  // namespace ckpt::core
