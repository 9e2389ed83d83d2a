#include "core/util/limits.h"

#include <charconv>

namespace ckpt::core {
namespace {

struct Field {
    const char* name;
    std::uint64_t Limits::*member;
    const char* meaning;
};

constexpr Field kFields[] = {
    {"pickle-nodes", &Limits::pickleNodes, "values one pickle may create"},
    {"pickle-memo", &Limits::pickleMemo, "memo entries of one pickle"},
    {"depth", &Limits::depth, "nesting depth of containers and calls in a pickle"},
    {"string-bytes", &Limits::stringBytes, "bytes of one str/bytes value or long integer"},
    {"inflated-bytes", &Limits::inflatedBytes, "bytes one compressed member may inflate to"},
    {"inflate-ratio", &Limits::inflateRatio, "unpacked:packed ratio of a compressed member"},
    {"inflate-ratio-floor", &Limits::inflateRatioFloor,
     "unpacked bytes below which the ratio is not checked"},
    {"zip-entries", &Limits::zipEntries, "entries in one zip directory"},
    {"elements-per-byte", &Limits::elementsPerByte,
     "elements an npy array of objects or strings may claim per data byte"},
    {"hdf5-extent-per-byte", &Limits::hdf5ExtentPerByte,
     "HDF5 dataset elements per allocated byte (datasets up to 16 Mi elements always read)"},
    {"graph-nodes", &Limits::graphNodes, "nodes (layers, modules) of one architecture graph"},
    {"graph-depth", &Limits::graphDepth,
     "nesting levels of an architecture graph (models in models, key levels)"},
    {"graph-layout-nodes", &Limits::graphLayoutNodes,
     "boxes one graph layout or drawing may place (collapse with --depth)"},
    {"hdf5-check-seconds", &Limits::hdf5CheckSeconds,
     "seconds a separate process may take to read an HDF5 file's structure before the file is "
     "read (0: no separate check)"},
    {"gguf-tensors", &Limits::ggufTensors, "tensor infos of one GGUF file"},
    {"gguf-kv", &Limits::ggufKeyValues, "metadata key-values of one GGUF file"},
    {"gguf-array-depth", &Limits::ggufArrayDepth, "arrays nested inside GGUF metadata arrays"},
    {"object-tree-nodes", &Limits::objectTreeNodes,
     "nodes of the object tree of a pickle, made at once or when shown"},
    {"object-tree-eager", &Limits::objectTreeEager,
     "object-tree nodes made when a pickle is opened (objects, calls and what they hold; "
     "plain dicts, lists and values past it are made when shown)"},
    {"shard-index-bytes", &Limits::shardIndexBytes,
     "bytes of a sharded checkpoint's index (model.safetensors.index.json)"},
    {"shard-files", &Limits::shardFiles, "shard files one index may name"},
    {"onnx-bytes", &Limits::onnxBytes,
     "bytes of one ONNX model file (its protobuf; external data files are not counted)"},
    {"onnx-parse-bytes", &Limits::onnxParseBytes,
     "memory the parsed messages of one ONNX model may take beyond the file's own size"},
    {"onnx-depth", &Limits::onnxDepth,
     "nesting of protobuf messages in an ONNX model (subgraphs of If and Loop nodes)"},
    {"onnx-tensors", &Limits::onnxTensors,
     "initializers (weights) of one ONNX model, subgraphs included"},
    {"onnx-nodes", &Limits::onnxNodes,
     "ops of one ONNX graph listed in the tree and the graph view (the rest are cut with a "
     "warning)"},
};

}  // namespace

Limits& limits() {
    static Limits l;
    return l;
}

LimitError::LimitError(const std::string& what, std::string_view limitName, std::uint64_t value,
                       Context context)
    : CorruptDataError(what + " (limit " + std::string(limitName) + "=" + std::to_string(value) +
                           "; raise it with --limit " + std::string(limitName) + "=N)",
                       std::move(context)) {}

std::vector<LimitInfo> describeLimits(const Limits& l) {
    std::vector<LimitInfo> out;
    for (const auto& f : kFields) {
        out.push_back({f.name, l.*(f.member), f.meaning});
    }
    return out;
}

std::string setLimit(Limits& l, std::string_view assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos) {
        return "expected NAME=VALUE, got '" + std::string(assignment) + "'";
    }
    const auto name = assignment.substr(0, eq);
    auto value = assignment.substr(eq + 1);
    std::uint64_t scale = 1;
    if (!value.empty()) {
        switch (value.back()) {
            case 'K':
            case 'k':
                scale = 1ull << 10;
                break;
            case 'M':
            case 'm':
                scale = 1ull << 20;
                break;
            case 'G':
            case 'g':
                scale = 1ull << 30;
                break;
            case 'T':
            case 't':
                scale = 1ull << 40;
                break;
            default:
                break;
        }
        if (scale != 1) {
            value.remove_suffix(1);
        }
    }
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || value.empty() ||
        v > UINT64_MAX / scale) {
        return "not a number: '" + std::string(assignment.substr(eq + 1)) + "'";
    }
    for (const auto& f : kFields) {
        if (name == f.name) {
            l.*(f.member) = v * scale;
            return {};
        }
    }
    std::string names;
    for (const auto& f : kFields) {
        names += (names.empty() ? "" : ", ") + std::string(f.name);
    }
    return "unknown limit '" + std::string(name) + "' (known: " + names + ")";
}

}  // namespace ckpt::core
