// GUI-thread cost of opening a checkpoint in ckpt-inspector: from the moment the load result
// is ready in the worker to the window painted with the tree visible (model insert, overview,
// architecture, layer table, first paint). Reading happens in the worker and is not counted.
//
//   ckpt_bench_gui_open                 generated checkpoints with 10,000 and 100,000 tensors
//   ckpt_bench_gui_open FILE...         real files, opened by the core readers
//
// Prints one line per case; exits 1 when a generated 10,000-tensor case takes 1 s or more.

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QPixmap>
#include <QStandardPaths>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>

#include "core/io/byte_source.h"
#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/model/tensor.h"
#include "ui/controllers/session_controller.h"
#include "ui/jobs/load_controller.h"
#include "ui/main_window.h"
#include "ui/models/checkpoint_tree_model.h"

using Clock = std::chrono::steady_clock;
using ckpt::core::Checkpoint;
using ckpt::core::Node;
using ckpt::core::NodeKind;

namespace {

// `layers` Keras-like Dense layers (kernel (4,4), bias (4) each) under model_weights, with a
// config and a layer list, all tensors over one in-memory buffer.
std::unique_ptr<Checkpoint> makeKerasLike(int layers) {
    auto c = std::make_unique<Checkpoint>("keras-h5", "Keras legacy HDF5 full model (generated)");
    c->setFile("generated.h5", static_cast<std::uint64_t>(layers) * 80);
    c->metadata()["keras_version"] = "2.15.0";
    std::vector<std::byte> bytes(static_cast<std::size_t>(layers) * 80);
    for (std::size_t i = 0; i < bytes.size() / 4; ++i) {
        const float f = static_cast<float>(i % 97) / 97.0f - 0.5f;
        std::memcpy(bytes.data() + i * 4, &f, 4);
    }
    auto source = std::make_shared<ckpt::core::MemorySource>(std::move(bytes), "generated");
    Node& weights = c->root().addChild(NodeKind::Group, "model_weights");
    ckpt::core::Json list = ckpt::core::Json::array();
    for (int i = 0; i < layers; ++i) {
        const std::string name = "dense_" + std::to_string(i);
        Node& inner = weights.addChild(NodeKind::Group, name).addChild(NodeKind::Group, name);
        const std::uint64_t at = static_cast<std::uint64_t>(i) * 80;
        inner.addChild(NodeKind::Tensor, "kernel:0")
            .setTensor(std::make_shared<ckpt::core::Tensor>(
                ckpt::core::DType::Float32, std::vector<std::uint64_t>{4, 4},
                std::make_shared<ckpt::core::ContiguousTensorSource>(source, at, 4, 16, false)));
        inner.addChild(NodeKind::Tensor, "bias:0")
            .setTensor(std::make_shared<ckpt::core::Tensor>(
                ckpt::core::DType::Float32, std::vector<std::uint64_t>{4},
                std::make_shared<ckpt::core::ContiguousTensorSource>(source, at + 64, 4, 4,
                                                                     false)));
        list.push_back({{"class_name", "Dense"},
                        {"config", {{"name", name}, {"units", 4}, {"activation", "relu"}}}});
        ckpt::core::Layer l;
        l.name = name;
        l.className = "Dense";
        l.params = l.trainableParams = 20;
        l.weightPaths = {"model_weights/" + name + "/" + name + "/kernel:0",
                         "model_weights/" + name + "/" + name + "/bias:0"};
        l.config = list.back();
        c->layers().push_back(std::move(l));
    }
    c->config() = {{"class_name", "Sequential"}, {"config", {{"name", "gen"}, {"layers", list}}}};
    return c;
}

// One group with `n` tensors side by side (a flat state dict).
std::unique_ptr<Checkpoint> makeFlat(int n) {
    auto c = std::make_unique<Checkpoint>("safetensors", "flat state dict (generated)");
    std::vector<std::byte> bytes(static_cast<std::size_t>(n) * 8);
    auto source = std::make_shared<ckpt::core::MemorySource>(std::move(bytes), "generated");
    Node& group = c->root().addChild(NodeKind::Group, "state_dict");
    for (int i = 0; i < n; ++i) {
        group.addChild(NodeKind::Tensor, "t" + std::to_string(i))
            .setTensor(std::make_shared<ckpt::core::Tensor>(
                ckpt::core::DType::Float32, std::vector<std::uint64_t>{2},
                std::make_shared<ckpt::core::ContiguousTensorSource>(
                    source, static_cast<std::uint64_t>(i) * 8, 4, 2, false)));
    }
    return c;
}

struct Result {
    double guiMs = -1;
    double workerMs = 0;
    std::size_t tensors = 0;
};

Result measure(const QString& path,
               std::function<std::unique_ptr<Checkpoint>(const ckpt::ui::LoadRequest&,
                                                         const ckpt::core::ProgressFn&)>
                   open) {
    ckpt::ui::MainWindow w;
    w.setErrorPresenter([](const QString&, const QString& m) {
        std::fprintf(stderr, "error: %s\n", qPrintable(m));
    });
    w.resize(1280, 800);
    w.show();
    std::atomic<Clock::rep> workerEnd{0};
    std::atomic<Clock::rep> workerStart{0};
    w.session()->loader()->setOpenFunction(
        [&](const ckpt::ui::LoadRequest& r, const ckpt::core::ProgressFn& p) {
            workerStart = Clock::now().time_since_epoch().count();
            auto c = open(r, p);
            workerEnd = Clock::now().time_since_epoch().count();
            return c;
        });
    Result result;
    QEventLoop loop;
    QObject::connect(w.session(), &ckpt::ui::SessionController::documentOpened, &loop, [&] {
        const QPixmap painted = w.grab();
        const auto end = Clock::now().time_since_epoch().count();
        result.guiMs = static_cast<double>(end - workerEnd.load()) / 1e6;
        result.workerMs = static_cast<double>(workerEnd.load() - workerStart.load()) / 1e6;
        result.tensors = w.session()->model()->checkpoint(0)->tensorNodes().size();
        loop.quit();
    });
    QObject::connect(w.session(), &ckpt::ui::SessionController::loadFailed, &loop,
                     [&] { loop.quit(); });
    w.openFiles({path});
    loop.exec();
    return result;
}

void print(const char* what, const Result& r) {
    std::printf("%-44s %8zu tensors   GUI thread %8.1f ms   (worker %8.1f ms, not counted)\n", what,
                r.tensors, r.guiMs, r.workerMs);
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName("ckpt-inspector-bench");
    QApplication::setApplicationName("bench_gui_open");
    int status = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; ++i) {
            const QString path = QFileInfo(QString::fromLocal8Bit(argv[i])).absoluteFilePath();
            const Result r = measure(path, &ckpt::ui::LoadController::openWithCore);
            print(argv[i], r);
            status |= r.guiMs < 0 ? 1 : 0;
        }
        return status;
    }
    const struct {
        const char* name;
        std::function<std::unique_ptr<Checkpoint>()> make;
        bool gated;
    } cases[] = {
        {"Keras-like, 5,000 layers x 2 tensors", [] { return makeKerasLike(5000); }, true},
        {"flat, 10,000 tensors in one group", [] { return makeFlat(10000); }, true},
        {"Keras-like, 50,000 layers x 2 tensors", [] { return makeKerasLike(50000); }, false},
        {"flat, 100,000 tensors in one group", [] { return makeFlat(100000); }, false},
    };
    for (const auto& c : cases) {
        const Result r = measure(QStringLiteral("/generated/%1").arg(c.name),
                                 [&c](const auto&, const auto&) { return c.make(); });
        print(c.name, r);
        if (c.gated && (r.guiMs < 0 || r.guiMs >= 1000.0)) {
            status = 1;
        }
    }
    return status;
}
