// ckpt info, ckpt tensors, ckpt formats.

#include <algorithm>
#include <exception>
#include <functional>
#include <limits>

#include "app/cli/args.h"
#include "app/cli/cli.h"
#include "app/cli/commands.h"
#include "app/cli/text_format.h"
#include "core/analysis/overview.h"
#include "core/formats/registry.h"
#include "core/model/json_dump.h"
#include "core/report/checkpoint_json.h"
#include "core/util/error.h"
#include "core/util/escape.h"

namespace ckpt::cli {
namespace {

using core::Checkpoint;
using core::Json;

/// Opens FILE for a command; prints the error (and keeps it in `error`) and returns null when
/// it cannot be read.
std::unique_ptr<Checkpoint> openOrReport(const std::string& path, std::ostream& err,
                                         std::string* error = nullptr) {
    try {
        core::OpenOptions options;
        options.progress = terminalProgress("reading");
        auto checkpoint = core::openCheckpoint(path, options);
        clearTerminalProgress();
        return checkpoint;
    } catch (const std::exception& e) {
        clearTerminalProgress();
        err << "ckpt: error: " << core::escapeText(e.what()) << "\n";
        if (error != nullptr) {
            *error = e.what();
        }
        return nullptr;
    }
}

std::string metadataLine(const Json& meta) {
    std::string line;
    for (const auto& [k, v] : meta.items()) {
        if (!line.empty()) {
            line += "  ";
        }
        line += core::escapeText(k) + "=" +
                core::escapeText(v.is_string() ? v.get<std::string>() : core::dumpJson(v));
    }
    return line;
}

void printLayers(const Checkpoint& c, std::ostream& out) {
    if (c.layers().empty()) {
        return;
    }
    std::size_t nameWidth = 24;
    for (const auto& l : c.layers()) {
        const auto label =
            core::escapeText(l.name + (l.className.empty() ? "" : " (" + l.className + ")"));
        nameWidth = std::max(nameWidth, std::min<std::size_t>(label.size() + 2, 60));
    }
    out << "\n"
        << pad("Layer (type)", nameWidth) << pad("Params", 14, true) << pad("Trainable", 14, true)
        << pad("Non-trainable", 15, true) << "\n"
        << std::string(nameWidth + 43, '-') << "\n";
    for (const auto& l : c.layers()) {
        const auto label =
            core::escapeText(l.name + (l.className.empty() ? "" : " (" + l.className + ")"));
        out << pad(label, nameWidth) << pad(groupDigits(l.params), 14, true)
            << pad(groupDigits(l.trainableParams), 14, true)
            << pad(groupDigits(l.nonTrainableParams), 15, true) << "\n";
    }
    out << std::string(nameWidth + 43, '-') << "\n"
        << "Total params: " << groupDigits(c.totalParams()) << "  (trainable "
        << groupDigits(c.trainableParams()) << ", non-trainable "
        << groupDigits(c.nonTrainableParams()) << ")\n";
}

/// The dtype column: the type's name, or for types without a numeric view the file's own
/// short spelling ("<U5", "<M8[s]", "object"); a structured type is "struct".
std::string dtypeColumn(const core::Tensor& t) {
    if (!t.encoding().name.empty()) {
        return core::escapeText(t.encoding().name);  // a block encoding (GGUF "Q4_K")
    }
    const std::string& detail = t.dtypeDetail();
    if (core::dtypeIsNumeric(t.dtype()) || detail.empty()) {
        return std::string(dtypeName(t.dtype()));
    }
    if (detail.starts_with("[")) {
        return "struct";
    }
    return detail.size() <= 9 ? core::escapeText(detail) : std::string(dtypeName(t.dtype()));
}

void printTensorTable(const std::vector<const core::Node*>& tensors, std::size_t limit,
                      std::ostream& out) {
    std::size_t pathWidth = 20;
    for (std::size_t i = 0; i < tensors.size() && i < limit; ++i) {
        pathWidth = std::max(
            pathWidth, std::min<std::size_t>(core::escapeText(tensors[i]->path()).size() + 2, 72));
    }
    std::size_t typeWidth = 10;  // wider for long names ("float8_e5m2fnuz")
    for (std::size_t i = 0; i < tensors.size() && i < limit; ++i) {
        typeWidth = std::max(typeWidth, dtypeColumn(*tensors[i]->tensor()).size() + 1);
    }
    for (std::size_t i = 0; i < tensors.size() && i < limit; ++i) {
        const auto& t = *tensors[i]->tensor();
        out << "  " << pad(core::escapeText(tensors[i]->path()), pathWidth)
            << pad(dtypeColumn(t), typeWidth) << pad(t.shapeText(), 18)
            << pad(humanBytes(t.storedBytes()), 11, true) << "\n";
        // A structured numpy type: its fields, as numpy's descr lists them.
        if (t.dtypeDetail().starts_with("[")) {
            out << "      fields " << core::escapeText(t.dtypeDetail()) << "\n";
        }
    }
    if (tensors.size() > limit) {
        out << "  ... " << groupDigits(tensors.size() - limit)
            << " more (ckpt tensors FILE, or --all)\n";
    }
    // Block encodings: which ones read as floats and which are only shown.
    std::string decoded;
    std::string notDecoded;
    for (const auto* n : tensors) {
        const auto& t = *n->tensor();
        const std::string& e = t.encoding().name;
        std::string& list = t.readable() ? decoded : notDecoded;
        if (!e.empty() && (" " + list + ",").find(" " + e + ",") == std::string::npos) {
            list += (list.empty() ? "" : ", ") + e;
        }
    }
    if (!decoded.empty()) {
        out << "  (" << core::escapeText(decoded)
            << ": block-quantised, dequantised to float32 for stats and diff)\n";
    }
    if (!notDecoded.empty()) {
        out << "  (" << core::escapeText(notDecoded)
            << ": packed or block-quantised, not decoded: no statistics or value diff)\n";
    }
}

/// True when the tree holds Python objects or calls (a plain dict of tensors does not).
bool hasObjects(const core::Node& root) {
    if (root.attributes().contains("reduce") || root.attributes().contains("reconstructor")) {
        return true;  // a call at the root (os.system, a pickled Keras model, ...)
    }
    std::vector<const core::Node*> stack{&root};
    while (!stack.empty()) {
        const auto* n = stack.back();
        stack.pop_back();
        if (n->kind() == core::NodeKind::Object) {
            return true;
        }
        if (n->lazy()) {
            continue;  // groups and values only
        }
        for (const auto& c : n->children()) {
            stack.push_back(c.get());
        }
    }
    return false;
}

/// One line of the object tree: "name: class", "name  float32 [3, 4]", "name = value".
std::string objectLine(const core::Node& n) {
    const std::string name = n.parent() == nullptr ? "<root>" : n.name();
    switch (n.kind()) {
        case core::NodeKind::Tensor: {
            const auto& t = *n.tensor();
            const auto dt = !t.encoding().name.empty() ? t.typeLabel()
                            : t.dtypeDetail().empty() || t.dtypeDetail().size() > 24
                                ? std::string(dtypeName(t.dtype()))
                                : t.dtypeDetail();
            return name + "  " + dt + " " + t.shapeText() +
                   (n.typeName().empty() ? "" : "  (" + n.typeName() + ")");
        }
        case core::NodeKind::Value: {
            std::string v = n.value();
            if (v.size() > 60) {
                v = v.substr(0, 57) + "...";
            }
            return name + " = " + v;
        }
        case core::NodeKind::Archive: {
            const auto root = n.attributes().find("root_class");
            return name + ": nested " + n.typeName() + " file" +
                   (root != n.attributes().end() ? " holding " + root->get<std::string>() : "");
        }
        default:
            return name + ": " + (n.typeName().empty() ? "group" : n.typeName());
    }
}

/// objectLine for a child of a lazy node, from its description (a group or a value).
std::string viewLine(const core::ChildView& v) {
    if (v.kind == core::NodeKind::Value) {
        std::string value = v.value;
        if (value.size() > 60) {
            value = value.substr(0, 57) + "...";
        }
        return v.name + " = " + value;
    }
    return v.name + ": " + (v.typeName.empty() ? "group" : v.typeName);
}

/// The object view as an indented tree, bounded in lines and children per node.
void printObjects(const Checkpoint& c, bool all, std::ostream& out) {
    if (!hasObjects(c.root())) {
        return;
    }
    constexpr std::size_t kChildren = 12;
    const std::size_t maxLines = all ? std::numeric_limits<std::size_t>::max() : 60;
    out << "\nObjects:\n";
    struct Item {
        const core::Node* node;
        std::size_t depth;
        std::size_t elided;  ///< > 0: a "... N more" line instead of a node
    };
    std::vector<Item> stack{{&c.root(), 0, 0}};
    std::size_t lines = 0;
    while (!stack.empty() && lines < maxLines) {
        const Item it = stack.back();
        stack.pop_back();
        const std::string indent(2 + it.depth * 2, ' ');
        ++lines;
        if (it.elided > 0) {
            out << indent << "... " << groupDigits(it.elided) << " more\n";
            continue;
        }
        out << indent << core::escapeText(objectLine(*it.node)) << "\n";
        if (it.node->kind() == core::NodeKind::Archive &&
            it.node->typeName().find("pickle") == std::string::npos &&
            it.node->typeName() != "joblib" && it.node->typeName() != "tar") {
            continue;  // a nested Keras/HDF5 file: its tensors are listed below
        }
        if (all && it.node->lazy()) {
            // The whole of a lazy subtree (plain data) printed from its descriptions: nothing
            // is made, so --all on 10^7 pickled dicts runs in the memory of the open.
            const std::size_t count = it.node->childCount();
            for (std::size_t i = 0; i < count; ++i) {
                out << std::string(2 + (it.depth + 1) * 2, ' ')
                    << core::escapeText(viewLine(it.node->describeChild(i))) << "\n";
                it.node->visitBelowChild(
                    i, {}, [&](const core::ChildView& v, const std::string&, std::size_t d) {
                        out << std::string(2 + (it.depth + 1 + d) * 2, ' ')
                            << core::escapeText(viewLine(v)) << "\n";
                        return core::Node::Visit::Descend;
                    });
            }
            continue;
        }
        // childCount/child: a lazy node makes only the children printed.
        const std::size_t count = it.node->childCount();
        const std::size_t shown = all ? count : std::min(count, kChildren);
        if (shown < count) {
            stack.push_back({nullptr, it.depth + 1, count - shown});
        }
        for (std::size_t i = shown; i-- > 0;) {
            stack.push_back({it.node->child(i), it.depth + 1, 0});
        }
    }
    if (!stack.empty()) {
        out << "  ... (ckpt info --all for the whole tree)\n";
    }
}

}  // namespace

namespace {

/// Text of one checkpoint for `ckpt info`.
void printInfo(const Checkpoint& c, bool all, std::ostream& out) {
    out << "File     " << core::escapeText(c.filePath()) << " (" << humanBytes(c.fileSize())
        << ")\n"
        << "Format   " << c.formatDescription() << " [" << c.format() << "]\n";
    if (!c.metadata().empty()) {
        out << "Metadata " << metadataLine(c.metadata()) << "\n";
    }
    const auto overview = core::summarizeCheckpoint(c);
    out << "Params   " << groupDigits(overview.params)
        << (overview.optimizerParams > 0
                ? " (+ " + groupDigits(overview.optimizerParams) + " in optimizer state)"
                : std::string())
        << "\n";
    if (!overview.scalars.empty()) {
        std::string line;
        for (const auto& s : overview.scalars) {
            line += (line.empty() ? "" : "  ") + s.name + "=" + s.value;
        }
        out << "Values   " << line << "\n";
    }
    for (const auto& w : c.warnings()) {
        out << "Warning  " << core::escapeText(w) << "\n";
    }
    printLayers(c, out);
    printObjects(c, all, out);
    const auto tensors = c.tensorNodes();
    std::uint64_t bytes = 0;
    for (const auto* n : tensors) {
        bytes += n->tensor()->storedBytes();
    }
    out << "\nTensors: " << groupDigits(tensors.size()) << " (" << humanBytes(bytes) << ")\n";
    printTensorTable(tensors, all ? tensors.size() : 40, out);
}

Json tensorsJson(const Checkpoint& c) {
    Json arr = Json::array();
    for (const auto* n : c.tensorNodes()) {
        arr.push_back(core::tensorJson(*n, true));
    }
    return arr;
}

/// Runs `each` on every FILE in order; one that cannot be read is reported (stderr, and as
/// {file, error} in the JSON of several files) and the others still run. One FILE keeps the
/// single-file JSON; several make one JSON array, one element per FILE in argument order.
/// Returns the worst exit code.
int forEachFile(const std::vector<std::string>& files, bool json, std::ostream& out,
                std::ostream& err, const std::function<Json(const Checkpoint&)>& toJson,
                const std::function<void(const Checkpoint&)>& toText) {
    int code = kOk;
    Json many = Json::array();
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string error;
        auto c = openOrReport(files[i], err, &error);
        if (!c) {
            code = std::max<int>(code, kUnreadable);
            many.push_back({{"file", files[i]}, {"error", error}});
            continue;
        }
        if (json) {
            Json j = toJson(*c);
            if (files.size() == 1) {
                out << core::dumpJson(j, 2) << "\n";
            } else if (j.is_object()) {
                if (!j.contains("file")) {
                    j["file"] = files[i];
                }
                many.push_back(std::move(j));
            } else {
                many.push_back({{"file", files[i]}, {"tensors", std::move(j)}});
            }
            continue;
        }
        if (i > 0) {
            out << "\n";
        }
        toText(*c);
    }
    if (json && files.size() > 1) {
        out << core::dumpJson(many, 2) << "\n";
    }
    return code;
}

}  // namespace

int runInfo(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    if (auto e = args.parse(argv, {"--json", "--all"}, {});
        !e.empty() || args.positionals().empty()) {
        err << "ckpt info: " << (e.empty() ? "expected at least one FILE" : e)
            << "\nUsage: ckpt info FILE... [--json] [--all]\n";
        return kUsage;
    }
    const bool all = args.flag("--all");
    return forEachFile(
        args.positionals(), args.flag("--json"), out, err,
        [](const Checkpoint& c) { return core::checkpointInfoJson(c); },
        [&](const Checkpoint& c) { printInfo(c, all, out); });
}

int runTensors(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    if (auto e = args.parse(argv, {"--json"}, {}); !e.empty() || args.positionals().empty()) {
        err << "ckpt tensors: " << (e.empty() ? "expected at least one FILE" : e)
            << "\nUsage: ckpt tensors FILE... [--json]\n";
        return kUsage;
    }
    const bool several = args.positionals().size() > 1;
    return forEachFile(args.positionals(), args.flag("--json"), out, err, tensorsJson,
                       [&](const Checkpoint& c) {
                           if (several) {
                               out << core::escapeText(c.filePath()) << ":\n";
                           }
                           const auto tensors = c.tensorNodes();
                           printTensorTable(tensors, tensors.size(), out);
                       });
}

int runFormats(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    Args args;
    if (auto e = args.parse(argv, {"--json"}, {}); !e.empty() || !args.positionals().empty()) {
        err << "ckpt formats: " << (e.empty() ? "takes no FILE" : e) << "\n";
        return kUsage;
    }
    Json arr = Json::array();
    for (const auto* r : core::readers()) {
        Json exts = Json::array();
        std::string extText;
        for (const std::string_view e : r->extensions()) {
            exts.push_back(std::string(e));
            extText += (extText.empty() ? "" : " ") + std::string(e);
        }
        arr.push_back({{"id", std::string(r->id())},
                       {"description", std::string(r->description())},
                       {"extensions", exts},
                       {"signature", std::string(r->signature())}});
        if (!args.flag("--json")) {
            out << pad(std::string(r->id()), 20) << r->description() << "\n"
                << pad("", 20) << "recognised by: " << r->signature() << "\n";
            if (!extText.empty()) {
                out << pad("", 20) << "usually named: " << extText << "\n";
            }
        }
    }
    if (args.flag("--json")) {
        out << core::dumpJson(arr, 2) << "\n";
    }
    return kOk;
}

}  // namespace ckpt::cli
