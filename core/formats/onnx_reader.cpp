#include "core/formats/onnx_reader.h"

#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include <onnx/onnx_pb.h>

#include "core/formats/onnx_model.h"
#include "core/formats/onnx_tensors.h"
#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/escape.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

namespace fs = std::filesystem;

/// Nesting of TypeProtos followed (sequence of map of ...); protobuf's own limit bounds it too.
constexpr int kTypeDepth = 16;
/// List items shown in an attribute's summary.
constexpr int kListItems = 16;
/// Warnings said one by one before the rest are counted.
constexpr std::size_t kListedWarnings = 20;

std::string cut(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : s.substr(0, n) + "…";
}

std::string number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

/// The type of a value as text ("float32 [N, 3, 224, 224]", "seq(int64 [?])") and, for a
/// tensor, its shape as JSON: numbers for fixed dims, names for symbolic ones, null for unknown.
struct ValueType {
    std::string text;
    Json shape;  ///< null when the type has no shape
};

std::string elemName(std::int32_t code) {
    const DType d = onnxDType(code);
    return d == DType::Other ? onnxDataTypeName(code) : std::string(dtypeName(d));
}

ValueType shapeOf(const std::string& elem, bool hasShape, const onnx::TensorShapeProto& s) {
    ValueType out{elem, nullptr};
    if (!hasShape) {
        out.text += " (shape unknown)";
        return out;
    }
    out.shape = Json::array();
    out.text += " [";
    for (int i = 0; i < s.dim_size(); ++i) {
        const auto& d = s.dim(i);
        std::string t;
        if (d.has_dim_value()) {
            out.shape.push_back(d.dim_value());
            t = std::to_string(d.dim_value());
        } else if (d.has_dim_param()) {
            out.shape.push_back(d.dim_param());
            t = cut(d.dim_param(), 40);
        } else {
            out.shape.push_back(nullptr);
            t = "?";
        }
        out.text += (i ? ", " : "") + t;
    }
    out.text += "]";
    return out;
}

ValueType valueType(const onnx::TypeProto& t, int depth) {
    if (depth > kTypeDepth) {
        return {"…", nullptr};
    }
    switch (t.value_case()) {
        case onnx::TypeProto::kTensorType:
            return shapeOf(elemName(t.tensor_type().elem_type()), t.tensor_type().has_shape(),
                           t.tensor_type().shape());
        case onnx::TypeProto::kSparseTensorType: {
            auto v = shapeOf(elemName(t.sparse_tensor_type().elem_type()),
                             t.sparse_tensor_type().has_shape(), t.sparse_tensor_type().shape());
            v.text = "sparse " + v.text;
            return v;
        }
        case onnx::TypeProto::kSequenceType:
            return {"seq(" + valueType(t.sequence_type().elem_type(), depth + 1).text + ")",
                    nullptr};
        case onnx::TypeProto::kOptionalType:
            return {"optional(" + valueType(t.optional_type().elem_type(), depth + 1).text + ")",
                    nullptr};
        case onnx::TypeProto::kMapType:
            return {"map(" + elemName(t.map_type().key_type()) + ", " +
                        valueType(t.map_type().value_type(), depth + 1).text + ")",
                    nullptr};
        case onnx::TypeProto::kOpaqueType:
            return {"opaque(" + t.opaque_type().domain() + "." + t.opaque_type().name() + ")",
                    nullptr};
        default:
            return {"(type not stated)", nullptr};
    }
}

template <typename List, typename One>
std::string listText(const List& values, One one) {
    std::string s = "[";
    int i = 0;
    for (const auto& v : values) {
        if (i == kListItems) {
            s += ", … (" + std::to_string(values.size()) + " in all)";
            break;
        }
        s += (i++ ? ", " : "") + one(v);
    }
    return s + "]";
}

/// A node attribute in one line: values in full when short, lists cut, tensors and graphs named.
std::string attributeText(const onnx::AttributeProto& a) {
    if (a.has_ref_attr_name()) {
        return "@" + a.ref_attr_name();
    }
    const auto quoted = [](const std::string& s) { return "\"" + cut(s, 60) + "\""; };
    const auto graph = [](const onnx::GraphProto& g) {
        return "graph '" + cut(g.name(), 40) + "' (" + std::to_string(g.node_size()) + " nodes, " +
               std::to_string(g.initializer_size()) + " initializers)";
    };
    auto type = a.type();
    if (type == onnx::AttributeProto::UNDEFINED) {  // IR version 1 files leave it out
        type = a.has_f()              ? onnx::AttributeProto::FLOAT
               : a.has_i()            ? onnx::AttributeProto::INT
               : a.has_s()            ? onnx::AttributeProto::STRING
               : a.has_t()            ? onnx::AttributeProto::TENSOR
               : a.has_g()            ? onnx::AttributeProto::GRAPH
               : a.floats_size() > 0  ? onnx::AttributeProto::FLOATS
               : a.ints_size() > 0    ? onnx::AttributeProto::INTS
               : a.strings_size() > 0 ? onnx::AttributeProto::STRINGS
                                      : onnx::AttributeProto::UNDEFINED;
    }
    switch (type) {
        case onnx::AttributeProto::FLOAT:
            return number(a.f());
        case onnx::AttributeProto::INT:
            return std::to_string(a.i());
        case onnx::AttributeProto::STRING:
            return quoted(a.s());
        case onnx::AttributeProto::TENSOR:
            return "tensor " + onnxTensorSummary(a.t());
        case onnx::AttributeProto::GRAPH:
            return graph(a.g());
        case onnx::AttributeProto::SPARSE_TENSOR:
            return "sparse tensor " + onnxTensorSummary(a.sparse_tensor().values());
        case onnx::AttributeProto::TYPE_PROTO:
            return "type " + valueType(a.tp(), 0).text;
        case onnx::AttributeProto::FLOATS:
            return listText(a.floats(), [](float v) { return number(v); });
        case onnx::AttributeProto::INTS:
            return listText(a.ints(), [](std::int64_t v) { return std::to_string(v); });
        case onnx::AttributeProto::STRINGS:
            return listText(a.strings(), quoted);
        case onnx::AttributeProto::TENSORS:
            return std::to_string(a.tensors_size()) + " tensors";
        case onnx::AttributeProto::GRAPHS:
            return listText(a.graphs(), graph);
        case onnx::AttributeProto::SPARSE_TENSORS:
            return std::to_string(a.sparse_tensors_size()) + " sparse tensors";
        case onnx::AttributeProto::TYPE_PROTOS:
            return std::to_string(a.type_protos_size()) + " types";
        default:
            return "(no value)";
    }
}

/// One Value node per ValueInfoProto: its type as the value, the shape as an attribute.
void addValues(Node& root, const char* group,
               const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& values,
               const std::set<std::string>& initializers) {
    if (values.empty()) {
        return;
    }
    Node& g = root.addChild(NodeKind::Group, group);
    g.attributes()["count"] = values.size();
    for (const auto& v : values) {
        Node& n = g.addChild(NodeKind::Value, v.name());
        const ValueType type = valueType(v.type(), 0);
        n.setTypeName("value");
        n.setValue(type.text);
        auto& a = n.attributes();
        a["type"] = type.text;
        if (!type.shape.is_null()) {
            a["shape"] = type.shape;
        }
        if (v.type().has_tensor_type()) {
            a["elem_type"] = onnxDataTypeName(v.type().tensor_type().elem_type());
        }
        if (initializers.count(v.name()) != 0) {
            a["initializer"] = true;
        }
        if (v.has_doc_string()) {
            a["doc_string"] = cut(v.doc_string(), 200);
        }
    }
}

/// The ops in graph order, each with its inputs, outputs and attributes (what the graph view
/// draws); cut at the onnx-nodes limit.
void addNodes(Node& root, const onnx::GraphProto& graph, Checkpoint& c) {
    if (graph.node_size() == 0) {
        return;
    }
    const std::uint64_t cap = limits().onnxNodes;
    Node& g = root.addChild(NodeKind::Group, onnx_tree::kNodes);
    g.attributes()["count"] = graph.node_size();
    std::uint64_t index = 0;
    for (const auto& op : graph.node()) {
        if (index == cap) {
            c.addWarning("only the first " + std::to_string(cap) + " of " +
                         std::to_string(graph.node_size()) +
                         " ops are listed (limit onnx-nodes; raise it with --limit onnx-nodes=N)");
            g.attributes()["listed"] = cap;
            break;
        }
        const std::string name =
            op.name().empty() ? op.op_type() + "_" + std::to_string(index) : op.name();
        Node& n = g.addChild(NodeKind::Value, name);
        n.setTypeName(op.domain().empty() || op.domain() == "ai.onnx"
                          ? op.op_type()
                          : op.domain() + "." + op.op_type());
        auto& a = n.attributes();
        a["op_type"] = op.op_type();
        a["index"] = index++;
        if (!op.domain().empty()) {
            a["domain"] = op.domain();
        }
        a["inputs"] = Json(std::vector<std::string>(op.input().begin(), op.input().end()));
        a["outputs"] = Json(std::vector<std::string>(op.output().begin(), op.output().end()));
        std::string text = op.op_type() + "(";
        for (int i = 0; i < op.input_size(); ++i) {
            text += (i ? ", " : "") + op.input(i);
        }
        text += ") -> ";
        for (int i = 0; i < op.output_size(); ++i) {
            text += (i ? ", " : "") + op.output(i);
        }
        n.setValue(cut(text, 200));
        if (op.attribute_size() > 0) {
            Json attrs = Json::object();
            for (const auto& at : op.attribute()) {
                attrs[at.name()] = attributeText(at);
            }
            a["attributes"] = std::move(attrs);
        }
        if (op.has_doc_string()) {
            a["doc_string"] = cut(op.doc_string(), 200);
        }
    }
}

/// The model's facts: IR version, producer, opsets, metadata_props, counts.
void addMetadata(Checkpoint& c, Node& root, const onnx::ModelProto& m) {
    auto& meta = c.metadata();
    meta["ir_version"] = m.ir_version();
    if (m.has_producer_name() || m.has_producer_version()) {
        meta["producer"] = cut(
            m.producer_name() + (m.has_producer_version() ? " " : "") + m.producer_version(), 120);
    }
    if (m.has_domain()) {
        meta["domain"] = cut(m.domain(), 120);
    }
    if (m.has_model_version()) {
        meta["model_version"] = m.model_version();
    }
    if (m.has_doc_string()) {
        meta["doc_string"] = cut(m.doc_string(), 200);
    }
    std::string opsets;
    if (m.opset_import_size() > 0) {
        Node& g = root.addChild(NodeKind::Group, onnx_tree::kOpsets);
        for (const auto& o : m.opset_import()) {
            const std::string domain = o.domain().empty() ? "ai.onnx" : o.domain();
            Node& n = g.addChild(NodeKind::Value, domain);
            n.setTypeName("int64");
            n.setValue(std::to_string(o.version()));
            if (opsets.size() < 200) {
                opsets += (opsets.empty() ? "" : ", ") + domain + " " + std::to_string(o.version());
            }
        }
        meta["opset"] = opsets;
    }
    if (m.metadata_props_size() > 0) {
        Node& g = root.addChild(NodeKind::Group, onnx_tree::kProps);
        for (const auto& p : m.metadata_props()) {
            Node& n = g.addChild(NodeKind::Value, p.key());
            n.setTypeName("str");
            n.setValue(cut(p.value(), 200));
            const std::string key = meta.contains(p.key()) ? "metadata_props." + p.key() : p.key();
            meta[key] = cut(p.value(), 200);
        }
    }
    if (m.functions_size() > 0) {
        meta["functions"] = m.functions_size();
    }
    if (m.training_info_size() > 0) {
        meta["training_info"] = m.training_info_size();
    }
}

}  // namespace

std::optional<fs::path> OnnxReader::modelInFolder(const fs::path& folder) {
    std::optional<fs::path> found;
    std::error_code ec;
    std::size_t seen = 0;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (++seen > 10'000) {
            return std::nullopt;  // not a model's folder; do not list it all
        }
        std::string name = it->path().filename().string();
        for (char& ch : name) {
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        if (name.size() > 5 && name.ends_with(".onnx") && it->is_regular_file(ec)) {
            if (found) {
                return std::nullopt;  // two models: the user picks one
            }
            found = it->path();
        }
    }
    return found;
}

int OnnxReader::probe(ProbeContext& context) const {
    return looksLikeOnnx(context.head(), context.source().size()) ? probe::kHeader
                                                                  : probe::kNotMine;
}

std::unique_ptr<Checkpoint> OnnxReader::open(ProbeContext& context,
                                             const OpenOptions& options) const {
    const auto& source = context.sourcePtr();
    const std::shared_ptr<const OnnxModel> parsed = parseOnnxModel(*source);
    const onnx::ModelProto& m = *parsed->model;
    const onnx::GraphProto& graph = m.graph();

    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    Checkpoint& c = *checkpoint;
    Node& root = c.root();
    addMetadata(c, root, m);
    if (!m.has_graph()) {
        c.addWarning("the model has no graph (ModelProto.graph is missing)");
    }
    if (graph.has_name()) {
        c.metadata()["graph_name"] = cut(graph.name(), 120);
    }
    c.metadata()["initializers"] = graph.initializer_size();
    c.metadata()["nodes"] = graph.node_size();
    if (static_cast<std::uint64_t>(graph.initializer_size()) > limits().onnxTensors) {
        throw LimitError(
            "the graph has " + std::to_string(graph.initializer_size()) + " initializers",
            "onnx-tensors", limits().onnxTensors);
    }

    std::set<std::string> initializerNames;
    for (const auto& t : graph.initializer()) {
        initializerNames.insert(t.name());
    }
    addValues(root, onnx_tree::kInputs, graph.input(), initializerNames);
    addValues(root, onnx_tree::kOutputs, graph.output(), initializerNames);

    // External data only beside a model that is a file of its own, opened as one.
    fs::path folder;
    if (source->wholeFileDescriptor() >= 0 && options.nesting == 0) {
        folder = source->filePath().parent_path();
        if (folder.empty()) {
            folder = ".";
        }
    }
    OnnxExternalFiles external(folder,
                               "the model is not a file of its own (it sits inside another file "
                               "or in memory), so no file beside it is opened");

    std::size_t said = 0;
    const auto warn = [&](const std::string& w) {
        if (said++ < kListedWarnings) {
            c.addWarning(w);
        }
    };
    // A tensor node under `parent`, and what its reading found (`name` labels the warnings).
    const auto attach = [&](Node& parent, const std::string& label, const std::string& name,
                            OnnxTensor made) {
        Node& n = parent.addChild(NodeKind::Tensor, label);
        n.setTensor(std::move(made.tensor));
        n.attributes() = std::move(made.attributes);
        if (made.unchecked) {
            warn(made.unchecked->where + ": " + made.unchecked->why);
            c.addUncheckedPart(std::move(*made.unchecked));
        }
        if (made.layout) {
            warn(escapeText(name) + ": " + made.layout->what);
            c.addLayoutProblem(std::move(*made.layout));
        }
    };
    std::set<std::string> seen;
    const std::shared_ptr<const void> keepAlive = parsed;
    std::uint64_t done = 0;
    const auto total = static_cast<std::uint64_t>(graph.initializer_size());
    for (const auto& t : graph.initializer()) {
        std::string name = t.name();
        if (name.empty()) {
            name = "initializer_" + std::to_string(done);
            warn("initializer " + std::to_string(done) + " has no name; shown as " + name);
        }
        if (!seen.insert(name).second) {
            warn("initializer '" + escapeText(name) + "' is defined twice");
            c.addLayoutProblem(
                {name, "initializer '" + name + "' is defined twice", std::nullopt, true});
        }
        attach(root, name, name, makeOnnxTensor(t, name, keepAlive, external));
        reportProgress(options.progress, ++done, total);
    }

    if (graph.sparse_initializer_size() > 0) {
        Node& g = root.addChild(NodeKind::Group, onnx_tree::kSparse);
        for (const auto& s : graph.sparse_initializer()) {
            const std::string name = s.values().name();
            Node& sn = g.addChild(NodeKind::Group, name);
            sn.attributes()["dims"] =
                Json(std::vector<std::int64_t>(s.dims().begin(), s.dims().end()));
            for (const auto* part : {&s.values(), &s.indices()}) {
                const std::string label = part == &s.values() ? "values" : "indices";
                attach(sn, label, name,
                       makeOnnxTensor(*part, name + "/" + label, keepAlive, external));
            }
        }
    }
    // Graphs held by ops (If branches, Loop and Scan bodies) have initializers of their own:
    // walked depth-first in graph order, without recursion (nesting is bounded by onnx-depth).
    // Each graph is a slot; its group (and its parents' groups) are made when it has tensors.
    struct Slot {
        std::size_t parent = 0;
        std::string name;  ///< "op.attribute", "op.attribute[k]" for a "graphs" attribute
        std::string path;  ///< the names from the top, joined by '/', for messages
        Node* group = nullptr;
    };
    struct Held {
        const onnx::GraphProto* graph;
        std::size_t slot;
    };
    std::vector<Slot> slots(1);  // slot 0: the model's graph, whose tensors are above
    const auto groupOf = [&](std::size_t slot) -> Node& {
        std::vector<std::size_t> missing;
        for (std::size_t s = slot; s != 0 && slots[s].group == nullptr; s = slots[s].parent) {
            missing.push_back(s);
        }
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            Slot& made = slots[*it];
            Node* parent = made.parent == 0 ? nullptr : slots[made.parent].group;
            if (parent == nullptr) {
                if (slots[0].group == nullptr) {
                    slots[0].group = &root.addChild(NodeKind::Group, onnx_tree::kSubgraphs);
                }
                parent = slots[0].group;
            }
            made.group = &parent->addChild(NodeKind::Group, made.name);
        }
        return *slots[slot].group;
    };
    std::vector<Held> todo{{&graph, 0}};
    std::uint64_t inSubgraphs = 0;
    while (!todo.empty()) {
        const Held here = todo.back();
        todo.pop_back();
        std::vector<Held> held;
        for (int i = 0; i < here.graph->node_size(); ++i) {
            const onnx::NodeProto& op = here.graph->node(i);
            const std::string opName =
                op.name().empty() ? op.op_type() + "#" + std::to_string(i) : op.name();
            for (const auto& at : op.attribute()) {
                const auto hold = [&](const onnx::GraphProto& g, const std::string& name) {
                    const std::string& up = slots[here.slot].path;
                    slots.push_back({here.slot, name, up.empty() ? name : up + "/" + name});
                    held.push_back({&g, slots.size() - 1});
                };
                if (at.has_g()) {
                    hold(at.g(), opName + "." + at.name());
                }
                for (int k = 0; k < at.graphs_size(); ++k) {
                    hold(at.graphs(k), opName + "." + at.name() + "[" + std::to_string(k) + "]");
                }
            }
        }
        if (here.slot != 0 && here.graph->initializer_size() > 0) {
            Node& group = groupOf(here.slot);
            int index = 0;
            for (const auto& t : here.graph->initializer()) {
                inSubgraphs += 1;
                if (total + inSubgraphs > limits().onnxTensors) {
                    throw LimitError("the graphs hold more than " +
                                         std::to_string(limits().onnxTensors) + " initializers",
                                     "onnx-tensors", limits().onnxTensors);
                }
                const std::string name =
                    t.name().empty() ? "initializer_" + std::to_string(index) : t.name();
                ++index;
                const std::string where = slots[here.slot].path + "/" + name;
                attach(group, name, where, makeOnnxTensor(t, where, keepAlive, external));
            }
        }
        todo.insert(todo.end(), held.rbegin(), held.rend());
    }
    if (inSubgraphs > 0) {
        c.metadata()["subgraph_initializers"] = inSubgraphs;
    }
    if (said > kListedWarnings) {
        c.addWarning(std::to_string(said - kListedWarnings) +
                     " more problems with initializers (ckpt validate lists them all)");
    }
    addNodes(root, graph, c);
    addValues(root, onnx_tree::kValueInfo, graph.value_info(), initializerNames);
    return checkpoint;
}

}  // namespace ckpt::core
