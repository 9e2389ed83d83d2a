#pragma once
/// Module groups for display: the flat tensor keys of a state_dict, a safetensors file or a
/// pickled dict ("layer1.0.conv1.weight") shown as the modules they name (layer1 › layer1.0 ›
/// layer1.0.conv1 › the tensor), with parameter counts. The groups are transparent nodes
/// (Node::transparent): every path stays exactly as the file has it.

#include <cstddef>

namespace ckpt::core {

class Node;

/// Groups the dotted tensor keys below `root`, in every group whose children hold at least two
/// tensors sharing a dotted prefix. A group is made for a prefix with two or more tensors under
/// it (a chain of single-child prefixes collapses into its deepest), named by the whole prefix
/// ("layer1.0"), with attribute "parameters" (elements of the tensors below). Groups keep the
/// order in which their first tensor appears. At most `maxGroups` groups are made; a second call
/// changes nothing. Returns the number of groups made.
std::size_t groupDottedKeys(Node& root, std::size_t maxGroups = 100000);

}  // namespace ckpt::core
