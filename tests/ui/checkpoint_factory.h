#pragma once
// Checkpoints built in code for the UI tests: a small Keras-like model and a very large one.
// Tensors read from one MemorySource through ContiguousTensorSource, as a real reader would.

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/model/tensor.h"

namespace ckpt::test {

/// Builds tensors whose float32 values are f(i) for element i, backed by one buffer.
class TensorBuilder {
public:
    struct Spec {
        std::string path;
        std::vector<std::uint64_t> shape;
        double (*value)(std::uint64_t);
    };

    void add(const std::string& path, std::vector<std::uint64_t> shape,
             double (*value)(std::uint64_t)) {
        m_specs.push_back({path, std::move(shape), value});
    }

    /// Adds all tensors under `root`, creating groups along the paths.
    void build(core::Node& root, const std::string& name = "in-memory test checkpoint") {
        std::vector<std::byte> bytes;
        std::vector<std::uint64_t> offsets;
        for (const auto& s : m_specs) {
            offsets.push_back(bytes.size());
            std::uint64_t n = 1;
            for (auto d : s.shape) {
                n *= d;
            }
            const auto at = bytes.size();
            bytes.resize(at + n * 4);
            for (std::uint64_t i = 0; i < n; ++i) {
                const float f = static_cast<float>(s.value(i));
                std::memcpy(bytes.data() + at + i * 4, &f, 4);
            }
        }
        auto source = std::make_shared<core::MemorySource>(std::move(bytes), name);
        for (std::size_t k = 0; k < m_specs.size(); ++k) {
            const auto& s = m_specs[k];
            core::Node* parent = &root;
            std::string rest = s.path;
            std::size_t slash;
            while ((slash = rest.find('/')) != std::string::npos) {
                const std::string part = rest.substr(0, slash);
                core::Node* next = parent->findChild(part);
                parent = next != nullptr ? next : &parent->addChild(core::NodeKind::Group, part);
                rest = rest.substr(slash + 1);
            }
            std::uint64_t n = 1;
            for (auto d : s.shape) {
                n *= d;
            }
            auto tensor = std::make_shared<core::Tensor>(
                core::DType::Float32, s.shape,
                std::make_shared<core::ContiguousTensorSource>(source, offsets[k], 4, n, false));
            parent->addChild(core::NodeKind::Tensor, rest).setTensor(std::move(tensor));
        }
    }

private:
    std::vector<Spec> m_specs;
};

inline double waveValue(std::uint64_t i) {
    return std::sin(static_cast<double>(i) * 0.37) * 0.5;
}
inline double rampValue(std::uint64_t i) {
    return static_cast<double>(i) * 0.01;
}
inline double oneValue(std::uint64_t) {
    return 1.0;
}

/// A Keras-like Sequential model: conv2d (3,3,2,4) -> flatten -> dense (8 -> 16) -> dropout
/// -> dense_1 (16 -> 3), with batch-norm style non-trainable weights on dense.
inline std::unique_ptr<core::Checkpoint> makeSmallModel() {
    auto c = std::make_unique<core::Checkpoint>("keras-h5", "Keras legacy HDF5 full model");
    c->setFile("/data/models/small_model.h5", 12345);
    c->metadata()["keras_version"] = "2.4.0";
    c->metadata()["backend"] = "tensorflow";
    c->metadata()["date_saved"] = "2024-01-02@03:04:05";

    auto layerJson = [](const char* cls, core::Json cfg) {
        return core::Json{{"class_name", cls}, {"config", std::move(cfg)}};
    };
    core::Json layers = core::Json::array();
    layers.push_back(layerJson("Conv2D", {{"name", "conv2d"},
                                          {"filters", 4},
                                          {"kernel_size", {3, 3}},
                                          {"strides", {1, 1}},
                                          {"padding", "valid"},
                                          {"activation", "relu"},
                                          {"batch_input_shape", {nullptr, 5, 5, 2}}}));
    layers.push_back(layerJson("Flatten", {{"name", "flatten"}}));
    layers.push_back(
        layerJson("Dense", {{"name", "dense"}, {"units", 16}, {"activation", "relu"}}));
    layers.push_back(layerJson("Dropout", {{"name", "dropout"}, {"rate", 0.25}}));
    layers.push_back(
        layerJson("Dense", {{"name", "dense_1"}, {"units", 3}, {"activation", "softmax"}}));
    c->config() = {{"class_name", "Sequential"},
                   {"config", {{"name", "sequential"}, {"layers", layers}}}};
    c->trainingConfig() = {
        {"loss", "categorical_crossentropy"},
        {"optimizer_config", {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}}}};

    TensorBuilder b;
    b.add("model_weights/conv2d/conv2d/kernel:0", {3, 3, 2, 4}, waveValue);
    b.add("model_weights/conv2d/conv2d/bias:0", {4}, rampValue);
    b.add("model_weights/dense/dense/kernel:0", {8, 16}, waveValue);
    b.add("model_weights/dense/dense/bias:0", {16}, rampValue);
    b.add("model_weights/dense/dense/moving_mean:0", {16}, oneValue);
    b.add("model_weights/dense_1/dense_1/kernel:0", {16, 3}, waveValue);
    b.add("model_weights/dense_1/dense_1/bias:0", {3}, rampValue);
    b.build(c->root());
    c->root().findChild("model_weights")->addChild(core::NodeKind::Group, "flatten");
    c->root().findChild("model_weights")->addChild(core::NodeKind::Group, "dropout");
    auto& version = c->root().addChild(core::NodeKind::Value, "keras_version");
    version.setTypeName("str");
    version.setValue("2.4.0");

    auto layer = [&](const char* name, const char* cls, std::uint64_t trainable,
                     std::uint64_t nonTrainable, std::vector<std::string> weights,
                     std::size_t configIndex) {
        core::Layer l;
        l.name = name;
        l.className = cls;
        l.trainableParams = trainable;
        l.nonTrainableParams = nonTrainable;
        l.params = trainable + nonTrainable;
        l.weightPaths = std::move(weights);
        l.config = layers[configIndex];
        c->layers().push_back(std::move(l));
    };
    layer("conv2d", "Conv2D", 76, 0,
          {"model_weights/conv2d/conv2d/kernel:0", "model_weights/conv2d/conv2d/bias:0"}, 0);
    layer("flatten", "Flatten", 0, 0, {}, 1);
    layer("dense", "Dense", 144, 16,
          {"model_weights/dense/dense/kernel:0", "model_weights/dense/dense/bias:0",
           "model_weights/dense/dense/moving_mean:0"},
          2);
    layer("dropout", "Dropout", 0, 0, {}, 3);
    layer("dense_1", "Dense", 51, 0,
          {"model_weights/dense_1/dense_1/kernel:0", "model_weights/dense_1/dense_1/bias:0"}, 4);
    c->addWarning("optimizer weights were skipped");
    return c;
}

/// A checkpoint with `layers` Dense layers, each with kernel (4, 4) and bias (4): 2 tensors
/// per layer, all layer groups under one "model_weights" group; config and layer list filled.
inline std::unique_ptr<core::Checkpoint> makeWideModel(int layers) {
    auto c = std::make_unique<core::Checkpoint>("keras-h5", "Keras legacy HDF5 full model");
    c->setFile("/data/models/wide_model.h5", 1u << 20);
    c->metadata()["keras_version"] = "2.15.0";
    core::Json list = core::Json::array();
    TensorBuilder b;
    for (int i = 0; i < layers; ++i) {
        const std::string name = "dense_" + std::to_string(i);
        b.add("model_weights/" + name + "/" + name + "/kernel:0", {4, 4}, waveValue);
        b.add("model_weights/" + name + "/" + name + "/bias:0", {4}, rampValue);
        list.push_back({{"class_name", "Dense"},
                        {"config", {{"name", name}, {"units", 4}, {"activation", "relu"}}}});
    }
    b.build(c->root());
    c->config() = {{"class_name", "Sequential"}, {"config", {{"name", "wide"}, {"layers", list}}}};
    for (int i = 0; i < layers; ++i) {
        const std::string name = "dense_" + std::to_string(i);
        core::Layer l;
        l.name = name;
        l.className = "Dense";
        l.params = l.trainableParams = 20;
        l.weightPaths = {"model_weights/" + name + "/" + name + "/kernel:0",
                         "model_weights/" + name + "/" + name + "/bias:0"};
        l.config = list[static_cast<std::size_t>(i)];
        c->layers().push_back(std::move(l));
    }
    return c;
}

/// One group holding `n` scalar-ish tensors directly (a flat state dict).
inline std::unique_ptr<core::Checkpoint> makeFlatModel(int n) {
    auto c = std::make_unique<core::Checkpoint>("safetensors", "safetensors");
    TensorBuilder b;
    for (int i = 0; i < n; ++i) {
        b.add("state_dict/t" + std::to_string(i), {2}, rampValue);
    }
    b.build(c->root());
    return c;
}

}  // namespace ckpt::test
