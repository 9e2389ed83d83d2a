// The Graph tab on a big model: a generated Keras functional model of N layers (default 1,000;
// a chain with a skip connection into every fourth layer, an Add merging them) opened in the
// Graph panel. Prints, separately:
//   - build: core::buildGraph on the config (worker thread in the app),
//   - layout: core::layoutGraph, Graphviz's dot (worker thread in the app),
//   - open-to-drawn: GraphPanel::setCheckpoint until the drawing is painted (GUI + worker),
//   - frame time while panning and zooming: a full repaint of the view per step, at the fitted
//     zoom (every box on screen) and at 100 %, mean and worst.
//
//   ckpt_bench_graph [LAYERS]
//
// Exits 1 when open-to-drawn takes 1 s or more, or a frame 50 ms or more (issue 17's targets).

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QPixmap>
#include <QProcess>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/graph/graph_builder.h"
#include "core/graph/graph_layout.h"
#include "core/model/checkpoint.h"
#include "ui/panels/graph_panel.h"
#include "ui/widgets/graph_view.h"

using ckpt::core::Json;

namespace {

Json inbound(const std::string& name) {
    return Json::array({Json::array({Json::array({name, 0, 0, Json::object()})})});
}

/// A Keras 2 functional config: input, N Dense layers in a chain, every fourth an Add of the
/// chain and the layer four back.
Json functionalConfig(int layers) {
    Json list = Json::array();
    list.push_back(
        {{"name", "input_1"},
         {"class_name", "InputLayer"},
         {"config", {{"batch_input_shape", Json::array({nullptr, 64})}, {"name", "input_1"}}},
         {"inbound_nodes", Json::array()}});
    std::string previous = "input_1";
    for (int i = 0; i < layers; ++i) {
        const std::string name = "layer_" + std::to_string(i);
        Json entry;
        entry["name"] = name;
        if (i % 4 == 3 && i >= 4) {
            entry["class_name"] = "Add";
            entry["config"] = {{"name", name}};
            const std::string skip = "layer_" + std::to_string(i - 4);
            entry["inbound_nodes"] =
                Json::array({Json::array({Json::array({previous, 0, 0, Json::object()}),
                                          Json::array({skip, 0, 0, Json::object()})})});
        } else {
            entry["class_name"] = "Dense";
            entry["config"] = {{"name", name}, {"units", 64}, {"activation", "relu"}};
            entry["inbound_nodes"] = inbound(previous);
        }
        list.push_back(entry);
        previous = name;
    }
    return {{"class_name", "Functional"},
            {"config",
             {{"name", "big"},
              {"layers", list},
              {"input_layers", Json::array({Json::array({"input_1", 0, 0})})},
              {"output_layers", Json::array({Json::array({previous, 0, 0})})}}}};
}

struct Frames {
    double mean = 0;
    double worst = 0;
};

/// Times `steps` full repaints of the view, each after `move` changed the view.
template <typename Move>
Frames frames(ckpt::ui::GraphView* view, int steps, Move move) {
    Frames f;
    for (int i = 0; i < steps; ++i) {
        move(i);
        QElapsedTimer t;
        t.start();
        const QPixmap p = view->viewport()->grab();  // a synchronous paint of the whole view
        const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
        if (p.isNull()) {
            return {-1, -1};
        }
        f.mean += ms / steps;
        f.worst = std::max(f.worst, ms);
    }
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const int layers = argc > 1 ? std::atoi(argv[1]) : 1000;
    auto checkpoint = std::make_shared<ckpt::core::Checkpoint>("keras-h5", "generated functional");
    checkpoint->config() = functionalConfig(layers);

    QElapsedTimer t;
    t.start();
    const ckpt::core::Graph graph = ckpt::core::buildGraph(*checkpoint);
    const double buildMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    t.restart();
    const ckpt::core::GraphLayout layout = ckpt::core::layoutGraph(graph);
    const double layoutMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    std::printf(
        "graph: %zu nodes, %zu edges; build %.1f ms, Graphviz layout %.1f ms (%.0f x %.0f pt)\n",
        graph.nodes().size(), graph.edges().size(), buildMs, layoutMs, layout.width, layout.height);

    // The peer: Graphviz's own `dot` command laying out and drawing the same graph as SVG (the
    // DOT text from renderGraph, positions dropped by dot's fresh layout), process start
    // included.
    QTemporaryDir tmp;
    const QString dotFile = tmp.filePath(QStringLiteral("graph.dot"));
    {
        QFile f(dotFile);
        const std::string dot = ckpt::core::renderGraph(graph, ckpt::core::GraphFormat::Dot);
        if (f.open(QIODevice::WriteOnly)) {
            f.write(dot.data(), static_cast<qint64>(dot.size()));
        }
    }
    t.restart();
    QProcess dotRun;
    dotRun.start(QStringLiteral("dot"), {QStringLiteral("-Tsvg"), QStringLiteral("-o"),
                                         tmp.filePath(QStringLiteral("graph.svg")), dotFile});
    const bool dotOk = dotRun.waitForFinished(120000) && dotRun.exitCode() == 0;
    const double dotMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    if (dotOk) {
        std::printf("peer: dot -Tsvg on the same graph %.1f ms\n", dotMs);
    } else {
        std::printf("peer: dot -Tsvg did not run (is Graphviz's dot installed?)\n");
    }

    ckpt::ui::GraphPanel panel;
    panel.resize(1280, 800);
    panel.show();
    QSignalSpy ready(&panel, &ckpt::ui::GraphPanel::ready);
    t.restart();
    panel.setCheckpoint(checkpoint);
    if (!ready.wait(60000) || !panel.graph()) {
        std::printf("the panel drew nothing\n");
        return 1;
    }
    const QPixmap first = panel.grab();
    const double openMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    std::printf("open-to-drawn: %.1f ms (%s)\n", openMs, first.isNull() ? "no paint" : "painted");
    if (dotOk) {
        std::printf("ratio dot -Tsvg / open-to-drawn: %.2f\n", dotMs / openMs);
    }

    ckpt::ui::GraphView* view = panel.view();
    view->fitAll();
    const double fittedZoom = view->zoom();
    const Frames fitted =
        frames(view, 20, [&](int i) { view->zoomBy(i % 2 == 0 ? 1.05 : 1 / 1.05); });
    view->setTransform(QTransform());
    const Frames full = frames(view, 40, [&](int i) {
        QScrollBar* bar = view->verticalScrollBar();
        bar->setValue(bar->minimum() + (bar->maximum() - bar->minimum()) * i / 40);
    });
    std::printf("frames, fitted zoom %.2f (every box on screen): mean %.1f ms, worst %.1f ms\n",
                fittedZoom, fitted.mean, fitted.worst);
    std::printf("frames, 100 %% while panning: mean %.1f ms, worst %.1f ms\n", full.mean,
                full.worst);
    const bool ok = openMs < 1000 && fitted.worst >= 0 && fitted.worst < 50 && full.worst < 50;
    std::printf("%s\n", ok ? "within target (open < 1 s, frames < 50 ms)" : "MISSED the target");
    return ok ? 0 : 1;
}
