#include "core/formats/keras_h5_reader.h"

#include "core/formats/hdf5_tree.h"
#include "core/formats/keras_common.h"
#include "core/io/hdf5_attributes.h"
#include "core/io/hdf5_file.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

bool hasNameList(hid_t obj, const std::string& name) {
    return hasAttribute(obj, name) || hasAttribute(obj, name + "0");
}

}  // namespace

int KerasH5Reader::probe(ProbeContext& context) const {
    if (!context.hasHdf5Signature()) {
        return probe::kNotMine;
    }
    const auto file = context.hdf5();
    const hid_t root = file->id();
    if (hasAttribute(root, "model_config") || hasNameList(root, "layer_names")) {
        return probe::kLayout;
    }
    if (h5Exists(root, "model_weights")) {
        Hdf5Lock lock(hdf5Mutex());
        H5Id group(H5Gopen2(root, "model_weights", H5P_DEFAULT));
        if (group.valid() && hasNameList(group.get(), "layer_names")) {
            return probe::kLayout;
        }
    }
    return probe::kNotMine;
}

std::unique_ptr<Checkpoint> KerasH5Reader::open(ProbeContext& context,
                                                const OpenOptions& options) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    Node& root = checkpoint->root();
    buildHdf5Tree(context.hdf5(), root, options.progress);
    const Json& rootAttrs = root.attributes();

    const bool full = rootAttrs.contains("model_config") || root.findChild("model_weights");
    if (full) {
        checkpoint->setFormat("keras-h5", "Keras legacy HDF5 full model");
    } else {
        checkpoint->setFormat("keras-h5-weights", "Keras legacy HDF5 weights");
    }

    Json& meta = checkpoint->metadata();
    const auto text = [&](const char* key) -> std::string {
        const auto it = rootAttrs.find(key);
        return it != rootAttrs.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    for (const char* key : {"keras_version", "backend"}) {
        if (const auto v = text(key); !v.empty()) {
            meta[key] = v;
        }
    }
    if (!meta.contains("keras_version")) {
        // Keras treats a missing version as Keras 1 (and converts kernels on load).
        meta["keras_version"] = full ? "1 (no keras_version attribute)" : "unknown";
    }
    if (rootAttrs.contains("model_config")) {
        checkpoint->config() = parseKerasJson(text("model_config"), "model_config attribute");
        addModelMetadata(checkpoint->config(), meta);
    }
    if (rootAttrs.contains("training_config")) {
        checkpoint->trainingConfig() =
            parseKerasJson(text("training_config"), "training_config attribute");
        const auto& tc = checkpoint->trainingConfig();
        if (tc.is_object() && tc.contains("optimizer_config") &&
            tc["optimizer_config"].is_object() && tc["optimizer_config"].contains("class_name")) {
            meta["optimizer"] = tc["optimizer_config"]["class_name"];
        }
    }

    const Node* weightsRoot = full ? root.findChild("model_weights") : &root;
    if (weightsRoot != nullptr) {
        checkpoint->layers() =
            legacyKerasLayers(*weightsRoot, kerasLayerSpecs(checkpoint->config()));
    } else {
        checkpoint->addWarning("the file has a model_config but no model_weights group");
        for (const auto& spec : kerasLayerSpecs(checkpoint->config())) {
            checkpoint->layers().push_back({spec.name, spec.className, 0, 0, 0, {}, spec.config});
        }
    }
    if (root.findChild("optimizer_weights") != nullptr) {
        meta["optimizer_weights"] = true;
    }

    return checkpoint;
}

}  // namespace ckpt::core
