#pragma once
/// Plain pickle files (pickle, dill, cloudpickle, uncompressed joblib): read as data by the
/// symbolic machine and shown as an object tree with the arrays in place.

#include "core/formats/reader.h"

namespace ckpt::core {

class PickleReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "pickle"; }
    [[nodiscard]] std::string_view description() const override {
        return "Python pickle (pickle, dill, cloudpickle, joblib)";
    }
    [[nodiscard]] std::vector<std::string_view> extensions() const override {
        return {".pkl", ".pickle", ".p", ".dill", ".cloudpickle", ".joblib", ".sav"};
    }
    [[nodiscard]] std::string_view signature() const override {
        return "pickle opcodes: \\x80 PROTO, or protocol 0/1 opcodes, to a STOP";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;
};

}  // namespace ckpt::core
