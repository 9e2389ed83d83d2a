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
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".joblib",      ".joblib.gz", ".joblib.bz2", ".joblib.xz",
                ".joblib.lzma", ".joblib.z",  ".pkl.z"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "zlib (x\\x9c), gzip (\\x1f\\x8b), bz2 (BZh), xz or lzma stream holding a pickle";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
