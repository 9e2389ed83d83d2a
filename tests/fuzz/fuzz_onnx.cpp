// The ONNX reader: the probe's look at the first ModelProto fields, protobuf's parse under the
// ONNX limits (size, depth, parse memory), initializers in raw_data and every typed field, value
// types and node attributes; exercise() then reads every tensor. The bytes sit in memory, so
// external data is never opened (a model that is not a file of its own reads no file beside it).

#include "core/graph/graph_builder.h"
#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ckpt::fuzz::guarded([&] {
        ckpt::core::ProbeContext context(ckpt::fuzz::bytes(data, size, "fuzz.onnx"), "fuzz.onnx");
        const ckpt::core::Reader* reader = nullptr;
        for (const ckpt::core::Reader* r : ckpt::core::readers()) {
            reader = r->id() == "onnx" ? r : reader;
        }
        if (reader->probe(context) > 0) {
            const auto c = reader->open(context, {});
            ckpt::fuzz::exercise(*c);
            (void)ckpt::core::buildGraph(*c);
        }
    });
    return 0;
}
