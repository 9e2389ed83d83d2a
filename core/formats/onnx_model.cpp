#include "core/formats/onnx_model.h"

#include <climits>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/stubs/logging.h>
#include <onnx/onnx_pb.h>

#include "core/io/byte_source.h"
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

/// The bytes of a source handed to protobuf in chunks read with ByteSource::read (pread for a
/// file): the parse copies what it keeps, and the file's pages are never mapped in for it, so
/// memory holds the parsed model and one chunk, not the file as well.
class SourceStream final : public pb::io::ZeroCopyInputStream {
public:
    explicit SourceStream(const ByteSource& source) : m_source(source), m_buffer(kChunk) {}

    bool Next(const void** data, int* size) override {
        if (m_backedUp > 0) {
            *data = m_buffer.data() + (m_filled - m_backedUp);
            *size = static_cast<int>(m_backedUp);
            m_position += m_backedUp;
            m_backedUp = 0;
            return true;
        }
        const std::uint64_t left = m_source.size() - m_position;
        if (left == 0) {
            return false;
        }
        m_filled = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunk));
        m_source.read(m_position, std::span<std::byte>(m_buffer.data(), m_filled));
        *data = m_buffer.data();
        *size = static_cast<int>(m_filled);
        m_position += m_filled;
        return true;
    }
    void BackUp(int count) override {
        m_backedUp = static_cast<std::size_t>(count);
        m_position -= m_backedUp;
    }
    bool Skip(int count) override {
        const auto n = static_cast<std::uint64_t>(count);
        if (n <= m_backedUp) {
            m_backedUp -= static_cast<std::size_t>(n);
            m_position += n;
            return true;
        }
        const std::uint64_t target = m_position + n;
        m_backedUp = 0;
        m_position = std::min<std::uint64_t>(target, m_source.size());
        return target <= m_source.size();
    }
    [[nodiscard]] std::int64_t ByteCount() const override {
        return static_cast<std::int64_t>(m_position);
    }

private:
    static constexpr std::size_t kChunk = 1 << 20;
    const ByteSource& m_source;
    std::vector<std::byte> m_buffer;
    std::size_t m_filled = 0;
    std::size_t m_backedUp = 0;
    std::uint64_t m_position = 0;
};

}  // namespace

OnnxModel::OnnxModel() = default;
OnnxModel::~OnnxModel() = default;

std::shared_ptr<const OnnxModel> parseOnnxModel(const ByteSource& source) {
    quietProtobuf();
    const std::uint64_t cap = limits().onnxBytes;
    const std::uint64_t size = source.size();
    if (size > cap) {
        throw LimitError("the model is " + std::to_string(size) + " bytes", "onnx-bytes", cap);
    }
    if (size > static_cast<std::uint64_t>(INT_MAX)) {
        throw UnsupportedError("the model is " + std::to_string(size) +
                               " bytes; protobuf cannot parse a message of 2 GiB or more (ONNX "
                               "keeps larger weights in external data files)");
    }
    auto result = std::make_shared<OnnxModel>();
    pb::ArenaOptions options;
    options.start_block_size = 4096;
    options.max_block_size = 1 << 20;
    options.block_alloc = &blockAlloc;
    options.block_dealloc = &blockDealloc;
    ParseBudget budget{0, size + limits().onnxParseBytes};
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
        SourceStream stream(source);
        pb::io::CodedInputStream in(&stream);
        in.SetRecursionLimit(depth);
        in.SetTotalBytesLimit(INT_MAX);
        parsed = result->model->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
        stoppedAt = static_cast<std::uint64_t>(in.CurrentPosition());
    } catch (const BudgetExceeded&) {
        const std::uint64_t limit = limits().onnxParseBytes;
        result.reset();  // frees what the parse took before the error is reported
        throw LimitError("parsing the model's messages takes more than " +
                             std::to_string(size + limit) +
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
            std::vector<std::byte> copy;
            std::span<const std::byte> bytes = source.view();
            if (bytes.size() != size) {
                copy.resize(static_cast<std::size_t>(size));
                source.read(0, copy);
                bytes = copy;
            }
            fault = locateOnnxParseFault(bytes, arena, depth);
        } catch (const BudgetExceeded&) {
            fault.reset();
        }
        std::string why = "the protobuf does not parse as an ONNX ModelProto";
        if (fault) {
            why += " (" + fault->what + ")";
        } else if (stoppedAt > 0 && stoppedAt < size) {
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
