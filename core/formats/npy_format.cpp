#include "core/formats/npy_format.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/limits.h"

namespace ckpt::core {
namespace {

constexpr std::uint64_t kMaxHeader = 1u << 20;  // numpy itself refuses > 10000 unless trusted

/// The value text of `key` in a Python dict literal; for tuples and lists the bracketed text.
std::string dictValue(const std::string& dict, const std::string& key) {
    for (const char quote : {'\'', '"'}) {
        const std::string k = std::string(1, quote) + key + quote;
        auto pos = dict.find(k);
        if (pos == std::string::npos) {
            continue;
        }
        pos = dict.find(':', pos + k.size());
        if (pos == std::string::npos) {
            return {};
        }
        ++pos;
        while (pos < dict.size() && std::isspace(static_cast<unsigned char>(dict[pos]))) {
            ++pos;
        }
        if (pos >= dict.size()) {
            return {};
        }
        const char open = dict[pos];
        if (open == '\'' || open == '"') {
            const auto end = dict.find(open, pos + 1);
            return end == std::string::npos ? std::string() : dict.substr(pos + 1, end - pos - 1);
        }
        if (open == '(' || open == '[') {
            int level = 0;
            for (std::size_t i = pos; i < dict.size(); ++i) {
                level += dict[i] == '(' || dict[i] == '['   ? 1
                         : dict[i] == ')' || dict[i] == ']' ? -1
                                                            : 0;
                if (level == 0) {
                    return dict.substr(pos, i - pos + 1);
                }
            }
            return {};
        }
        auto end = pos;
        while (end < dict.size() && dict[end] != ',' && dict[end] != '}') {
            ++end;
        }
        auto v = dict.substr(pos, end - pos);
        while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) {
            v.pop_back();
        }
        return v;
    }
    return {};
}

DType dtypeFromDescr(const std::string& descr, bool& bigEndian) {
    bigEndian = !descr.empty() && descr[0] == '>';
    std::string t = descr;
    if (!t.empty() && (t[0] == '<' || t[0] == '>' || t[0] == '|' || t[0] == '=')) {
        t = t.substr(1);
    }
    static const std::pair<const char*, DType> table[] = {
        {"b1", DType::Bool},    {"?", DType::Bool},       {"i1", DType::Int8},
        {"u1", DType::UInt8},   {"i2", DType::Int16},     {"u2", DType::UInt16},
        {"i4", DType::Int32},   {"u4", DType::UInt32},    {"i8", DType::Int64},
        {"u8", DType::UInt64},  {"f2", DType::Float16},   {"f4", DType::Float32},
        {"f8", DType::Float64}, {"c8", DType::Complex64}, {"c16", DType::Complex128},
    };
    for (const auto& [name, dtype] : table) {
        if (t == name) {
            return dtype;
        }
    }
    return DType::Other;
}

}  // namespace

bool isNpy(const ByteSource& source) {
    const auto b = source.peek(0, 6);
    return b.size() == 6 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0;
}

NpyHeader parseNpyHeader(const ByteSource& source) {
    if (!isNpy(source)) {
        throw FormatError("not an .npy array (no \\x93NUMPY magic)");
    }
    const auto v = source.peek(6, 6);
    if (v.size() < 4) {
        throw CorruptDataError("the .npy header is truncated", {{}, "npy", {}, 6});
    }
    NpyHeader h;
    h.major = static_cast<int>(v[0]);
    std::uint64_t len = 0;
    std::uint64_t start = 0;
    if (h.major == 1) {
        len = static_cast<std::uint64_t>(v[2]) | static_cast<std::uint64_t>(v[3]) << 8;
        start = 10;
    } else if (h.major == 2 || h.major == 3) {
        if (v.size() < 6) {
            throw CorruptDataError("the .npy header is truncated", {{}, "npy", {}, 6});
        }
        for (int i = 3; i >= 0; --i) {
            len = (len << 8) | static_cast<std::uint64_t>(v[2 + static_cast<std::size_t>(i)]);
        }
        start = 12;
    } else {
        throw UnsupportedError(".npy format version " + std::to_string(h.major) + " is unknown");
    }
    if (len > kMaxHeader || start + len > source.size()) {
        throw CorruptDataError(
            "the .npy header claims " + std::to_string(len) + " bytes, more than the file holds",
            {{}, "npy", {}, 8});
    }
    const auto bytes = source.peek(start, static_cast<std::size_t>(len));
    const std::string dict(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    h.dataOffset = start + len;
    h.descr = dictValue(dict, "descr");  // a structured dtype keeps its bracketed list text
    h.dtype = dtypeFromDescr(h.descr, h.bigEndian);
    const std::string fortran = dictValue(dict, "fortran_order");
    if (fortran != "True" && fortran != "False") {
        throw CorruptDataError("the .npy header has no fortran_order", {{}, "npy", {}, start});
    }
    h.fortranOrder = fortran == "True";
    const std::string shape = dictValue(dict, "shape");
    if (shape.size() < 2 || shape.front() != '(') {
        throw CorruptDataError("the .npy header has no shape tuple", {{}, "npy", {}, start});
    }
    std::uint64_t cur = 0;
    bool inNumber = false;
    for (const char c : shape.substr(1)) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            if (cur > (std::uint64_t{1} << 56)) {
                throw CorruptDataError("the .npy shape is absurdly large");
            }
            cur = cur * 10 + static_cast<std::uint64_t>(c - '0');
            inNumber = true;
        } else if (c == ',' || c == ')') {
            if (inNumber) {
                h.shape.push_back(cur);
            }
            cur = 0;
            inNumber = false;
        } else if (!std::isspace(static_cast<unsigned char>(c)) && c != 'L') {
            throw CorruptDataError("the .npy shape '" + shape + "' is not a tuple of sizes");
        }
    }
    const auto size = dtypeSize(h.dtype);
    if (size == 0 && std::find(h.shape.begin(), h.shape.end(), 0) == h.shape.end()) {
        // Objects and strings: no fixed element size, but every element takes bytes.
        const std::uint64_t available = std::max<std::uint64_t>(source.size() - h.dataOffset, 1);
        const std::uint64_t perByte = limits().elementsPerByte;
        const std::uint64_t most =
            available > UINT64_MAX / perByte ? UINT64_MAX : available * perByte;
        std::uint64_t numel = 1;
        for (const auto d : h.shape) {
            if (numel > most / d) {
                throw LimitError("the .npy shape claims more elements than its " +
                                     std::to_string(available) + " data bytes can hold",
                                 "elements-per-byte", perByte, {{}, "npy", {}, h.dataOffset});
            }
            numel *= d;
        }
    }
    if (size != 0) {
        std::uint64_t need = size;
        bool tooLarge = false;
        for (const auto d : h.shape) {
            if (d != 0 && need > (std::uint64_t{1} << 62) / d) {
                tooLarge = true;
            }
            need *= d;
        }
        if (std::find(h.shape.begin(), h.shape.end(), 0) != h.shape.end()) {
            need = 0;
            tooLarge = false;
        }
        const std::uint64_t available = source.size() - h.dataOffset;
        if (tooLarge || need > available) {
            throw CorruptDataError("the array needs " +
                                       (tooLarge ? std::string("more") : std::to_string(need)) +
                                       " bytes but the file holds " + std::to_string(available) +
                                       " after the header (truncated?)",
                                   {{}, "npy", {}, h.dataOffset});
        }
    }
    return h;
}

std::shared_ptr<Tensor> npyTensor(const std::shared_ptr<const ByteSource>& source,
                                  const NpyHeader& header) {
    std::uint64_t numel = 1;
    for (const auto d : header.shape) {
        numel *= d;
    }
    std::shared_ptr<const TensorSource> data;
    if (dtypeSize(header.dtype) != 0) {
        const auto elem = dtypeSize(header.dtype);
        const bool complex = header.dtype == DType::Complex64 || header.dtype == DType::Complex128;
        data = std::make_shared<ContiguousTensorSource>(source, header.dataOffset, elem, numel,
                                                        header.bigEndian && !complex);
    }
    auto tensor = std::make_shared<Tensor>(header.dtype, header.shape, data);
    tensor->setFortranOrder(header.fortranOrder);
    tensor->setFileByteOrder(header.bigEndian ? ByteOrder::Big : ByteOrder::Little);
    if (header.dtype == DType::Other) {
        tensor->setDtypeDetail(header.descr == "|O" ? "object (pickled Python objects)"
                                                    : header.descr);
    }
    return tensor;
}

}  // namespace ckpt::core
