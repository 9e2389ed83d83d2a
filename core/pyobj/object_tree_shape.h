#pragma once
/// Internal to object_tree*.cpp: what one value looks like as a node.

#include <string>
#include <vector>

#include "core/model/node.h"
#include "core/pyobj/object_tree.h"

namespace ckpt::core::pyobj {

/// The node a value becomes and the members it has.
struct ObjectTreeBuilder::Shape {
    NodeKind kind = NodeKind::Value;
    std::string typeName;
    std::string value;
    Json attributes = Json::object();
    std::vector<Member> members;
    const TensorEntry* tensor = nullptr;
    const ArchiveEntry* archive = nullptr;
    std::string archiveName;  ///< a child archive node's name (pickled Keras models)
    pickle::ValueId archiveValue = pickle::kNoValue;  ///< the value that child archive stands for
};

}  // namespace ckpt::core::pyobj
