#pragma once
/// Named limits on what a file may make the readers do. Every file may have been written by an
/// attacker: counts, depths and sizes a file claims are held to these before anything is
/// allocated. Each limit has a stable name (used by `ckpt --limit NAME=VALUE` and in the error
/// that reports it) and a default documented in docs/limits.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.h"

namespace ckpt::core {

struct Limits {
    std::uint64_t pickleNodes = 100'000'000;       ///< values one pickle may create
    std::uint64_t pickleMemo = 100'000'000;        ///< memo entries of one pickle
    std::uint64_t depth = 10'000;                  ///< nesting of containers/calls in a pickle
    std::uint64_t stringBytes = 4ull << 30;        ///< one str/bytes value or long integer
    std::uint64_t inflatedBytes = 4ull << 30;      ///< one decompressed member or stream
    std::uint64_t inflateRatio = 200;              ///< unpacked:packed above the floor below
    std::uint64_t inflateRatioFloor = 8ull << 20;  ///< members below this skip the ratio check
    std::uint64_t zipEntries = 1'000'000;          ///< entries in one zip directory
    std::uint64_t elementsPerByte = 64;            ///< claimed elements per byte the file holds
    std::uint64_t hdf5ExtentPerByte = 4096;        ///< dataset elements per allocated byte (sparse)
    std::uint64_t graphNodes = 100'000;            ///< nodes of one architecture graph
    std::uint64_t graphDepth = 64;                 ///< models nested in models, key levels
    std::uint64_t graphLayoutNodes = 5'000;        ///< boxes one Graphviz layout may place
    std::uint64_t hdf5CheckSeconds = 30;           ///< the separate check of an HDF5 file; 0: off
    std::uint64_t ggufTensors = 1'000'000;         ///< tensor infos of one GGUF file
    std::uint64_t ggufKeyValues = 1'000'000;       ///< metadata key-values of one GGUF file
    std::uint64_t ggufArrayDepth = 16;             ///< arrays nested in GGUF metadata arrays
    std::uint64_t objectTreeNodes = 100'000'000;   ///< nodes of one object tree (made or lazy)
    std::uint64_t objectTreeEager = 2'000'000;     ///< object-tree nodes made when a file opens
    std::uint64_t shardIndexBytes = 64ull << 20;   ///< bytes of one shard index JSON
    std::uint64_t shardFiles = 10'000;             ///< shard files one index may name
    std::uint64_t onnxBytes = 2ull << 30;          ///< bytes of one ONNX protobuf (< 2 GiB)
    std::uint64_t onnxParseBytes = 2ull << 30;     ///< parsed ONNX messages beyond the file size
    std::uint64_t onnxDepth = 100;                 ///< nesting of ONNX protobuf messages
    std::uint64_t onnxTensors = 1'000'000;         ///< initializers of one ONNX graph
    std::uint64_t onnxNodes = 1'000'000;           ///< ops of one ONNX graph listed in the tree
};

/// The process-wide limits (set once, by the CLI or the GUI, before files are opened).
[[nodiscard]] Limits& limits();

/// Thrown when a file exceeds a limit: the message names the limit and how to raise it.
class LimitError : public CorruptDataError {
public:
    LimitError(const std::string& what, std::string_view limitName, std::uint64_t value,
               Context context = {});
};

/// One limit's name, current value and meaning, for help texts and docs.
struct LimitInfo {
    std::string name;
    std::uint64_t value;
    std::string meaning;
};
[[nodiscard]] std::vector<LimitInfo> describeLimits(const Limits& l = limits());

/// Sets one limit from "NAME=VALUE" (VALUE may end in K, M, G, T for powers of 1024); returns
/// an error message, empty on success.
[[nodiscard]] std::string setLimit(Limits& l, std::string_view assignment);

}  // namespace ckpt::core
