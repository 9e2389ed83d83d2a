#include "core/formats/torch_script_reader.h"

#include "core/formats/torch_zip_common.h"
#include "core/io/zip_archive.h"

namespace ckpt::core {

int TorchScriptReader::probe(ProbeContext& context) const {
    if (!context.hasZipSignature()) {
        return probe::kNotMine;
    }
    // torch.load sends archives with constants.pkl to torch.jit.load.
    const auto layout = torchZipLayout(*context.zip());
    return layout && (layout->constantsPkl != nullptr || layout->hasCode) ? probe::kMarker + 10
                                                                          : probe::kNotMine;
}

std::unique_ptr<Checkpoint> TorchScriptReader::open(ProbeContext& context,
                                                    const OpenOptions& options) const {
    return openTorchZip(context, options, true);
}

}  // namespace ckpt::core
