#pragma once
/// Builds the architecture graph of a checkpoint from what the file states: a Keras model config
/// (data flow), a torch module tree or the hierarchy of its tensor keys (nesting only).

#include <cstdint>
#include <string>
#include <vector>

#include "core/graph/graph.h"
#include "core/model/json.h"

namespace ckpt::core {

class Checkpoint;

/// Bounds of one build; 0 takes the process-wide limit (limits(): graph-nodes, graph-depth).
struct GraphBuildOptions {
    std::uint64_t maxNodes = 0;
    std::uint64_t maxDepth = 0;
};

/// The graph of `checkpoint`, chosen by content:
/// - a Keras model config (Sequential, Functional, nested models; every dialect of FORMATS.md)
///   gives a data-flow graph (buildKerasGraph), with each layer's weights and parameter count
///   taken from checkpoint.layers();
/// - Keras weights without a config give one node per layer, hierarchy only;
/// - an ONNX model gives its op graph (buildOnnxGraph);
/// - anything else gives the hierarchy of its tensor keys (buildKeyGraph): torch modules with
///   their classes when the file is a whole-model pickle, parameters and buffers per module.
/// Never throws on a hostile config: what cannot be used is said in Graph::warnings.
[[nodiscard]] Graph buildGraph(const Checkpoint& checkpoint, const GraphBuildOptions& options = {});

/// The data-flow graph of a Keras model config ({"class_name", "config"} as model_config and
/// config.json hold it). One node per layer entry; a layer that is itself a model (its entry has
/// a layer list) is a GraphNodeKind::Model node with its layers as children. Edges:
/// - Functional: one per tensor reference in each layer's inbound_nodes (kerasInboundNodes), so
///   a shared layer called twice has two inbound edges;
/// - Sequential: one between consecutive layers, and from an added Input node (named "input")
///   to the first layer when the outermost Sequential lists no InputLayer.
/// Edges into a nested model go to its inner inputs (input_layers; a Sequential's first layer),
/// edges out of it leave from its inner outputs (output_layers[tensor_index]; its last layer):
/// every edge joins two leaf layers, and a collapsed model takes over its children's edges in
/// layoutGraph. References to layers the model does not define are dropped with a warning.
/// `weights` (may be null) adds tensors and parameter counts from its layers() by layer name.
[[nodiscard]] Graph buildKerasGraph(const Json& modelConfig, const Checkpoint* weights,
                                    const GraphBuildOptions& options = {});

/// The data-flow graph of an ONNX model, read from the tree its reader wrote
/// (core/model/onnx_tree.h): one node per op (class: the op type; attributes: its settings),
/// one Input node per graph input that is not an initializer, an edge from the op (or input)
/// that makes a value to every op that reads it, and each initializer attached as a weight
/// (tensor path and parameter count) to the first op that reads it. Output shapes come from
/// the graph's inputs, outputs and value_info. Ops past graph-nodes are cut with a warning.
[[nodiscard]] Graph buildOnnxGraph(const Checkpoint& checkpoint,
                                   const GraphBuildOptions& options = {});

/// One tensor for buildKeyGraph.
struct KeyedTensor {
    std::string path;  ///< "layer1.0.conv1.weight", "model_weights/dense/dense/kernel:0"
    std::uint64_t numel = 0;
    bool buffer = false;  ///< a torch buffer (running statistics), counted apart from params
};

/// The hierarchy of dotted and '/'-separated keys: `layer1.0.conv1.weight` belongs to node
/// layer1.0.conv1 below layer1.0 below layer1. Parameters (and buffers) are summed per node and
/// into every ancestor. Tensors whose key has one part belong to a node "(top level)".
/// Hierarchy only: no edges.
[[nodiscard]] Graph buildKeyGraph(const std::vector<KeyedTensor>& tensors,
                                  const GraphBuildOptions& options = {});

/// True for the names torch gives buffers of its own layers: running_mean, running_var,
/// num_batches_tracked.
[[nodiscard]] bool isWellKnownTorchBuffer(const std::string& tensorName);

}  // namespace ckpt::core
