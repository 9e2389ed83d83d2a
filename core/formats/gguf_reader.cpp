#include "core/formats/gguf_reader.h"

#include <algorithm>
#include <limits>
#include <map>

#include "core/formats/gguf_format.h"
#include "core/io/byte_source.h"
#include "core/model/ggml_quant.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

/// Warnings said for layout problems; the rest are counted (the validator reports them all).
constexpr std::size_t kGgufMaxLayoutWarnings = 20;

/// Short text of a metadata value for the tree and the overview.
std::string ggufValueText(const GgufKeyValue& kv) {
    const auto one = [](const Json& v) {
        return v.is_string() ? v.get<std::string>()
                             : v.dump(-1, ' ', false, Json::error_handler_t::replace);
    };
    if (kv.type != GgufValueType::Array) {
        return one(kv.value);
    }
    std::string text = std::to_string(kv.count) + " × " + ggufValueTypeName(kv.elementType);
    if (kv.count == 0) {
        return text;
    }
    text += ": ";
    std::size_t shown = 0;
    for (const auto& v : kv.value) {
        if (shown > 0) {
            text += ", ";
        }
        std::string item = one(v);
        if (item.size() > 40) {
            item = item.substr(0, 39) + "…";
        }
        text += item;
        if (++shown == 8 || text.size() > 200) {
            break;
        }
    }
    return shown < kv.count ? text + ", …" : text;
}

/// The metadata as a group per dotted prefix ("tokenizer.ggml" holds tokenizer.ggml.tokens),
/// in the order each prefix first appears.
void addMetadataTree(Node& root, const std::vector<GgufKeyValue>& metadata) {
    if (metadata.empty()) {
        return;
    }
    Node& group = root.addChild(NodeKind::Group, "metadata");
    group.attributes()["key_values"] = metadata.size();
    std::map<std::string, Node*, std::less<>> prefixes;
    for (const auto& kv : metadata) {
        const auto dot = kv.key.rfind('.');
        Node* parent = &group;
        std::string name = kv.key;
        if (dot != std::string::npos && dot > 0 && dot + 1 < kv.key.size()) {
            const std::string prefix = kv.key.substr(0, dot);
            auto it = prefixes.find(prefix);
            if (it == prefixes.end()) {
                it = prefixes.emplace(prefix, &group.addChild(NodeKind::Group, prefix)).first;
            }
            parent = it->second;
            name = kv.key.substr(dot + 1);
        }
        Node& node = parent->addChild(NodeKind::Value, name);
        node.setValue(ggufValueText(kv));
        auto& a = node.attributes();
        a["key"] = kv.key;
        a["offset"] = kv.offset;
        if (kv.type == GgufValueType::Array) {
            node.setTypeName("array[" + ggufValueTypeName(kv.elementType) + "]");
            a["type"] = "array";
            a["element_type"] = ggufValueTypeName(kv.elementType);
            a["count"] = kv.count;
            a["preview"] = kv.value;
        } else {
            node.setTypeName(ggufValueTypeName(kv.type));
            a["type"] = ggufValueTypeName(kv.type);
            a["value"] = kv.value;
        }
    }
}

/// The file's summary facts: version, alignment and the general.* scalars.
void addMetadataSummary(Checkpoint& c, const GgufHeader& h) {
    auto& meta = c.metadata();
    meta["gguf_version"] = h.version;
    meta["alignment"] = h.alignment;
    meta["metadata_keys"] = h.metadata.size();
    for (const auto& kv : h.metadata) {
        if (kv.key.rfind("general.", 0) != 0 || kv.key == "general.alignment") {
            continue;
        }
        std::string text = ggufValueText(kv);
        if (text.size() > 120) {
            text = text.substr(0, 119) + "…";
        }
        meta[kv.key] =
            kv.type == GgufValueType::Array || kv.value.is_string() ? Json(text) : kv.value;
    }
}

struct DataSpan {
    std::uint64_t begin;
    std::uint64_t end;
    const std::string* name;
};

/// Element count of `ne`, or throws when it overflows 64 bits.
std::uint64_t elementCount(const GgufTensorInfo& t) {
    std::uint64_t n = 1;
    for (const auto d : t.ne) {
        if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) {
            throw CorruptDataError("tensor '" + t.name + "' claims more elements than 2^64",
                                   {{}, {}, t.name, t.infoOffset});
        }
        n *= d;
    }
    return n;
}

}  // namespace

int GgufReader::probe(ProbeContext& context) const {
    return hasGgufMagic(context.head()) ? probe::kCertain : probe::kNotMine;
}

std::unique_ptr<Checkpoint> GgufReader::open(ProbeContext& context,
                                             const OpenOptions& options) const {
    const auto& source = context.sourcePtr();
    const std::uint64_t fileSize = source->size();
    const GgufHeader h = parseGgufHeader(source->view());

    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    Node& root = checkpoint->root();
    root.attributes()["gguf_version"] = h.version;
    root.attributes()["alignment"] = h.alignment;
    root.attributes()["data_offset"] = h.dataStart;
    addMetadataSummary(*checkpoint, h);
    addMetadataTree(root, h.metadata);

    std::size_t layoutWarnings = 0;
    const auto problem = [&](LayoutProblem p) {
        if (layoutWarnings++ < kGgufMaxLayoutWarnings) {
            checkpoint->addWarning(p.path + ": " + p.what);
        }
        checkpoint->addLayoutProblem(std::move(p));
    };
    if (h.alignmentFromFile && h.alignment % 8 != 0) {
        problem({"",
                 "general.alignment " + std::to_string(h.alignment) +
                     " is not a multiple of 8 (the GGUF spec asks for one; ggml accepts it)",
                 std::nullopt, false});
    }

    std::vector<DataSpan> spans;
    bool quantised = false;
    std::uint64_t done = 0;
    for (const auto& t : h.tensors) {
        const Error::Context where{{}, {}, t.name, t.infoOffset};
        // GGUF stores dimensions innermost first (ne[0] is the row length); the shape shown is
        // numpy's and PyTorch's, outermost first: ne reversed.
        std::vector<std::uint64_t> shape(t.ne.rbegin(), t.ne.rend());
        Node& node = root.addChild(NodeKind::Tensor, t.name);
        auto& a = node.attributes();
        a["ggml_dims"] = t.ne;
        a["ggml_type_id"] = t.type;
        a["offset"] = t.offset;
        const auto type = ggmlType(t.type);
        if (!type) {
            a["ggml_type"] = "unknown (" + std::to_string(t.type) + ")";
            auto tensor = std::make_shared<Tensor>(DType::Other, std::move(shape));
            tensor->setDtypeDetail("ggml type " + std::to_string(t.type) + ", unknown");
            node.setTensor(std::move(tensor));
            problem({t.name,
                     "unknown ggml type " + std::to_string(t.type) +
                         ": its size is unknown, so its data cannot be located or checked",
                     t.infoOffset, true});
            continue;
        }
        a["ggml_type"] = std::string(type->name);
        const std::uint64_t numel = elementCount(t);
        const std::uint64_t rowLength = t.ne.empty() ? 1 : t.ne[0];
        if (rowLength % type->blockElements != 0) {
            throw CorruptDataError("tensor '" + t.name + "' has rows of " +
                                       std::to_string(rowLength) + " elements, not a whole " +
                                       "number of " + std::string(type->name) + " blocks of " +
                                       std::to_string(type->blockElements),
                                   where);
        }
        const std::uint64_t blocks = numel / type->blockElements;
        if (blocks > fileSize / type->blockBytes) {
            throw CorruptDataError("tensor '" + t.name + "' claims " + std::to_string(numel) + " " +
                                       std::string(type->name) +
                                       " elements, more bytes than the file holds",
                                   where);
        }
        const std::uint64_t bytes = blocks * type->blockBytes;
        if (h.dataStart > fileSize || t.offset > fileSize - h.dataStart ||
            bytes > fileSize - h.dataStart - t.offset) {
            throw CorruptDataError("tensor '" + t.name + "' data at offset " +
                                       std::to_string(t.offset) + " of the data section (" +
                                       std::to_string(bytes) + " bytes from file offset " +
                                       std::to_string(h.dataStart) + " + " +
                                       std::to_string(t.offset) + ") ends past the end of the " +
                                       std::to_string(fileSize) + "-byte file (truncated?)",
                                   where);
        }
        const std::uint64_t begin = h.dataStart + t.offset;
        a["file_offset"] = begin;
        a["stored_bytes"] = bytes;
        if (t.offset % h.alignment != 0) {
            problem({t.name,
                     "data offset " + std::to_string(t.offset) + " is not a multiple of the " +
                         "alignment " + std::to_string(h.alignment),
                     begin, false});
        }
        if (bytes > 0) {
            spans.push_back({begin, begin + bytes, &t.name});
        }
        std::shared_ptr<Tensor> tensor;
        if (type->dequantised) {
            quantised = true;
            tensor = std::make_shared<Tensor>(
                DType::Float32, std::move(shape),
                std::make_shared<GgmlTensorSource>(source, begin, *type, numel));
            tensor->setEncoding({std::string(type->name), bytes});
        } else if (type->readAs != DType::Other) {
            tensor =
                std::make_shared<Tensor>(type->readAs, std::move(shape),
                                         std::make_shared<ContiguousTensorSource>(
                                             source, begin, dtypeSize(type->readAs), numel, false));
        } else {
            quantised = true;
            tensor = std::make_shared<Tensor>(DType::Other, std::move(shape));
            tensor->setDtypeDetail("ggml " + std::string(type->name) + ", not decoded");
            tensor->setEncoding({std::string(type->name), bytes});
        }
        node.setTensor(std::move(tensor));
        reportProgress(options.progress, ++done, 0);
    }

    // Tensors whose bytes overlap: ggml itself requires each to start where the previous one
    // ended (padded), so an overlap means a damaged or crafted file.
    std::sort(spans.begin(), spans.end(), [](const DataSpan& x, const DataSpan& y) {
        return x.begin < y.begin || (x.begin == y.begin && x.end < y.end);
    });
    const DataSpan* reach = nullptr;  // the span reaching furthest so far
    for (const auto& s : spans) {
        if (reach != nullptr && s.begin < reach->end) {
            problem({*s.name,
                     "data (file bytes " + std::to_string(s.begin) + "-" + std::to_string(s.end) +
                         ") overlaps '" + *reach->name + "' (" + std::to_string(reach->begin) +
                         "-" + std::to_string(reach->end) + ")",
                     s.begin, true});
        }
        if (reach == nullptr || s.end > reach->end) {
            reach = &s;
        }
    }
    if (layoutWarnings > kGgufMaxLayoutWarnings) {
        checkpoint->addWarning(std::to_string(layoutWarnings - kGgufMaxLayoutWarnings) +
                               " more tensor layout problems (ckpt validate lists them all)");
    }

    const auto hasKey = [&](std::string_view key) {
        return std::any_of(h.metadata.begin(), h.metadata.end(),
                           [&](const GgufKeyValue& kv) { return kv.key == key; });
    };
    if (!hasKey("general.architecture")) {
        checkpoint->addWarning("general.architecture is missing (the GGUF spec requires it)");
    }
    if (quantised && !hasKey("general.quantization_version")) {
        checkpoint->addWarning(
            "general.quantization_version is missing (required when tensors are quantised)");
    }
    return checkpoint;
}

}  // namespace ckpt::core
