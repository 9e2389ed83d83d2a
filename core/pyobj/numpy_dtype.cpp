#include "core/pyobj/numpy_dtype.h"

#include <cctype>
#include <charconv>

#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"

namespace ckpt::core::pyobj {

using pickle::asInt;
using pickle::asStr;
using pickle::sequenceItems;
using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

namespace {

/// Python's repr of a str key, as numpy's descr prints names.
std::string pyQuoted(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        out += c == '\'' ? std::string("\\'") : std::string(1, c);
    }
    return out + "'";
}

/// "(2,)" / "(2, 3)" for a shape tuple.
std::string shapeTuple(const ValueGraph& g, ValueId id) {
    const auto* items = sequenceItems(g, id);
    if (items == nullptr) {
        return "()";
    }
    std::string out = "(";
    for (std::size_t i = 0; i < items->size(); ++i) {
        out += (i ? ", " : "") + std::to_string(asInt(g, (*items)[i]).value_or(0));
    }
    return out + (items->size() == 1 ? ",)" : ")");
}

/// The list form of a structured dtype from names/fields of its state; gaps become ('', '|Vn').
std::string structuredDescr(const ValueGraph& g, ValueId names, ValueId fields,
                            std::int64_t elsize) {
    const auto* nameItems = sequenceItems(g, names);
    if (nameItems == nullptr || !g.contains(fields)) {
        return "void";
    }
    std::string out = "[";
    std::int64_t pos = 0;
    bool first = true;
    const auto add = [&](const std::string& part) {
        out += (first ? "" : ", ") + part;
        first = false;
    };
    for (const ValueId nameId : *nameItems) {
        const auto name = asStr(g, nameId);
        const auto field = name ? pickle::dictGet(g, fields, *name) : std::nullopt;
        const auto* parts = field ? sequenceItems(g, *field) : nullptr;
        if (parts == nullptr || parts->size() < 2) {
            return "void";
        }
        const auto sub = numpyDtype(g, (*parts)[0]);
        const auto offset = asInt(g, (*parts)[1]).value_or(pos);
        if (!sub) {
            return "void";
        }
        if (offset > pos) {
            add("('', '|V" + std::to_string(offset - pos) + "')");
        }
        const std::string type = sub->descr.starts_with("[") ? sub->descr : pyQuoted(sub->descr);
        add("(" + pyQuoted(*name) + ", " + type +
            (sub->subShape.empty() ? "" : ", " + sub->subShape) + ")");
        pos = offset + static_cast<std::int64_t>(sub->itemsize);
    }
    if (elsize > pos) {
        add("('', '|V" + std::to_string(elsize - pos) + "')");
    }
    return out + "]";
}

}  // namespace

bool isNumpyModule(std::string_view module) {
    return module == "numpy" || module.starts_with("numpy.core") ||
           module.starts_with("numpy._core");
}

NumpyDType numpyTypestr(std::string_view typestr, char order) {
    NumpyDType d;
    char prefix = 0;
    if (!typestr.empty() &&
        (typestr[0] == '<' || typestr[0] == '>' || typestr[0] == '|' || typestr[0] == '=')) {
        prefix = typestr[0];
        typestr.remove_prefix(1);
    }
    if (order == 0) {
        order = prefix;
    }
    d.bigEndian = order == '>';
    if (typestr.empty()) {
        d.descr = "void";
        return d;
    }
    const char kind = typestr[0];
    std::string_view rest = typestr.substr(1);
    std::string unit;
    if (const auto bracket = rest.find('['); bracket != std::string_view::npos) {
        unit = std::string(rest.substr(bracket));
        rest = rest.substr(0, bracket);
    }
    std::size_t n = 0;
    const bool hasSize =
        !rest.empty() &&
        std::from_chars(rest.data(), rest.data() + rest.size(), n).ec == std::errc{};
    if (kind == '?') {
        n = 1;
    }
    switch (kind) {
        case 'b':
        case '?':
            d.dtype = (n == 1 || !hasSize) ? DType::Bool : DType::Other;
            d.itemsize = 1;
            break;
        case 'i':
            d.dtype = n == 1   ? DType::Int8
                      : n == 2 ? DType::Int16
                      : n == 4 ? DType::Int32
                      : n == 8 ? DType::Int64
                               : DType::Other;
            d.itemsize = n;
            break;
        case 'u':
            d.dtype = n == 1   ? DType::UInt8
                      : n == 2 ? DType::UInt16
                      : n == 4 ? DType::UInt32
                      : n == 8 ? DType::UInt64
                               : DType::Other;
            d.itemsize = n;
            break;
        case 'f':
            d.dtype = n == 2   ? DType::Float16
                      : n == 4 ? DType::Float32
                      : n == 8 ? DType::Float64
                               : DType::Other;
            d.itemsize = n;
            break;
        case 'c':
            d.dtype = n == 8 ? DType::Complex64 : n == 16 ? DType::Complex128 : DType::Other;
            d.itemsize = n;
            break;
        case 'U':
            d.dtype = DType::String;
            d.itemsize = n * 4;
            break;
        case 'S':
        case 'a':
            d.dtype = DType::String;
            d.itemsize = n;
            break;
        case 'O':
            d.isObject = true;
            d.itemsize = 8;
            break;
        case 'M':
        case 'm':
        case 'V':
        default:
            d.itemsize = n;
            break;
    }
    if (d.itemsize <= 1 && kind != 'U') {
        order = '|';
        d.bigEndian = false;
    }
    const char shown = order == 0 || order == '=' ? '<' : order;
    d.descr = d.isObject ? "|O" : std::string(1, shown) + kind + std::string(rest) + unit;
    return d;
}

std::optional<NumpyDType> numpyDtype(const ValueGraph& g, ValueId id) {
    const auto callee = pickle::calleeName(g, id);
    if (!callee || callee->name != "dtype" || !isNumpyModule(callee->module)) {
        return std::nullopt;
    }
    const auto* args = sequenceItems(g, g[id].args);
    const auto typestr = args && !args->empty() ? asStr(g, (*args)[0]) : std::nullopt;
    if (!typestr) {
        return std::nullopt;
    }
    const auto& states = g[id].states;
    const auto* state = states.empty() ? nullptr : sequenceItems(g, states.back());
    char order = 0;
    if (state != nullptr && state->size() > 1) {
        if (const auto o = asStr(g, (*state)[1]); o && o->size() == 1) {
            order = (*o)[0];
        }
    }
    NumpyDType d = numpyTypestr(*typestr, order);
    if (state == nullptr || state->size() < 8) {
        return d;
    }
    // Subarray: (base dtype, shape); structured: names + fields; datetime: metadata unit.
    if (g[(*state)[2]].kind == ValueKind::Tuple) {
        const auto* sub = sequenceItems(g, (*state)[2]);
        if (sub != nullptr && sub->size() == 2) {
            if (const auto base = numpyDtype(g, (*sub)[0])) {
                d.dtype = DType::Other;
                d.descr = base->descr;
                d.subShape = shapeTuple(g, (*sub)[1]);
            }
        }
    }
    if (g[(*state)[3]].kind == ValueKind::Tuple) {
        const auto elsize = asInt(g, (*state)[5]).value_or(0);
        d.dtype = DType::Other;
        d.itemsize = elsize > 0 ? static_cast<std::size_t>(elsize) : d.itemsize;
        d.descr = structuredDescr(g, (*state)[3], (*state)[4], elsize);
    }
    if (state->size() > 8 && (d.descr.find('M') == 1 || d.descr.find('m') == 1)) {
        const auto* meta = sequenceItems(g, (*state)[8]);
        const auto* unit = meta && meta->size() == 2 ? sequenceItems(g, (*meta)[1]) : nullptr;
        if (unit != nullptr && !unit->empty()) {
            if (const auto u = pickle::asBytes(g, (*unit)[0]);
                u && d.descr.find('[') == std::string::npos) {
                d.descr += "[" + *u + "]";
            }
        }
    }
    return d;
}

}  // namespace ckpt::core::pyobj
