#include "ui/jobs/graph_job.h"

#include <QElapsedTimer>
#include <algorithm>

#include "core/graph/graph_builder.h"
#include "core/model/checkpoint.h"

namespace ckpt::ui {

namespace {

/// Boxes shown at first; a bigger graph starts with its deeper levels folded.
constexpr std::size_t kDefaultBoxes = 400;

}  // namespace

GraphJob::GraphJob(QObject* parent)
    : QObject(parent),
      m_job(
          this, tr("lay out the graph"), [this](int v) { emit progress(v); },
          [this](BackgroundJob<GraphDrawing>::Outcome out) {
              if (out.value) {
                  emit ready(*out.value);
              } else {
                  emit failed(out.failure.error);
              }
          }) {
    qRegisterMetaType<GraphDrawing>();
}

GraphJob::~GraphJob() = default;

void GraphJob::cancel() {
    m_job.cancel();
}

std::vector<core::GraphNodeId> GraphJob::defaultCollapsed(const core::Graph& graph,
                                                          std::size_t maxBoxes) {
    const auto& nodes = graph.nodes();
    std::uint32_t deepest = 0;
    for (const auto& n : nodes) {
        deepest = std::max(deepest, n.depth);
    }
    // Boxes shown when every nested node at depth >= d is folded: nodes above d that are
    // leaves, plus the nested nodes at depth d (and leaves at depth d).
    for (std::uint32_t limit = deepest + 1; limit-- > 0;) {
        std::size_t boxes = 0;
        for (const auto& n : nodes) {
            if (n.depth < limit ? n.children.empty() : n.depth == limit) {
                ++boxes;
            }
        }
        if (boxes <= maxBoxes || limit == 0) {
            std::vector<core::GraphNodeId> out;
            if (limit == deepest) {
                return out;  // everything fits (the deepest level has no nested nodes)
            }
            for (core::GraphNodeId id = 0; id < nodes.size(); ++id) {
                if (nodes[id].depth == limit && !nodes[id].children.empty()) {
                    out.push_back(id);
                }
            }
            return out;
        }
    }
    return {};
}

void GraphJob::start(std::shared_ptr<const core::Checkpoint> checkpoint,
                     std::shared_ptr<const core::Graph> graph,
                     std::vector<core::GraphNodeId> collapsed, bool autoCollapse) {
    if (!checkpoint && !graph) {
        cancel();
        return;
    }
    m_job.start([checkpoint, graph, collapsed = std::move(collapsed),
                 autoCollapse](const JobContext& ctx) mutable {
        GraphDrawing drawing;
        ctx.setPhase(QObject::tr("Reading the architecture…"));
        if (!graph) {
            graph = std::make_shared<const core::Graph>(core::buildGraph(*checkpoint));
        }
        if (ctx.stopRequested()) {
            throw core::CancelledError();
        }
        if (autoCollapse) {
            collapsed = defaultCollapsed(*graph, kDefaultBoxes);
        }
        core::GraphLayoutOptions options;
        options.collapsed = collapsed;
        options.progress = [&](std::uint64_t done, std::uint64_t total) {
            return ctx.progress(total + done, 2 * total);  // the build was the first half
        };
        ctx.setPhase(QObject::tr("Laying out…"));
        QElapsedTimer timer;
        timer.start();
        drawing.layout = core::layoutGraph(*graph, options);
        drawing.layoutMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        drawing.graph = std::move(graph);
        drawing.collapsed = std::move(collapsed);
        return drawing;
    });
    emit progress(-1);
}

}  // namespace ckpt::ui
