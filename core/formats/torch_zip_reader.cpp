#include "core/formats/torch_zip_reader.h"

#include "core/formats/torch_zip_common.h"
#include "core/io/zip_archive.h"

namespace ckpt::core {

int TorchZipReader::probe(ProbeContext& context) const {
    if (!context.hasZipSignature()) {
        return probe::kNotMine;
    }
    const auto layout = torchZipLayout(*context.zip());
    return layout && layout->constantsPkl == nullptr && !layout->hasCode ? probe::kMarker + 10
                                                                         : probe::kNotMine;
}

std::unique_ptr<Checkpoint> TorchZipReader::open(ProbeContext& context,
                                                 const OpenOptions& options) const {
    return openTorchZip(context, options, false);
}

}  // namespace ckpt::core
