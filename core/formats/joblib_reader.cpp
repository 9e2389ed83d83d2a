#include "core/formats/joblib_reader.h"

#include "core/formats/joblib_decompress.h"
#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"
#include "core/util/error.h"

namespace ckpt::core {

int JoblibReader::probe(ProbeContext& context) const {
    const auto method = joblibCompression(context.head());
    if (method.empty()) {
        return probe::kNotMine;
    }
    if (method == "lz4") {
        return probe::kWrapper;  // recognised, so that open() can say it is unsupported
    }
    const std::string prefix = decompressPrefix(context.source(), method, 64);
    return prefix.size() >= 2 && static_cast<unsigned char>(prefix[0]) == 0x80 ? probe::kLayout
                                                                               : probe::kNotMine;
}

std::unique_ptr<Checkpoint> JoblibReader::open(ProbeContext& context,
                                               const OpenOptions& options) const {
    const auto method = joblibCompression(context.head());
    if (method == "lz4") {
        throw UnsupportedError("lz4-compressed joblib files are not supported (no lz4 library)");
    }
    const auto data = decompressJoblib(context.source(), method);
    auto checkpoint = openPickleData(data, method, options);
    checkpoint->metadata()["decompressed_size"] = data->size();
    return checkpoint;
}

}  // namespace ckpt::core
