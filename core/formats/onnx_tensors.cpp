#include "core/formats/onnx_tensors.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <mutex>

#include <onnx/onnx_pb.h>

#include "core/io/byte_source.h"
#include "core/util/error.h"
#include "core/util/escape.h"

namespace ckpt::core {

namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; the sources below copy it as it is");

namespace {

struct TypeInfo {
    const char* name;
    DType dtype;
};

/// TensorProto.DataType codes 0-24 (onnx.proto of ONNX 1.18); the 4-bit types are not decoded.
constexpr TypeInfo kTypes[] = {
    {"UNDEFINED", DType::Other},
    {"FLOAT", DType::Float32},
    {"UINT8", DType::UInt8},
    {"INT8", DType::Int8},
    {"UINT16", DType::UInt16},
    {"INT16", DType::Int16},
    {"INT32", DType::Int32},
    {"INT64", DType::Int64},
    {"STRING", DType::String},
    {"BOOL", DType::Bool},
    {"FLOAT16", DType::Float16},
    {"DOUBLE", DType::Float64},
    {"UINT32", DType::UInt32},
    {"UINT64", DType::UInt64},
    {"COMPLEX64", DType::Complex64},
    {"COMPLEX128", DType::Complex128},
    {"BFLOAT16", DType::BFloat16},
    {"FLOAT8E4M3FN", DType::Float8E4M3FN},
    {"FLOAT8E4M3FNUZ", DType::Float8E4M3FNUZ},
    {"FLOAT8E5M2", DType::Float8E5M2},
    {"FLOAT8E5M2FNUZ", DType::Float8E5M2FNUZ},
    {"UINT4", DType::Other},
    {"INT4", DType::Other},
    {"FLOAT4E2M1", DType::Other},
    {"FLOAT8E8M0", DType::Float8E8M0FNU},
};
constexpr std::int32_t kUInt4 = 21;
/// Byte counts said in messages stay below this (dims are checked against 2^63 elements).
constexpr std::uint64_t kMaxBytes = std::numeric_limits<std::uint64_t>::max() >> 1;
constexpr std::int32_t kFloat4E2M1 = 23;

/// Element bytes of raw_data for a dtype (0 for String/Other).
std::size_t rawElementSize(DType t) {
    return dtypeSize(t);
}

/// Elements of raw_data bytes that hold `dtype`: a view of one field of the parsed model.
class ProtoBytesSource final : public TensorSource {
public:
    ProtoBytesSource(std::shared_ptr<const void> keepAlive, const std::string* bytes,
                     std::size_t elementSize)
        : m_keepAlive(std::move(keepAlive)), m_bytes(bytes), m_elementSize(elementSize) {}

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        const std::uint64_t n = m_bytes->size() / m_elementSize;
        if (first > n || count > n - first) {
            throw CorruptDataError("element range outside the tensor");
        }
        std::memcpy(out, m_bytes->data() + first * m_elementSize, count * m_elementSize);
    }
    [[nodiscard]] std::string storageDescription() const override {
        return "raw_data, " + std::to_string(m_bytes->size()) + " bytes (parsed into memory)";
    }

private:
    std::shared_ptr<const void> m_keepAlive;
    const std::string* m_bytes;
    std::size_t m_elementSize;
};

/// Elements kept in one of TensorProto's typed repeated fields, converted to `dtype` as the
/// ONNX spec stores them: int32_data holds every type of 16 bits or fewer (one element per
/// int32, the bits in the low end), uint64_data holds UINT32 and UINT64, float_data and
/// double_data hold complex numbers as (real, imaginary) pairs.
template <typename Field>
class TypedFieldSource final : public TensorSource {
public:
    TypedFieldSource(std::shared_ptr<const void> keepAlive, const Field* values, DType dtype,
                     const char* fieldName)
        : m_keepAlive(std::move(keepAlive)),
          m_values(values),
          m_dtype(dtype),
          m_size(dtypeSize(dtype)),
          m_per(dtypeIsComplex(dtype) ? 2 : 1),
          m_fieldName(fieldName) {}

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        const std::uint64_t n = static_cast<std::uint64_t>(m_values->size()) / m_per;
        if (first > n || count > n - first) {
            throw CorruptDataError("element range outside the tensor");
        }
        const auto* v = m_values->data() + first * m_per;
        using T = std::remove_cv_t<std::remove_reference_t<decltype(*v)>>;
        if (m_size == sizeof(T) * m_per) {
            std::memcpy(out, v, count * m_size);
            return;
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            // Narrower types keep the low bits of each value (little-endian: its first bytes).
            T value = v[i];
            if (m_dtype == DType::Bool) {
                value = value != 0 ? 1 : 0;
            }
            std::memcpy(out + i * m_size, &value, m_size);
        }
    }
    [[nodiscard]] std::string storageDescription() const override {
        return std::string(m_fieldName) + ", " + std::to_string(m_values->size()) + " values";
    }

private:
    std::shared_ptr<const void> m_keepAlive;
    const Field* m_values;
    DType m_dtype;
    std::size_t m_size;
    std::uint64_t m_per;
    const char* m_fieldName;
};

/// Elements of `dims`, or throws when a dim is negative or the product passes 2^63.
std::uint64_t elementCount(const onnx::TensorProto& t, const Error::Context& where) {
    std::uint64_t n = 1;
    for (const std::int64_t d : t.dims()) {
        if (d < 0) {
            throw CorruptDataError("has a negative dimension (" + std::to_string(d) + ")", where);
        }
        const auto u = static_cast<std::uint64_t>(d);
        if (u != 0 && n > (std::numeric_limits<std::uint64_t>::max() >> 1) / u) {
            throw CorruptDataError("claims more than 2^63 elements", where);
        }
        n *= u;
    }
    return n;
}

std::string plural(std::uint64_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

/// A decimal offset or length of external_data; nullopt when it is not one.
std::optional<std::uint64_t> parseSize(const std::string& s) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return std::nullopt;
    }
    return v;
}

/// A location external data may use: relative, inside the model's folder by its name alone
/// (no root, no drive, no "..", no NUL).
bool safeLocation(const std::string& location) {
    if (location.empty() || location.size() > 4096 || location.find('\0') != std::string::npos) {
        return false;
    }
    const fs::path p(location);
    if (p.has_root_name() || p.has_root_directory()) {
        return false;
    }
    for (const auto& part : p) {
        if (part == "..") {
            return false;
        }
    }
    return true;
}

/// True when `path`, with every symlink resolved, lies inside `folder` (also resolved).
bool staysInside(const fs::path& folder, const fs::path& path) {
    std::error_code ec;
    const fs::path base = fs::canonical(folder, ec);
    if (ec) {
        return false;
    }
    const fs::path real = fs::canonical(path, ec);
    if (ec) {
        return false;
    }
    const fs::path rel = real.lexically_relative(base);
    return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

}  // namespace

/// An external data file, opened on its first read. size() is what the file held when the model
/// was opened (checked then); a file that has shrunk since gives CorruptDataError on read.
class OnnxExternalFiles::File final : public ByteSource {
public:
    File(fs::path path, std::uint64_t size, fs::path folder)
        : m_path(std::move(path)), m_size(size), m_folder(std::move(folder)) {}

    [[nodiscard]] std::uint64_t size() const override { return m_size; }
    [[nodiscard]] std::span<const std::byte> view() const override { return {}; }
    void read(std::uint64_t offset, std::span<std::byte> out) const override {
        opened()->read(offset, out);
    }
    [[nodiscard]] std::string name() const override { return m_path.string(); }
    [[nodiscard]] fs::path filePath() const override { return m_path; }

private:
    std::shared_ptr<FileSource> opened() const {
        const std::lock_guard lock(m_mutex);
        if (!m_file) {
            // Checked again: the file may have been swapped for a link since the model opened.
            if (!staysInside(m_folder, m_path)) {
                throw IoError("external data file " + escapeText(m_path.string()) +
                              " now leads outside the model's folder; not read");
            }
            m_file = FileSource::open(m_path);
        }
        return m_file;
    }

    fs::path m_path;
    std::uint64_t m_size;
    fs::path m_folder;
    mutable std::mutex m_mutex;
    mutable std::shared_ptr<FileSource> m_file;
};

namespace {

/// The external data of `t`: checked against the file beside the model, read lazily.
void attachExternal(const onnx::TensorProto& t, const std::string& path, DType dtype,
                    std::vector<std::uint64_t> shape, std::uint64_t numel,
                    OnnxExternalFiles& external, OnnxTensor& out) {
    std::string location;
    std::optional<std::uint64_t> offset = 0;
    std::optional<std::uint64_t> length;
    bool badNumber = false;
    Json entries = Json::object();
    for (const auto& e : t.external_data()) {
        entries[e.key()] = e.value();
        if (e.key() == "location") {
            location = e.value();
        } else if (e.key() == "offset") {
            offset = parseSize(e.value());
            badNumber = badNumber || !offset;
        } else if (e.key() == "length") {
            length = parseSize(e.value());
            badNumber = badNumber || !length;
        }
    }
    out.attributes["storage"] = "external";
    out.attributes["external_data"] = entries;
    out.tensor = std::make_shared<Tensor>(dtype, std::move(shape));
    const std::string shown = escapeText(location);
    const auto unchecked = [&](const std::string& why) {
        out.attributes["external_data_error"] = why;
        out.unchecked = UncheckedPart{"external data of '" + path + "' (" + shown + ")", why};
    };
    if (location.empty()) {
        unchecked("not read: external_data has no location");
        return;
    }
    if (external.folder().empty()) {
        unchecked("not read: " + external.whyNot());
        return;
    }
    if (!safeLocation(location)) {
        unchecked("not read: the location leads outside the model's folder");
        return;
    }
    const fs::path file = external.folder() / location;
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::exists(status)) {
        unchecked("missing: no file " + shown + " beside the model");
        return;
    }
    if (!fs::is_regular_file(status)) {
        unchecked("not read: " + shown + " is not a regular file");
        return;
    }
    if (!staysInside(external.folder(), file)) {
        unchecked("not read: " + shown + " is a link that leads outside the model's folder");
        return;
    }
    const std::uint64_t fileSize = fs::file_size(file, ec);
    if (ec) {
        unchecked("not read: the size of " + shown + " cannot be read");
        return;
    }
    const std::size_t es = dtypeSize(dtype);
    const auto layout = [&](const std::string& what, std::uint64_t at) {
        out.attributes["external_data_error"] = what;
        out.layout = LayoutProblem{path, what, at, true};
    };
    if (badNumber) {
        layout("external_data offset or length is not a decimal size", 0);
        return;
    }
    if (*offset > fileSize) {
        layout("external data offset " + std::to_string(*offset) + " is past the end of " + shown +
                   " (" + plural(fileSize, "byte") + ")",
               *offset);
        return;
    }
    const std::uint64_t available = length.value_or(fileSize - *offset);
    if (es == 0) {
        return;  // shown with its type and size; nothing to read
    }
    if (numel > available / es || numel * es != available) {
        layout(plural(numel, "element") + " of " + std::string(dtypeName(dtype)) + " need " +
                   (numel > kMaxBytes / es ? "more than 2^63 bytes" : plural(numel * es, "byte")) +
                   ", but the external data " +
                   (length ? "length is " : "to the end of " + shown + " holds ") +
                   plural(available, "byte"),
               *offset);
        return;
    }
    if (available > fileSize - *offset) {
        layout("external data (" + plural(available, "byte") + " at offset " +
                   std::to_string(*offset) + ") runs past the end of " + shown + " (" +
                   plural(fileSize, "byte") + ")",
               *offset);
        return;
    }
    auto bytes = external.file(file);
    out.tensor = std::make_shared<Tensor>(
        dtype, out.tensor->shape(),
        std::make_shared<ContiguousTensorSource>(bytes, *offset, es, numel, false));
}

}  // namespace

std::string onnxDataTypeName(std::int32_t code) {
    if (code >= 0 && code < static_cast<std::int32_t>(std::size(kTypes))) {
        return kTypes[code].name;
    }
    return "UNKNOWN(" + std::to_string(code) + ")";
}

DType onnxDType(std::int32_t code) {
    if (code >= 0 && code < static_cast<std::int32_t>(std::size(kTypes))) {
        return kTypes[code].dtype;
    }
    return DType::Other;
}

std::string onnxTensorSummary(const onnx::TensorProto& t) {
    const DType d = onnxDType(t.data_type());
    std::string text =
        d == DType::Other ? onnxDataTypeName(t.data_type()) : std::string(dtypeName(d));
    text += " [";
    for (int i = 0; i < t.dims_size(); ++i) {
        text += (i ? ", " : "") + std::to_string(t.dims(i));
    }
    return text + "]";
}

OnnxExternalFiles::OnnxExternalFiles(fs::path folder, std::string whyNot)
    : m_folder(std::move(folder)), m_whyNot(std::move(whyNot)) {}

OnnxExternalFiles::~OnnxExternalFiles() = default;

std::shared_ptr<const OnnxExternalFiles::File> OnnxExternalFiles::file(const fs::path& path) {
    auto& slot = m_files[path];
    if (!slot) {
        std::error_code ec;
        slot = std::make_shared<File>(path, fs::file_size(path, ec), m_folder);
    }
    return slot;
}

OnnxTensor makeOnnxTensor(const onnx::TensorProto& t, const std::string& path,
                          const std::shared_ptr<const void>& keepAlive,
                          OnnxExternalFiles& external) {
    const Error::Context where{{}, {}, path};
    const std::int32_t code = t.data_type();
    const DType dtype = onnxDType(code);
    const std::uint64_t numel = elementCount(t, where);
    std::vector<std::uint64_t> shape;
    for (const std::int64_t d : t.dims()) {
        shape.push_back(static_cast<std::uint64_t>(d));
    }
    OnnxTensor out;
    out.attributes["onnx_type"] = onnxDataTypeName(code);
    if (t.has_doc_string()) {
        out.attributes["doc_string"] = t.doc_string();
    }
    if (t.has_segment()) {
        throw UnsupportedError("is a segment of a larger tensor (TensorProto.segment)", where);
    }
    const auto fail = [&](const std::string& what) { throw CorruptDataError(what, where); };
    const auto need = [&](std::uint64_t have, std::uint64_t per, const char* field) {
        if (numel > have / per || numel * per != have) {
            fail("claims " + plural(numel, "element") + " of " + onnxDataTypeName(code) +
                 " but its " + field + " holds " + plural(have, per == 1 ? "value" : "byte") +
                 (per > 1 ? " (" + std::to_string(per) + " per element)" : ""));
        }
    };

    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
        attachExternal(t, path, dtype, std::move(shape), numel, external, out);
        if (dtype == DType::Other || dtype == DType::String) {
            out.tensor->setDtypeDetail(onnxDataTypeName(code) + ", not decoded");
        }
        return out;
    }

    if (dtype == DType::String) {
        out.attributes["storage"] = "string_data";
        need(static_cast<std::uint64_t>(t.string_data_size()), 1, "string_data");
        Json preview = Json::array();
        for (int i = 0; i < t.string_data_size() && i < 8; ++i) {
            preview.push_back(escapeText(t.string_data(i).substr(0, 80)));
        }
        out.attributes["strings"] = preview;
        out.tensor = std::make_shared<Tensor>(DType::String, std::move(shape));
        out.tensor->setDtypeDetail("ONNX STRING (shown, not decoded as numbers)");
        return out;
    }
    if (dtype == DType::Other) {
        // Packed 4-bit types: two elements per byte in raw_data; unknown codes: no size at all.
        out.tensor = std::make_shared<Tensor>(DType::Other, std::move(shape));
        const bool packed = code >= kUInt4 && code <= kFloat4E2M1;
        out.tensor->setDtypeDetail(onnxDataTypeName(code) +
                                   (packed ? ", packed 4-bit, not decoded" : ", unknown"));
        if (packed && t.has_raw_data()) {
            const std::uint64_t have = t.raw_data().size();
            if (numel > have * 2 || (numel + 1) / 2 != have) {
                fail("claims " + plural(numel, "element") + " of " + onnxDataTypeName(code) +
                     " (two per byte) but its raw_data holds " + plural(have, "byte"));
            }
            out.tensor->setEncoding({onnxDataTypeName(code), t.raw_data().size()});
            out.attributes["storage"] = "raw_data";
        }
        return out;
    }

    const std::size_t es = rawElementSize(dtype);
    std::shared_ptr<const TensorSource> source;
    const auto typed = [&](const auto& field, const char* name, std::uint64_t per) {
        need(static_cast<std::uint64_t>(field.size()), per, name);
        out.attributes["storage"] = name;
        using Field = std::remove_cvref_t<decltype(field)>;
        source = std::make_shared<TypedFieldSource<Field>>(keepAlive, &field, dtype, name);
    };
    const std::uint64_t complexParts = dtypeIsComplex(dtype) ? 2 : 1;
    if (t.has_raw_data()) {
        out.attributes["storage"] = "raw_data";
        const std::uint64_t have = t.raw_data().size();
        if (numel > have / es || numel * es != have) {
            fail("claims " + plural(numel, "element") + " of " + onnxDataTypeName(code) + " (" +
                 (numel > kMaxBytes / es ? "more than 2^63 bytes" : plural(numel * es, "byte")) +
                 ") but its raw_data holds " + plural(have, "byte"));
        }
        source = std::make_shared<ProtoBytesSource>(keepAlive, &t.raw_data(), es);
    } else {
        switch (dtype) {
            case DType::Float32:
            case DType::Complex64:
                typed(t.float_data(), "float_data", complexParts);
                break;
            case DType::Float64:
            case DType::Complex128:
                typed(t.double_data(), "double_data", complexParts);
                break;
            case DType::Int64:
                typed(t.int64_data(), "int64_data", 1);
                break;
            case DType::UInt32:
            case DType::UInt64:
                typed(t.uint64_data(), "uint64_data", 1);
                break;
            default:  // INT32 and every type of 16 bits or fewer
                typed(t.int32_data(), "int32_data", 1);
                break;
        }
    }
    out.tensor = std::make_shared<Tensor>(dtype, std::move(shape), std::move(source));
    return out;
}

}  // namespace ckpt::core
