#include "core/formats/keras_archive_reader.h"

#include "core/formats/hdf5_tree.h"
#include "core/formats/keras_common.h"
#include "core/io/byte_source.h"
#include "core/io/hdf5_file.h"
#include "core/io/zip_archive.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

// Keras 2.11 named the weights member variables.h5; later versions model.weights.h5.
constexpr const char* kWeightMembers[] = {"model.weights.h5", "variables.h5"};

}  // namespace

int KerasArchiveReader::probe(ProbeContext& context) const {
    if (!context.hasZipSignature()) {
        return probe::kNotMine;
    }
    const auto zip = context.zip();
    if (zip->find("config.json") == nullptr) {
        return probe::kNotMine;
    }
    for (const char* m : kWeightMembers) {
        if (zip->find(m) != nullptr) {
            return probe::kMarker;
        }
    }
    return zip->find("metadata.json") != nullptr ? probe::kHeader : probe::kNotMine;
}

std::unique_ptr<Checkpoint> KerasArchiveReader::open(ProbeContext& context,
                                                     const OpenOptions& options) const {
    const auto zip = context.zip();
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    Node& root = checkpoint->root();
    Json& meta = checkpoint->metadata();

    if (const ZipEntry* m = zip->find("metadata.json")) {
        const Json metadata = parseKerasJson(zip->readText(*m), "metadata.json");
        if (metadata.is_object()) {
            for (const auto& [k, v] : metadata.items()) {
                meta[k] = v;
            }
        }
        auto& node = root.addChild(NodeKind::Value, "metadata.json");
        node.setTypeName("json");
        node.setValue(metadata.dump());
    }
    const ZipEntry* configEntry = zip->find("config.json");
    if (configEntry == nullptr) {
        throw CorruptDataError("the archive has no config.json");
    }
    checkpoint->config() = parseKerasJson(zip->readText(*configEntry), "config.json");
    addModelMetadata(checkpoint->config(), meta);
    if (checkpoint->config().is_object() && checkpoint->config().contains("compile_config")) {
        checkpoint->trainingConfig() = checkpoint->config()["compile_config"];
    }
    {
        auto& node = root.addChild(NodeKind::Value, "config.json");
        node.setTypeName("json");
        node.setValue(std::to_string(configEntry->size) + " bytes of model config");
    }

    const auto specs = kerasLayerSpecs(checkpoint->config());
    bool weightsFound = false;
    for (const char* name : kWeightMembers) {
        const ZipEntry* entry = zip->find(name);
        if (entry == nullptr) {
            continue;
        }
        weightsFound = true;
        auto& archive = root.addChild(NodeKind::Archive, name);
        archive.setTypeName("hdf5");
        archive.attributes()["stored"] = entry->stored();
        archive.attributes()["size"] = entry->size;
        try {
            const auto h5 = Hdf5File::open(zip->member(*entry));
            buildHdf5Tree(h5, archive, options.progress);
        } catch (Error& e) {
            e.fillContext({{}, {}, name});
            throw;
        }
        checkpoint->layers() = hasVarsLayout(archive) ? varsKerasLayers(archive, specs)
                                                      : legacyKerasLayers(archive, specs);
        break;
    }
    if (!weightsFound) {
        if (zip->find("model.weights.npz") != nullptr) {
            checkpoint->addWarning(
                "weights are in model.weights.npz (pickled object arrays), "
                "which this reader does not open yet");
        } else {
            checkpoint->addWarning("the archive holds no weights member");
        }
        for (const auto& spec : specs) {
            checkpoint->layers().push_back({spec.name, spec.className, 0, 0, 0, {}, spec.config});
        }
    }
    for (const auto& e : zip->entries()) {
        if (e.name.rfind("assets/", 0) == 0) {
            auto& node = root.addChild(NodeKind::Value, e.name);
            node.setTypeName("asset");
            node.setValue(std::to_string(e.size) + " bytes");
        }
    }
    return checkpoint;
}

}  // namespace ckpt::core
