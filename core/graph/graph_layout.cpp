#include "core/graph/graph_layout.h"

#include <algorithm>
#include <cctype>

#include "core/graph/graphviz_drawing.h"

namespace ckpt::core {

GraphLayout layoutGraph(const Graph& graph, const GraphLayoutOptions& options) {
    reportProgress(options.progress, 0, 3);
    const auto lock = graphviz::graphvizLock();
    graphviz::Drawing drawing(graph, options, nullptr);
    reportProgress(options.progress, 1, 3);
    drawing.layout();
    reportProgress(options.progress, 2, 3);
    GraphLayout layout = drawing.readBack();
    reportProgress(options.progress, 3, 3);
    return layout;
}

std::string renderGraph(const Graph& graph, GraphFormat format, const GraphLayoutOptions& options,
                        const GraphStyle* style) {
    reportProgress(options.progress, 0, 3);
    const auto lock = graphviz::graphvizLock();
    graphviz::Drawing drawing(graph, options, style);
    reportProgress(options.progress, 1, 3);
    drawing.layout();
    reportProgress(options.progress, 2, 3);
    std::string bytes = drawing.render(format);
    reportProgress(options.progress, 3, 3);
    return bytes;
}

bool graphFormatForPath(const std::string& path, GraphFormat& format) {
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || path.find('/', dot) != std::string::npos) {
        return false;
    }
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == "svg") {
        format = GraphFormat::Svg;
    } else if (ext == "png") {
        format = GraphFormat::Png;
    } else if (ext == "dot" || ext == "gv") {
        format = GraphFormat::Dot;
    } else {
        return false;
    }
    return true;
}

}  // namespace ckpt::core
