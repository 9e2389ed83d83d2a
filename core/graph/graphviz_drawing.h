#pragma once
/// Internal to core/graph: one Graph turned into a Graphviz graph, laid out, read back and
/// rendered. Not thread-safe by itself: hold graphvizLock() for the object's whole life.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/graph/graph_layout.h"

namespace ckpt::core::graphviz {

/// The one lock around every Graphviz call of the process.
[[nodiscard]] std::unique_lock<std::mutex> graphvizLock();

/// Which nodes are boxes, which are clusters and which are hidden, for given options.
struct Visibility {
    std::vector<char> box;      ///< drawn as a box (a leaf, or collapsed)
    std::vector<char> cluster;  ///< drawn as a frame around its children
    /// The box that stands for each node: itself, or the collapsed ancestor that hides it;
    /// kNoGraphNode for clusters.
    std::vector<GraphNodeId> rep;
    std::size_t boxes = 0;
};
[[nodiscard]] Visibility visibility(const Graph& graph, const GraphLayoutOptions& options);

class Drawing {
public:
    /// Builds the Graphviz graph. `style` may be null. Throws LimitError past maxBoxes.
    Drawing(const Graph& graph, const GraphLayoutOptions& options, const GraphStyle* style);
    ~Drawing();
    Drawing(const Drawing&) = delete;
    Drawing& operator=(const Drawing&) = delete;

    /// Runs `dot`; throws CorruptDataError with Graphviz's message when it fails.
    void layout();
    /// Positions after layout(), in GraphLayout's coordinates.
    [[nodiscard]] GraphLayout readBack() const;
    /// Bytes of one rendering after layout().
    [[nodiscard]] std::string render(GraphFormat format);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ckpt::core::graphviz
