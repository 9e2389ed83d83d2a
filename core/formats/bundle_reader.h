#pragma once
/// The split bundle of the seed questions: `model.to_json()` output, a pickle of
/// `model.get_weights()` (a list of numpy arrays) and a pickle of training params, side by side
/// in one folder. Shown as one model whose weights are matched to the config's layers in order.

#include <filesystem>

#include "core/formats/reader.h"

namespace ckpt::core {

class BundleReader final : public Reader {
public:
    [[nodiscard]] std::string_view id() const override { return "bundle"; }
    [[nodiscard]] std::string_view description() const override {
        return "Keras split bundle (to_json config + get_weights pickle + params pickle)";
    }
    /// A Keras model JSON (class_name + config) with at least one pickle beside it.
    [[nodiscard]] std::vector<std::string_view> extensions() const override { return {}; }
    [[nodiscard]] std::string_view signature() const override {
        return "a folder (or a file in it) holding a Keras model JSON plus weights .h5 and params "
               "pickles";
    }
    [[nodiscard]] int probe(ProbeContext& context) const override;
    [[nodiscard]] std::unique_ptr<Checkpoint> open(ProbeContext& context,
                                                   const OpenOptions& options) const override;

    /// True when `folder` holds a Keras model JSON (the start of a bundle).
    [[nodiscard]] static bool holdsModelJson(const std::filesystem::path& folder);

    /// Opens the bundle held by `folder`. Throws FormatError when it holds no model JSON and
    /// weights pickle.
    [[nodiscard]] static std::unique_ptr<Checkpoint> openFolder(const std::filesystem::path& folder,
                                                                const OpenOptions& options);
};

/// Parameter roles of a Keras layer class in get_weights() order ("kernel", "bias", ...),
/// following its config (use_bias, center, scale); empty for classes without weights and
/// nullopt for classes this table does not know.
[[nodiscard]] std::optional<std::vector<std::string>> kerasWeightRoles(const std::string& className,
                                                                       const Json& config);

}  // namespace ckpt::core
