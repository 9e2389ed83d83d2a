// Keras model_config decoding: JSON text as found in an attribute or config.json, the layer
// specs of every config shape, and the model metadata taken from it.

#include "core/formats/keras_common.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    fuzz::guarded([&] {
        const std::string text(reinterpret_cast<const char*>(data), size);
        const core::Json config = core::parseKerasJson(text, "model_config");
        (void)core::kerasLayerSpecs(config);
        core::Json metadata = core::Json::object();
        core::addModelMetadata(config, metadata);
        (void)core::dumpJson(metadata);
    });
    return 0;
}
