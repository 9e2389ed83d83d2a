// Architecture graphs from untrusted model configs: the JSON a model_config or config.json
// holds becomes a Keras graph (every dialect, nested models, references to anything), its
// JSON, and for small graphs a Graphviz layout and an SVG; the same bytes, split at newlines,
// are also taken as tensor keys for the dotted-key hierarchy.

#include "core/formats/keras_common.h"
#include "core/graph/graph_builder.h"
#include "core/graph/graph_json.h"
#include "core/graph/graph_layout.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    const std::string text(reinterpret_cast<const char*>(data), size);
    fuzz::guarded([&] {
        core::GraphBuildOptions options;
        options.maxNodes = 2000;
        std::vector<core::KeyedTensor> keys;
        std::size_t start = 0;
        while (start < text.size() && keys.size() < 256) {
            const auto end = std::min(text.find('\n', start), text.size());
            keys.push_back({text.substr(start, end - start), end - start, (end & 1) != 0});
            start = end + 1;
        }
        const core::Graph byKeys = core::buildKeyGraph(keys, options);
        (void)core::graphJson(byKeys).dump(-1, ' ', false, core::Json::error_handler_t::replace);

        const core::Json config = core::parseKerasJson(text, "model_config");
        const core::Graph g = core::buildKerasGraph(config, nullptr, options);
        (void)core::graphJson(g).dump(-1, ' ', false, core::Json::error_handler_t::replace);
        if (g.nodes().size() <= 40) {
            core::GraphLayoutOptions layout;
            layout.maxBoxes = 40;
            (void)core::layoutGraph(g, layout);
            (void)core::renderGraph(g, core::GraphFormat::Svg, layout);
        }
    });
    return 0;
}
