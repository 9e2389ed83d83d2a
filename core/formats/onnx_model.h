#pragma once
/// Parsing an ONNX ModelProto with libonnx under the project's limits: the file's size
/// (onnx-bytes), protobuf's recursion limit (onnx-depth) and the memory the parsed messages may
/// take (onnx-parse-bytes, counted through the protobuf arena that holds them).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace onnx {
class ModelProto;
}
namespace google::protobuf {
class Arena;
}

namespace ckpt::core {

class ByteSource;

/// A parsed model and the arena that owns it. Tensor sources keep it alive: raw_data and the
/// typed fields are read from it (protobuf copies them out of the file while parsing).
struct OnnxModel {
    OnnxModel();
    ~OnnxModel();
    OnnxModel(const OnnxModel&) = delete;
    OnnxModel& operator=(const OnnxModel&) = delete;

    std::unique_ptr<google::protobuf::Arena> arena;
    onnx::ModelProto* model = nullptr;  ///< owned by the arena
    std::uint64_t arenaBytes = 0;       ///< bytes the arena took while parsing
};

/// Parses the bytes of `source` as a ModelProto, reading them in 1 MiB chunks (ByteSource::read:
/// pread for a file, so its pages are not mapped in). Throws LimitError past a limit and
/// CorruptDataError when the bytes do not parse, naming where (locateOnnxParseFault).
[[nodiscard]] std::shared_ptr<const OnnxModel> parseOnnxModel(const ByteSource& source);

/// Where a model that protobuf refused goes wrong, as far as it can be told.
struct OnnxParseFault {
    std::string where;     ///< "graph.initializer 'fc1.weight'", "graph", "" (the model)
    std::uint64_t offset;  ///< byte offset of the field's tag in the file
    std::string what;      ///< "graph: claims 600 bytes, but 477 remain (truncated?)"
};

/// Walks the model's top-level fields and the graph's entries (CodedInputStream for the fields,
/// the generated messages for each entry, parsed in `arena` with recursion limit `depth`) and
/// returns the first that runs past its container or does not parse; nullopt when none does.
[[nodiscard]] std::optional<OnnxParseFault> locateOnnxParseFault(std::span<const std::byte> bytes,
                                                                 google::protobuf::Arena& arena,
                                                                 int depth);

/// True when `head` (the first bytes of a file of `fileSize` bytes) starts like a ModelProto:
/// ir_version (field 1) as a small varint, then only ModelProto fields with their wire types,
/// at least one of them producer_name, graph or opset_import; lengths must fit the file (one
/// that runs past its end is accepted only after such a field: a truncated model).
/// Reads tags with protobuf's CodedInputStream; never throws.
[[nodiscard]] bool looksLikeOnnx(std::span<const std::byte> head, std::uint64_t fileSize);

}  // namespace ckpt::core
