#include "core/formats/pickle_reader.h"

#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"

namespace ckpt::core {

int PickleReader::probe(ProbeContext& context) const {
    if (!looksLikePickle(context.source())) {
        return probe::kNotMine;
    }
    // PROTO 2+ is a strong sign; a protocol 0/1 text stream less so.
    return context.head()[0] == std::byte{0x80} ? probe::kStructure : probe::kPlausible;
}

std::unique_ptr<Checkpoint> PickleReader::open(ProbeContext& context,
                                               const OpenOptions& options) const {
    return openPickleData(context.sourcePtr(), "", options);
}

}  // namespace ckpt::core
