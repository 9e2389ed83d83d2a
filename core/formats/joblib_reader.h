#pragma once
/// Compressed joblib files (joblib.dump(compress=...)): decompressed into memory with a size
/// limit, then read like a plain joblib pickle. Uncompressed joblib files are pickles and are
/// recognised by PickleReader, which reports format "joblib" when it meets NumpyArrayWrapper.

#include "core/formats/reader.h"

namespace ckpt::core {

class JoblibReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "joblib"; }
    [[nodiscard]] std::string_view description() const override {
        return "joblib pickle (zlib, gzip, bz2, xz, lzma compressed)";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
