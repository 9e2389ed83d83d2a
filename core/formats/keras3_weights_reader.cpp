#include "core/formats/keras3_weights_reader.h"

#include "core/formats/hdf5_tree.h"
#include "core/formats/keras_common.h"
#include "core/io/hdf5_file.h"
#include "core/model/keras_layout.h"

namespace ckpt::core {

int Keras3WeightsReader::probe(ProbeContext& context) const {
    if (!context.hasHdf5Signature()) {
        return probe::kNotMine;
    }
    const hid_t root = context.hdf5()->id();
    for (const std::string& top : kerasLayerContainers()) {
        if (h5Exists(root, top)) {
            for (const auto& m : listGroup(root, top)) {
                if (m.kind == H5ObjectKind::Group && h5Exists(root, top + "/" + m.name + "/vars")) {
                    return probe::kLayout - 5;  // below the legacy Keras layout
                }
            }
        }
    }
    return h5Exists(root, "vars") && h5Exists(root, "optimizer/vars") ? probe::kStructure
                                                                      : probe::kNotMine;
}

std::unique_ptr<Checkpoint> Keras3WeightsReader::open(ProbeContext& context,
                                                      const OpenOptions& options) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    Node& root = checkpoint->root();
    buildHdf5Tree(context.hdf5(), root, options.progress);
    checkpoint->layers() = varsKerasLayers(root, {});
    if (const Node* vars = root.findChild("vars")) {
        const auto it = vars->attributes().find("name");
        if (it != vars->attributes().end() && it->is_string()) {
            checkpoint->metadata()["model_name"] = *it;
        }
    }
    if (root.findChild("_layer_checkpoint_dependencies") != nullptr) {
        checkpoint->metadata()["keras_version"] = "2.12-2.14 (_layer_checkpoint_dependencies)";
    }
    return checkpoint;
}

}  // namespace ckpt::core
