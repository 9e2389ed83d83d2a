#pragma once
/// ONNX TensorProtos as project tensors: the data type mapping, the element count checked
/// against the bytes the tensor really holds, and the lazy sources over the three places ONNX
/// keeps data (raw_data, the typed repeated fields, an external file beside the model).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/checkpoint.h"
#include "core/model/dtype.h"
#include "core/model/json.h"
#include "core/model/tensor.h"

namespace onnx {
class TensorProto;
}

namespace ckpt::core {

/// ONNX's name of TensorProto.DataType `code` ("FLOAT", "BFLOAT16", "FLOAT8E4M3FN", ...), or
/// "UNKNOWN(<code>)".
[[nodiscard]] std::string onnxDataTypeName(std::int32_t code);
/// The project dtype of ONNX data type `code`: numeric types map one to one; STRING is String;
/// UNDEFINED, unknown codes and the packed 4-bit types (INT4, UINT4, FLOAT4E2M1) are Other.
[[nodiscard]] DType onnxDType(std::int32_t code);
/// The shape text ONNX users read: dtype name and dims, "float32 [3, 4]".
[[nodiscard]] std::string onnxTensorSummary(const onnx::TensorProto& t);

/// Where external data files may be read from: the folder of the model file, or nowhere (a
/// model that is not a plain file on disk, e.g. bytes inside another file or in memory).
/// Shares one opened file between the tensors that point into it.
class OnnxExternalFiles {
public:
    /// `folder` empty: external data is never read (`whyNot` says why).
    OnnxExternalFiles(std::filesystem::path folder, std::string whyNot);
    ~OnnxExternalFiles();

    [[nodiscard]] const std::filesystem::path& folder() const { return m_folder; }
    [[nodiscard]] const std::string& whyNot() const { return m_whyNot; }

    class File;
    /// The shared handle of the file at `path` (opened on its first read, not here).
    [[nodiscard]] std::shared_ptr<const File> file(const std::filesystem::path& path);

private:
    std::filesystem::path m_folder;
    std::string m_whyNot;
    std::map<std::filesystem::path, std::shared_ptr<const File>> m_files;
};

/// What became of one TensorProto.
struct OnnxTensor {
    std::shared_ptr<Tensor> tensor;
    Json attributes = Json::object();  ///< storage, external data entries, string preview
    /// External data that was not read, said once as a warning and once as an unchecked part
    /// or a layout problem (a file past its end).
    std::optional<UncheckedPart> unchecked;
    std::optional<LayoutProblem> layout;
};

/// Makes the tensor of `proto` (named `path` in messages). `keepAlive` owns the parsed model
/// whose fields the sources read. Embedded data whose size disagrees with the dims (or dims
/// that are negative or overflow) throws CorruptDataError naming the tensor; an external file
/// that is missing, outside the model's folder or too short leaves the tensor without data and
/// says so in the result.
[[nodiscard]] OnnxTensor makeOnnxTensor(const onnx::TensorProto& proto, const std::string& path,
                                        const std::shared_ptr<const void>& keepAlive,
                                        OnnxExternalFiles& external);

}  // namespace ckpt::core
