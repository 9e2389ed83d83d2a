#pragma once
/// ONNX models (.onnx): a protobuf ModelProto parsed with Debian's libonnx (onnx_proto) under
/// named limits; the graph's initializers are the tensors (raw_data, the typed fields, or
/// external data files beside the model, read lazily), and the ops, inputs, outputs and shapes
/// are shown in the tree and drawn by the graph view (core/graph/onnx_graph.cpp).

#include <filesystem>
#include <optional>

#include "core/formats/reader.h"
#include "core/model/onnx_tree.h"

namespace ckpt::core {

class OnnxReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "onnx"; }
    [[nodiscard]] std::string_view description() const override { return "ONNX model"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {".onnx"}; }
    [[nodiscard]] std::string_view signature() const override {
        return "protobuf ModelProto: field 1 (ir_version) as a varint, then producer, graph or "
               "opset_import fields";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;

    /// The model of a folder that holds exactly one file named *.onnx (a model saved with its
    /// external data files beside it), or nullopt. Its content still decides how it opens.
    [[nodiscard]] static std::optional<std::filesystem::path> modelInFolder(
        const std::filesystem::path& folder);
};

}  // namespace ckpt::core
