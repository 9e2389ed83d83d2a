#include "core/formats/onnx_model.h"

#include <climits>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <onnx/onnx_pb.h>

#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

namespace pb = google::protobuf;

/// The arena memory one parse may still take. The arena's block allocator has no context
/// argument, so the budget of the parse running on this thread is found through a thread_local.
struct ParseBudget {
    std::uint64_t used = 0;
    std::uint64_t cap = 0;
};
thread_local ParseBudget* t_budget = nullptr;

/// Thrown by the block allocator past the budget; protobuf unwinds as it would for bad_alloc.
struct BudgetExceeded : std::bad_alloc {};

void* blockAlloc(std::size_t n) {
    if (t_budget != nullptr) {
        if (n > t_budget->cap - t_budget->used) {
            throw BudgetExceeded();
        }
        t_budget->used += n;
    }
    void* p = std::malloc(n);
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    return p;
}

void blockDealloc(void* p, std::size_t) {
    std::free(p);
}

/// protobuf's own log lines (it logs some parse failures to stderr): kept for the error message
/// of the parse that made them, never printed.
thread_local std::string t_protobufLog;

void keepLog(pb::LogLevel level, const char*, int, const std::string& message) {
    if (level >= pb::LOGLEVEL_WARNING) {
        t_protobufLog = message;
    }
}

void quietProtobuf() {
    static std::once_flag once;
    std::call_once(once, [] { pb::SetLogHandler(&keepLog); });
}

/// ModelProto fields that are length-delimited: producer_name, producer_version, domain,
/// doc_string, graph, opset_import, metadata_props, training_info, functions, configuration.
bool modelLengthField(std::uint32_t field) {
    switch (field) {
        case 2:
        case 3:
        case 4:
        case 6:
        case 7:
        case 8:
        case 14:
        case 20:
        case 25:
        case 26:
            return true;
        default:
            return false;
    }
}

}  // namespace

OnnxModel::OnnxModel() = default;
OnnxModel::~OnnxModel() = default;

std::shared_ptr<const OnnxModel> parseOnnxModel(std::span<const std::byte> bytes) {
    quietProtobuf();
    const std::uint64_t cap = limits().onnxBytes;
    if (bytes.size() > cap) {
        throw LimitError("the model is " + std::to_string(bytes.size()) + " bytes", "onnx-bytes",
                         cap);
    }
    if (bytes.size() > static_cast<std::uint64_t>(INT_MAX)) {
        throw UnsupportedError("the model is " + std::to_string(bytes.size()) +
                               " bytes; protobuf cannot parse a message of 2 GiB or more (ONNX "
                               "keeps larger weights in external data files)");
    }
    auto result = std::make_shared<OnnxModel>();
    pb::ArenaOptions options;
    options.start_block_size = 4096;
    options.max_block_size = 1 << 20;
    options.block_alloc = &blockAlloc;
    options.block_dealloc = &blockDealloc;
    ParseBudget budget{0, bytes.size() + limits().onnxParseBytes};
    struct Scope {
        explicit Scope(ParseBudget* b) { t_budget = b; }
        ~Scope() { t_budget = nullptr; }
    } scope(&budget);
    t_protobufLog.clear();

    const int depth = static_cast<int>(std::min<std::uint64_t>(limits().onnxDepth, 1000));
    bool parsed = false;
    std::uint64_t stoppedAt = 0;
    try {
        result->arena = std::make_unique<pb::Arena>(options);
        result->model = pb::Arena::CreateMessage<onnx::ModelProto>(result->arena.get());
        pb::io::ArrayInputStream stream(bytes.data(), static_cast<int>(bytes.size()));
        pb::io::CodedInputStream in(&stream);
        in.SetRecursionLimit(depth);
        in.SetTotalBytesLimit(INT_MAX);
        parsed = result->model->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
        stoppedAt = static_cast<std::uint64_t>(in.CurrentPosition());
    } catch (const BudgetExceeded&) {
        const std::uint64_t limit = limits().onnxParseBytes;
        result.reset();  // frees what the parse took before the error is reported
        throw LimitError("parsing the model's messages takes more than " +
                             std::to_string(bytes.size() + limit) +
                             " bytes of memory (its size plus the limit)",
                         "onnx-parse-bytes", limit);
    }
    result->arenaBytes = budget.used;
    if (!parsed) {
        // Where it goes wrong, parsed again entry by entry in an arena of its own (same budget).
        result.reset();
        std::optional<OnnxParseFault> fault;
        try {
            pb::Arena arena(options);
            fault = locateOnnxParseFault(bytes, arena, depth);
        } catch (const BudgetExceeded&) {
            fault.reset();
        }
        std::string why = "the protobuf does not parse as an ONNX ModelProto";
        if (fault) {
            why += " (" + fault->what + ")";
        } else if (stoppedAt > 0 && stoppedAt < bytes.size()) {
            why += " (protobuf stopped near byte " + std::to_string(stoppedAt) + ")";
        }
        if (!t_protobufLog.empty()) {
            why += ": " + t_protobufLog;
        }
        Error::Context where;
        if (fault) {
            where.location = fault->where;
            where.offset = fault->offset;
        }
        throw CorruptDataError(why +
                                   "; the file is truncated or damaged, or nests messages "
                                   "deeper than the limit onnx-depth=" +
                                   std::to_string(limits().onnxDepth) +
                                   " (raise it with --limit onnx-depth=N)",
                               where);
    }
    return result;
}

bool looksLikeOnnx(std::span<const std::byte> head, std::uint64_t fileSize) {
    if (head.size() < 4 || head[0] != std::byte{0x08}) {
        return false;
    }
    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(head.data()),
                                static_cast<int>(head.size()));
    std::uint64_t irVersion = 0;
    if (in.ReadTag() != 8 || !in.ReadVarint64(&irVersion) || irVersion == 0 || irVersion > 64) {
        return false;
    }
    int fields = 0;
    bool structural = false;  // producer_name, graph or opset_import seen
    while (fields < 32) {
        const auto pos = static_cast<std::uint64_t>(in.CurrentPosition());
        if (pos >= fileSize || (head.size() < fileSize && pos + 10 > head.size())) {
            break;  // the whole file, or as much of it as the head shows
        }
        const std::uint32_t tag = in.ReadTag();
        const std::uint32_t field = tag >> 3;
        const std::uint32_t wire = tag & 7;
        if (field == 5) {  // model_version
            std::uint64_t v = 0;
            if (wire != 0 || !in.ReadVarint64(&v)) {
                return false;
            }
        } else if (modelLengthField(field)) {
            std::uint32_t length = 0;
            if (wire != 2 || !in.ReadVarint32(&length)) {
                return false;
            }
            const auto start = static_cast<std::uint64_t>(in.CurrentPosition());
            if (length > fileSize - start) {
                // Cut short: still ONNX when an earlier field said so (open reports the cut).
                return structural;
            }
            structural = structural || field == 2 || field == 7 || field == 8;
            if (start + length > head.size()) {
                ++fields;
                break;
            }
            in.Skip(static_cast<int>(length));
        } else {
            return false;  // field 0 (not a tag) or not a ModelProto field
        }
        ++fields;
    }
    return fields > 0 && structural;
}

}  // namespace ckpt::core
