#pragma once
/// Sharded checkpoints: an index JSON (model.safetensors.index.json,
/// pytorch_model.bin.index.json) whose weight_map names the shard file of every tensor, and the
/// shards beside it. Opened as one checkpoint: the shards' tensors, pickles and findings in one
/// tree. A shard that is missing, unreadable or named outside the index's folder, and a tensor
/// the index places elsewhere, are findings, not failures.

#include <filesystem>
#include <optional>

#include "core/formats/reader.h"

namespace ckpt::core {

class ShardedIndexReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "sharded"; }
    [[nodiscard]] std::string_view description() const override {
        return "sharded checkpoint (index JSON + shard files)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".index.json"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "a JSON object whose weight_map names each tensor's shard file";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;

    /// The index that lists `shard` as one of its shards, when `shard`'s name follows the
    /// "-00001-of-00003" convention and an "*.index.json" beside it names it; nullopt otherwise.
    /// Reads only the folder listing and small index files; never throws.
    [[nodiscard]] static std::optional<std::filesystem::path> indexOfShard(
        const std::filesystem::path& shard);

    /// The index of the sharded model `folder` holds (a Hugging Face model folder): its one
    /// "*.index.json" with a weight_map, preferring model.safetensors.index.json when it also
    /// holds pytorch_model.bin.index.json; nullopt otherwise. Never throws.
    [[nodiscard]] static std::optional<std::filesystem::path> indexInFolder(
        const std::filesystem::path& folder);
};

}  // namespace ckpt::core
