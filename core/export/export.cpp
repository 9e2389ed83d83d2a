#include "core/export/bundle_export.h"
#include "core/export/export_common.h"
#include "core/export/keras_export.h"
#include "core/export/pickle_clean.h"
#include "core/export/safetensors_export.h"
#include "core/util/error.h"

namespace ckpt::core {

ExportReport exportCheckpoint(const Checkpoint& checkpoint, ExportFormat format,
                              const std::filesystem::path& out, const ExportOptions& options) {
    // An option the format cannot honour is refused, never silently ignored.
    if (const std::string why = exportOptionsError(format, options); !why.empty()) {
        throw UnsupportedError(why);
    }
    switch (format) {
        case ExportFormat::Safetensors:
            return exportSafetensors(checkpoint, out, options);
        case ExportFormat::KerasH5:
        case ExportFormat::WeightsH5:
        case ExportFormat::Keras: {
            // A pickled Keras model or a split bundle: export the model it holds.
            const auto inside = kerasModelInside(checkpoint);
            return exportKeras(inside ? *inside : checkpoint, format, out, options);
        }
        case ExportFormat::Pickle:
            return exportCleanPickle(checkpoint, out, options);
        case ExportFormat::Bundle:
            return exportBundle(checkpoint, out, options);
    }
    throw UnsupportedError("unknown export format");
}

}  // namespace ckpt::core
