#pragma once
/// numpy's own files: a single array (.npy) and a zip of arrays (.npz, from np.savez and
/// np.savez_compressed).

#include "core/formats/reader.h"

namespace ckpt::core {

class NpyReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "npy"; }
    [[nodiscard]] std::string_view description() const override { return "numpy array (.npy)"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {".npy"}; }
    [[nodiscard]] std::string_view signature() const override { return "\\x93NUMPY"; }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

class NpzReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "npz"; }
    [[nodiscard]] std::string_view description() const override { return "numpy archive (.npz)"; }
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {".npz"}; }
    [[nodiscard]] std::string_view signature() const override { return "zip of .npy members"; }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
