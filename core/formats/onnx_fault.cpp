// locateOnnxParseFault: after protobuf has refused a model, find where it goes wrong, so the
// error can name a place: the first top-level ModelProto field, or inside the graph the first
// entry (op, initializer, value), that runs past its container or does not parse on its own.
// Fields are walked with protobuf's CodedInputStream; entries are parsed with libonnx's
// generated messages (no hand-written decoding of their content).

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <string>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx_pb.h>

#include "core/formats/onnx_model.h"

namespace ckpt::core {
namespace {

namespace pb = google::protobuf;

const char* modelFieldName(std::uint32_t f) {
    switch (f) {
        case 1:
            return "ir_version";
        case 2:
            return "producer_name";
        case 3:
            return "producer_version";
        case 4:
            return "domain";
        case 5:
            return "model_version";
        case 6:
            return "doc_string";
        case 7:
            return "graph";
        case 8:
            return "opset_import";
        case 14:
            return "metadata_props";
        case 20:
            return "training_info";
        case 25:
            return "functions";
        default:
            return nullptr;
    }
}

const char* graphFieldName(std::uint32_t f) {
    switch (f) {
        case 1:
            return "node";
        case 2:
            return "name";
        case 5:
            return "initializer";
        case 10:
            return "doc_string";
        case 11:
            return "input";
        case 12:
            return "output";
        case 13:
            return "value_info";
        case 14:
            return "quantization_annotation";
        case 15:
            return "sparse_initializer";
        default:
            return nullptr;
    }
}

/// One length-delimited field met by walk(): its number, where its tag starts, its payload.
struct LengthField {
    std::uint32_t number;
    std::uint64_t tagOffset;
    std::span<const std::byte> payload;
};

using FieldNamer = const char* (*)(std::uint32_t);

/// Walks the fields of the message in `bytes` (at file offset `base`, named `where`); calls
/// `onLength` for each length-delimited one (it returns a fault to stop). A fault of the wire
/// format itself (a bad tag, a varint or length past the end) names the field.
std::optional<OnnxParseFault> walk(
    std::span<const std::byte> bytes, std::uint64_t base, const std::string& where,
    FieldNamer namer,
    const std::function<std::optional<OnnxParseFault>(const LengthField&)>& onLength) {
    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                static_cast<int>(bytes.size()));
    while (true) {
        const auto pos = static_cast<std::uint64_t>(in.CurrentPosition());
        if (pos >= bytes.size()) {
            return std::nullopt;
        }
        const std::uint32_t tag = in.ReadTag();
        const std::uint32_t field = tag >> 3;
        const auto fault = [&](const std::string& what) {
            const char* name = namer(field);
            const std::string at = where + (where.empty() ? "" : ".") +
                                   (name ? name : "field " + std::to_string(field));
            return OnnxParseFault{tag == 0 ? where : at, base + pos,
                                  (tag == 0 ? where : at) + ": " + what};
        };
        if (tag == 0) {
            return fault("byte " + std::to_string(base + pos) + " is not a field tag");
        }
        bool ok = true;
        switch (tag & 7) {
            case 0: {
                std::uint64_t v = 0;
                ok = in.ReadVarint64(&v);
                break;
            }
            case 1:
                ok = in.Skip(8);
                break;
            case 5:
                ok = in.Skip(4);
                break;
            case 2: {
                std::uint32_t length = 0;
                if (!in.ReadVarint32(&length)) {
                    return fault("its length runs past the end");
                }
                const auto start = static_cast<std::uint64_t>(in.CurrentPosition());
                if (length > bytes.size() - start) {
                    return fault("claims " + std::to_string(length) + " bytes, but " +
                                 std::to_string(bytes.size() - start) + " remain (truncated?)");
                }
                if (auto f = onLength({field, base + pos, bytes.subspan(start, length)})) {
                    return f;
                }
                ok = in.Skip(static_cast<int>(length));
                break;
            }
            default:
                return fault("wire type " + std::to_string(tag & 7) + ", which ONNX never uses");
        }
        if (!ok) {
            return fault("runs past the end");
        }
    }
}

/// Parses one entry with its generated message; false when protobuf refuses it. `name` gets the
/// entry's name when the partial parse found one.
template <typename Message>
bool parses(pb::Arena& arena, std::span<const std::byte> bytes, int depth, std::string& name) {
    auto* m = pb::Arena::CreateMessage<Message>(&arena);
    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                static_cast<int>(bytes.size()));
    in.SetRecursionLimit(depth);
    const bool ok = m->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
    if constexpr (requires { m->name(); }) {
        name = m->name();
    }
    return ok;
}

/// The fault of one graph entry: the first that protobuf refuses on its own.
std::optional<OnnxParseFault> graphEntryFault(pb::Arena& arena, const LengthField& e,
                                              std::size_t index, int depth) {
    std::string entryName;
    bool ok = true;
    const int inner = std::max(depth - 2, 1);  // ModelProto and GraphProto are two levels
    switch (e.number) {
        case 1:
            ok = parses<onnx::NodeProto>(arena, e.payload, inner, entryName);
            break;
        case 5:
            ok = parses<onnx::TensorProto>(arena, e.payload, inner, entryName);
            break;
        case 11:
        case 12:
        case 13:
            ok = parses<onnx::ValueInfoProto>(arena, e.payload, inner, entryName);
            break;
        case 15:
            ok = parses<onnx::SparseTensorProto>(arena, e.payload, inner, entryName);
            break;
        default:
            break;
    }
    if (ok) {
        return std::nullopt;
    }
    const char* field = graphFieldName(e.number);
    const std::string at = "graph." + std::string(field ? field : "?") + "[" +
                           std::to_string(index) + "]" +
                           (entryName.empty() ? "" : " '" + entryName + "'");
    return OnnxParseFault{at, e.tagOffset,
                          at + " (" + std::to_string(e.payload.size()) + " bytes at byte " +
                              std::to_string(e.tagOffset) + ") does not parse"};
}

}  // namespace

std::optional<OnnxParseFault> locateOnnxParseFault(std::span<const std::byte> bytes,
                                                   google::protobuf::Arena& arena, int depth) {
    return walk(
        bytes, 0, "", modelFieldName, [&](const LengthField& f) -> std::optional<OnnxParseFault> {
            if (f.number != 7) {
                return std::nullopt;  // plain strings and small messages
            }
            const auto offset = static_cast<std::uint64_t>(f.payload.data() - bytes.data());
            std::map<std::uint32_t, std::size_t> seen;  // entries of each field so far
            return walk(f.payload, offset, "graph", graphFieldName, [&](const LengthField& e) {
                return graphEntryFault(arena, e, seen[e.number]++, depth);
            });
        });
}

}  // namespace ckpt::core
