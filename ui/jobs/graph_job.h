#pragma once
// Builds the architecture graph of a checkpoint and lays it out with Graphviz off the GUI
// thread, with progress; the graph is built once per checkpoint and laid out again when the
// user collapses or expands a nested node.

#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "core/graph/graph.h"
#include "core/graph/graph_layout.h"
#include "ui/jobs/background_job.h"

namespace ckpt::core {
class Checkpoint;
}

namespace ckpt::ui {

/// A laid-out graph, ready to draw.
struct GraphDrawing {
    std::shared_ptr<const core::Graph> graph;
    core::GraphLayout layout;
    std::vector<core::GraphNodeId> collapsed;  ///< the nested nodes drawn as one box
    double layoutMs = 0.0;                     ///< time spent in Graphviz (build excluded)
};

/// One layout at a time; a newer start() supersedes the running one. Signals arrive on the
/// owner's thread.
class GraphJob : public QObject {
    Q_OBJECT

public:
    explicit GraphJob(QObject* parent = nullptr);
    ~GraphJob() override;

    /// Builds `checkpoint`'s graph (or reuses `graph` when given) and lays it out with the
    /// nested nodes in `collapsed` drawn as one box. `autoCollapse` replaces `collapsed` by a
    /// default that keeps big graphs readable (see defaultCollapsed).
    void start(std::shared_ptr<const core::Checkpoint> checkpoint,
               std::shared_ptr<const core::Graph> graph, std::vector<core::GraphNodeId> collapsed,
               bool autoCollapse);
    /// Drops the running layout; nothing is reported for it.
    void cancel();
    [[nodiscard]] bool isRunning() const { return m_job.isRunning(); }

    /// The nested nodes to collapse so that at most `maxBoxes` boxes show: deeper levels fold
    /// first (every nested node below the top level when even that is too many).
    [[nodiscard]] static std::vector<core::GraphNodeId> defaultCollapsed(const core::Graph& graph,
                                                                         std::size_t maxBoxes);

signals:
    /// Per mille of the phases (build, layout, read back).
    void progress(int permille);
    /// The drawing of the latest start().
    void ready(const ckpt::ui::GraphDrawing& drawing);
    /// The latest start() failed; `message` says why.
    void failed(const QString& message);

private:
    BackgroundJob<GraphDrawing> m_job;
};

}  // namespace ckpt::ui

Q_DECLARE_METATYPE(ckpt::ui::GraphDrawing)
