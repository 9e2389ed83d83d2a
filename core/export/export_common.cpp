#include "core/export/export_common.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>

#include "core/util/error.h"

namespace ckpt::core {

std::string exportFormatName(ExportFormat f) {
    switch (f) {
        case ExportFormat::Safetensors:
            return "safetensors";
        case ExportFormat::KerasH5:
            return "keras-h5";
        case ExportFormat::WeightsH5:
            return "weights-h5";
        case ExportFormat::Keras:
            return "keras";
        case ExportFormat::Pickle:
            return "pickle";
        case ExportFormat::Bundle:
            return "bundle";
    }
    return "?";
}

bool exportFormatFromName(const std::string& name, ExportFormat& out) {
    for (auto f : {ExportFormat::Safetensors, ExportFormat::KerasH5, ExportFormat::WeightsH5,
                   ExportFormat::Keras, ExportFormat::Pickle, ExportFormat::Bundle}) {
        if (exportFormatName(f) == name) {
            out = f;
            return true;
        }
    }
    return false;
}

namespace {

struct ExtensionRow {
    const char* ending;  ///< lower case, with its dot
    ExportFormat format;
};

/// Longer endings before their suffixes (".weights.h5" before ".h5"); per format the usual
/// ending first.
constexpr ExtensionRow kExtensions[] = {
    {".safetensors", ExportFormat::Safetensors},
    {".weights.h5", ExportFormat::WeightsH5},
    {".h5", ExportFormat::KerasH5},
    {".hdf5", ExportFormat::KerasH5},
    {".keras", ExportFormat::Keras},
    {".pkl", ExportFormat::Pickle},
    {".pickle", ExportFormat::Pickle},
    {".joblib", ExportFormat::Pickle},
    {".pt", ExportFormat::Pickle},
    {".pth", ExportFormat::Pickle},
    {".dill", ExportFormat::Pickle},
};

}  // namespace

std::vector<std::string> exportExtensions(ExportFormat f) {
    std::vector<std::string> out;
    for (const ExtensionRow& row : kExtensions) {
        if (row.format == f) {
            out.emplace_back(row.ending);
        }
    }
    return out;
}

bool exportFormatFromExtension(const std::filesystem::path& out, ExportFormat& f) {
    std::string name = out.filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const ExtensionRow& row : kExtensions) {
        const std::size_t n = std::strlen(row.ending);
        if (name.size() > n && name.compare(name.size() - n, n, row.ending) == 0) {
            f = row.format;
            return true;
        }
    }
    return false;
}

std::string exportOptionFlag(ExportOption option) {
    switch (option) {
        case ExportOption::NoOptimizer:
            return "--no-optimizer";
        case ExportOption::TensorGlob:
            return "--tensors";
        case ExportOption::ReplaceWithNone:
            return "--replace-with-none";
        case ExportOption::DropFlagged:
            return "--drop-flagged";
    }
    return "?";
}

bool exportOptionApplies(ExportOption option, ExportFormat format) {
    switch (option) {
        case ExportOption::NoOptimizer:
            return format != ExportFormat::Pickle;
        case ExportOption::TensorGlob:
            return format == ExportFormat::Safetensors;
        case ExportOption::ReplaceWithNone:
        case ExportOption::DropFlagged:
            return format == ExportFormat::Pickle;
    }
    return false;
}

std::vector<ExportOption> exportOptionsSet(const ExportOptions& options) {
    std::vector<ExportOption> set;
    if (!options.includeOptimizer) {
        set.push_back(ExportOption::NoOptimizer);
    }
    if (!options.tensorGlob.empty()) {
        set.push_back(ExportOption::TensorGlob);
    }
    if (options.replaceWithNone) {
        set.push_back(ExportOption::ReplaceWithNone);
    }
    if (options.dropPortability) {
        set.push_back(ExportOption::DropFlagged);
    }
    return set;
}

std::string exportOptionsError(ExportFormat format, const ExportOptions& options) {
    static const std::vector<ExportFormat> all{ExportFormat::Safetensors, ExportFormat::KerasH5,
                                               ExportFormat::WeightsH5,   ExportFormat::Keras,
                                               ExportFormat::Pickle,      ExportFormat::Bundle};
    for (ExportOption o : exportOptionsSet(options)) {
        if (exportOptionApplies(o, format)) {
            continue;
        }
        std::string fits;
        for (ExportFormat f : all) {
            if (exportOptionApplies(o, f)) {
                fits += (fits.empty() ? "" : ", ") + exportFormatName(f);
            }
        }
        std::string why;
        if (o == ExportOption::NoOptimizer) {
            why =
                ": a cleaned pickle keeps every member that plain pickle loads; export to "
                "safetensors to leave the optimizer state out";
        } else if (o == ExportOption::TensorGlob) {
            why = ": the other formats keep every weight so that the model stays loadable";
        }
        return exportOptionFlag(o) + " does not apply to --format " + exportFormatName(format) +
               " (only to " + fits + ")" + why;
    }
    return {};
}

bool isOptimizerStatePath(const std::string& path) {
    static const std::vector<std::string> names{
        "optimizer_weights", "optimizer", "optimizer_state_dict",
        "optimizer_state",   "optim",     "opt_state"};
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = path.find_first_of("/\\", start);
        const std::string part =
            path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (std::find(names.begin(), names.end(), part) != names.end()) {
            return true;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return false;
}

bool tensorGlobMatches(const std::string& glob, const std::string& path) {
    return glob.empty() || ::fnmatch(glob.c_str(), path.c_str(), 0) == 0;
}

namespace {

/// Reads a Fortran-order tensor whole and writes it out in C order.
void streamTransposed(const Tensor& tensor, std::size_t chunkBytes,
                      const std::function<void(const std::byte*, std::size_t)>& sink) {
    const std::size_t es = dtypeSize(tensor.dtype());
    if (tensor.nbytes() > kMaxTransposeBytes) {
        throw UnsupportedError("a Fortran-order tensor of " + std::to_string(tensor.nbytes()) +
                               " bytes is larger than the transpose limit (" +
                               std::to_string(kMaxTransposeBytes >> 20) + " MiB)");
    }
    const auto& shape = tensor.shape();
    const std::size_t n = static_cast<std::size_t>(tensor.numel());
    std::vector<std::byte> src(n * es);
    tensor.readRaw(0, n, src.data());
    // Fortran strides (in elements): stride[0] = 1, stride[k] = stride[k-1] * shape[k-1].
    const std::size_t rank = shape.size();
    std::vector<std::uint64_t> fstride(rank, 1);
    for (std::size_t k = 1; k < rank; ++k) {
        fstride[k] = fstride[k - 1] * shape[k - 1];
    }
    std::vector<std::uint64_t> index(rank, 0);
    std::vector<std::byte> out;
    out.reserve(std::min<std::size_t>(chunkBytes, n * es));
    std::uint64_t offset = 0;  // Fortran element offset of `index`
    for (std::size_t i = 0; i < n; ++i) {
        out.insert(out.end(), src.begin() + static_cast<std::ptrdiff_t>(offset * es),
                   src.begin() + static_cast<std::ptrdiff_t>((offset + 1) * es));
        if (out.size() + es > chunkBytes) {
            sink(out.data(), out.size());
            out.clear();
        }
        for (std::size_t k = rank; k-- > 0;) {  // C-order increment of the index
            if (++index[k] < shape[k]) {
                offset += fstride[k];
                break;
            }
            offset -= fstride[k] * (shape[k] - 1);
            index[k] = 0;
        }
    }
    if (!out.empty()) {
        sink(out.data(), out.size());
    }
}

}  // namespace

void streamTensorBytes(const Tensor& tensor, std::size_t chunkBytes,
                       const std::function<void(const std::byte*, std::size_t)>& sink) {
    const std::size_t es = dtypeSize(tensor.dtype());
    if (es == 0 || !tensor.readable()) {
        throw UnsupportedError("tensor of type " + std::string(dtypeName(tensor.dtype())) +
                               " has no readable element data");
    }
    if (tensor.fortranOrder() && tensor.shape().size() > 1) {
        streamTransposed(tensor, chunkBytes, sink);
        return;
    }
    const std::uint64_t n = tensor.numel();
    const std::uint64_t perChunk = std::max<std::uint64_t>(1, chunkBytes / es);
    std::vector<std::byte> buf(static_cast<std::size_t>(std::min(n, perChunk) * es));
    for (std::uint64_t first = 0; first < n; first += perChunk) {
        const std::uint64_t count = std::min(perChunk, n - first);
        tensor.readRaw(first, count, buf.data());
        sink(buf.data(), static_cast<std::size_t>(count * es));
    }
}

namespace {

/// Reads 8-bit float elements of a tensor and writes them as float32.
class Float8DecodingSource final : public TensorSource {
public:
    explicit Float8DecodingSource(const Tensor& tensor) : m_tensor(tensor) {}

    void read(std::uint64_t first, std::uint64_t count, std::byte* out) const override {
        constexpr std::uint64_t kStep = std::uint64_t{1} << 16;
        std::vector<std::byte> raw(static_cast<std::size_t>(std::min(count, kStep)));
        for (std::uint64_t done = 0; done < count; done += kStep) {
            const std::uint64_t n = std::min(kStep, count - done);
            m_tensor.readRaw(first + done, n, raw.data());
            for (std::uint64_t i = 0; i < n; ++i) {
                const float v =
                    float8ToFloat(m_tensor.dtype(), std::to_integer<std::uint8_t>(raw[i]));
                std::memcpy(out + 4 * (done + i), &v, 4);
            }
        }
    }
    [[nodiscard]] std::string storageDescription() const override {
        return std::string(dtypeName(m_tensor.dtype())) + " decoded to float32";
    }

private:
    const Tensor& m_tensor;
};

}  // namespace

std::shared_ptr<const Tensor> decodedFloat8View(const Tensor& tensor) {
    if (!dtypeIsFloat8(tensor.dtype())) {
        return nullptr;
    }
    auto view = std::make_shared<Tensor>(
        DType::Float32, tensor.shape(),
        tensor.readable() ? std::make_shared<Float8DecodingSource>(tensor) : nullptr);
    view->setFortranOrder(tensor.fortranOrder());
    view->setEncoding({std::string(dtypeName(tensor.dtype())), tensor.nbytes()});
    return view;
}

void DecodedEncodings::add(const Tensor& t) {
    if (t.encoding().name.empty()) {
        return;
    }
    ++m_tensors;
    m_stored += t.storedBytes();
    m_written += t.nbytes();
    if (std::find(m_names.begin(), m_names.end(), t.encoding().name) == m_names.end()) {
        m_names.push_back(t.encoding().name);
    }
    const std::string type(dtypeName(t.dtype()));
    if (std::find(m_types.begin(), m_types.end(), type) == m_types.end()) {
        m_types.push_back(type);
    }
}

std::string DecodedEncodings::note() const {
    if (m_tensors == 0) {
        return {};
    }
    const auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) {
            out += (out.empty() ? "" : ", ") + s;
        }
        return out;
    };
    return std::to_string(m_tensors) + (m_tensors == 1 ? " tensor" : " tensors") + " stored as " +
           join(m_names) + " " + (m_tensors == 1 ? "is" : "are") + " written decoded, as " +
           join(m_types) + " (" + std::to_string(m_stored) + " bytes in the file, " +
           std::to_string(m_written) + " bytes written)";
}

}  // namespace ckpt::core
