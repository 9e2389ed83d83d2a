#pragma once
/// The Keras layer stage of tensor pairing (core/diff/tensor_pairing.h): the tensors of one side
/// as the pairing stages see them, the matching of the layers of two Keras files and the
/// pairing of the weights of two matched layers. Internal to core/diff.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/diff/tensor_pairing.h"
#include "core/model/checkpoint.h"

namespace ckpt::core::pairing {

/// One tensor of one side, with everything the pairing stages look at.
struct Entry {
    const Node* node = nullptr;
    std::string path;
    std::string pathKey;
    std::string orderKey;    // sorts tensors outside layers: weight_names order, else the path
    std::string layer;       // layer name after alignment (B side: A's name when aligned)
    std::string layerKey;    // "<layer>/<index>", or "" for tensors outside the layer summary
    bool vars = false;       // Keras 3 layout: .../vars/<i>
    bool optimizer = false;  // optimizer or other training state (isTrainingStateKey)
    bool paired = false;
};

/// The tensors of one checkpoint: layer weights first, layer by layer, then the rest.
struct Side {
    std::vector<Entry> entries;                          // in this side's order
    std::vector<const Layer*> layers;                    // layers with weights, in order
    std::vector<std::vector<std::size_t>> layerEntries;  // entry indices of each layer's weights
};

/// A link between a layer of A and a layer of B, and how the layers were matched.
struct LayerLink {
    std::size_t a = 0;
    std::size_t b = 0;
    PairedBy by = PairedBy::None;
};

/// The rewrite of `s` by the rule with the longest matching `from`, if any.
[[nodiscard]] std::optional<std::string> applyRules(const std::vector<RenameRule>& rules,
                                                    const std::string& s);

/// Matches the layers of A and B (rules, names, then position, class and weight shapes) and
/// gives every layer weight its layer key; B's layers aligned with A's take A's names.
std::vector<LayerLink> alignLayers(Side& a, Side& b, const std::vector<RenameRule>& rules);

/// Records that entry `i` of A pairs with entry `j` of B, and how.
using PairFn = std::function<void(std::size_t i, std::size_t j, PairedBy by)>;

/// Pairs the weights of two linked layers: owner by owner (by name, then by equal shapes), each
/// owner's variables by index (Keras 3 vars/<i> is the i-th of that owner's weight_names), and
/// what is left of the layer by order and shape.
void pairLayerWeights(const Side& a, const Side& b, const LayerLink& link, const PairFn& pair);

/// Pairs entries `restA` of A with entries `restB` of B in order where their shapes are equal
/// (the longest such alignment, core/diff/sequence_align.h), as PairedBy::Shape.
void pairInOrderByShape(const Side& a, const Side& b, const std::vector<std::size_t>& restA,
                        const std::vector<std::size_t>& restB, const PairFn& pair);

}  // namespace ckpt::core::pairing
