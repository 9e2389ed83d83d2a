#pragma once
/// An opened checkpoint: its format, metadata, architecture, node tree and layer summary.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/json.h"
#include "core/model/node.h"

namespace ckpt::core {

namespace pickle {
class ValueGraph;
}

/// A pickle stream read by a reader, kept for the validator (which globals, which members).
struct PickleStream {
    std::string member;  ///< where it sits: "data.pkl" in a zip, "" for the whole file
    std::shared_ptr<const pickle::ValueGraph> graph;
    std::vector<std::uint32_t> roots;  ///< the root value of each pickle in the stream
};

/// Content inside the file that no reader could open (a file nested past the limit, a damaged
/// archive inside pickled data): the validator reports it (CKPT-S010) so that the file is never
/// called clean with parts of it unread.
struct UncheckedPart {
    std::string where;  ///< "nested pickle at offset 16"
    std::string why;    ///< "files nested more than 3 deep"
};

/// A fault in how a file lays out its tensor data that does not stop it from being read (GGUF
/// tensors whose bytes overlap, misaligned offsets, a tensor type the reader does not know):
/// the validator reports each (CKPT-I003).
struct LayoutProblem {
    std::string path;                     ///< the tensor's path
    std::string what;                     ///< "data overlaps 'b.weight' (bytes 64-96)"
    std::optional<std::uint64_t> offset;  ///< byte offset in the file, when known
    bool error = true;                    ///< false: a warning (readers may still disagree on it)
};

/// One row of the model summary: a layer, its class and its weights.
struct Layer {
    std::string name;
    std::string className;     ///< "" when no config names it (weights-only files)
    std::uint64_t params = 0;  ///< elements in all its weights
    std::uint64_t trainableParams = 0;
    std::uint64_t nonTrainableParams = 0;
    std::vector<std::string> weightPaths;  ///< tensor paths, in the file's weight order
    Json config = Json::object();          ///< the layer's config from the architecture
};

/// Everything a reader found. Owns the node tree; tensors keep their data sources alive.
class Checkpoint {
public:
    Checkpoint(std::string format, std::string formatDescription);

    /// Stable format id: "keras-h5", "keras-h5-weights", "keras3-weights-h5", "keras-archive",
    /// "hdf5", ...
    [[nodiscard]] const std::string& format() const { return m_format; }
    /// Human-readable format name ("Keras legacy HDF5 full model").
    [[nodiscard]] const std::string& formatDescription() const { return m_formatDescription; }

    /// Readers that learn the exact variant while reading set it here.
    void setFormat(std::string format, std::string formatDescription);

    [[nodiscard]] const std::string& filePath() const { return m_filePath; }
    [[nodiscard]] std::uint64_t fileSize() const { return m_fileSize; }
    void setFile(std::string path, std::uint64_t size);

    /// Flat facts about the file: keras_version, backend, date_saved, ...
    [[nodiscard]] Json& metadata() { return m_metadata; }
    [[nodiscard]] const Json& metadata() const { return m_metadata; }
    /// Architecture config (Keras model_config / config.json), or null.
    [[nodiscard]] Json& config() { return m_config; }
    [[nodiscard]] const Json& config() const { return m_config; }
    /// Training config (loss, optimizer), or null.
    [[nodiscard]] Json& trainingConfig() { return m_trainingConfig; }
    [[nodiscard]] const Json& trainingConfig() const { return m_trainingConfig; }

    [[nodiscard]] Node& root() { return *m_root; }
    [[nodiscard]] const Node& root() const { return *m_root; }

    [[nodiscard]] std::vector<Layer>& layers() { return m_layers; }
    [[nodiscard]] const std::vector<Layer>& layers() const { return m_layers; }
    [[nodiscard]] std::uint64_t totalParams() const;
    [[nodiscard]] std::uint64_t trainableParams() const;
    [[nodiscard]] std::uint64_t nonTrainableParams() const;

    /// Pickle streams the reader decoded (empty for HDF5, safetensors, npy).
    [[nodiscard]] const std::vector<PickleStream>& pickleStreams() const { return m_pickles; }
    void addPickleStream(PickleStream stream) { m_pickles.push_back(std::move(stream)); }

    /// Non-fatal problems met while reading (shown to the user, never silently dropped).
    [[nodiscard]] const std::vector<std::string>& warnings() const { return m_warnings; }
    void addWarning(std::string w) { m_warnings.push_back(std::move(w)); }

    /// Parts that could not be opened (also said in a warning).
    [[nodiscard]] const std::vector<UncheckedPart>& uncheckedParts() const { return m_unchecked; }
    void addUncheckedPart(UncheckedPart part) { m_unchecked.push_back(std::move(part)); }

    /// Faults in the layout of the tensor data (also said in a warning).
    [[nodiscard]] const std::vector<LayoutProblem>& layoutProblems() const { return m_layout; }
    void addLayoutProblem(LayoutProblem p) { m_layout.push_back(std::move(p)); }

    /// All tensor nodes in tree order.
    [[nodiscard]] std::vector<const Node*> tensorNodes() const;
    /// The tensor node at `path`, or null.
    [[nodiscard]] const Node* findTensor(const std::string& path) const;

private:
    std::string m_format;
    std::string m_formatDescription;
    std::string m_filePath;
    std::uint64_t m_fileSize = 0;
    Json m_metadata = Json::object();
    Json m_config;
    Json m_trainingConfig;
    std::unique_ptr<Node> m_root;
    std::vector<Layer> m_layers;
    std::vector<std::string> m_warnings;
    std::vector<PickleStream> m_pickles;
    std::vector<UncheckedPart> m_unchecked;
    std::vector<LayoutProblem> m_layout;
};

}  // namespace ckpt::core
