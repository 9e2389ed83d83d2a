#pragma once
/// The groups the ONNX reader (core/formats/onnx_reader.h) writes below a checkpoint's root,
/// beside the initializers, and the graph builder (core/graph/onnx_graph.cpp) reads back.
///
/// - kInputs, kOutputs, kValueInfo: one Value node per ValueInfoProto; attributes "type"
///   (text), "shape" (array of numbers, names or null; absent when unknown), "initializer"
///   (true when an initializer of the same name feeds it).
/// - kNodes: one Value node per op in graph order; typeName is the op type (domain-qualified
///   outside the default domain); attributes "op_type", "domain", "index", "inputs" and
///   "outputs" (arrays of value names, "" for an omitted optional input) and "attributes" (name
///   -> one-line summary).
/// - kSparse, kOpsets, kProps: sparse initializers, opset imports, metadata_props.
/// - kSubgraphs: the initializers of graphs that ops hold in attributes (If branches, Loop and
///   Scan bodies): one Group per such graph that has initializers (or holds one that has),
///   named "op.attribute" ("op.attribute[k]" for a "graphs" attribute; an op without a name
///   is "OpType#index") and nested as the graphs are, holding its tensors.

namespace ckpt::core::onnx_tree {

inline constexpr const char* kInputs = "graph.input";
inline constexpr const char* kOutputs = "graph.output";
inline constexpr const char* kNodes = "graph.node";
inline constexpr const char* kValueInfo = "graph.value_info";
inline constexpr const char* kSparse = "graph.sparse_initializer";
inline constexpr const char* kSubgraphs = "graph.subgraphs";
inline constexpr const char* kOpsets = "opset_import";
inline constexpr const char* kProps = "metadata_props";

}  // namespace ckpt::core::onnx_tree
