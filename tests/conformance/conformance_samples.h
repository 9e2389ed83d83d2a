#pragma once
// The conformance suite's registry of samples: for every reader of core/formats/registry.cpp, the
// files that it must open. A new reader joins the suite by adding one line here (see README.md):
// the suite fails when a registered reader has no sample.

#include <QDir>
#include <QFileInfo>
#include <QString>

#include <string>
#include <string_view>
#include <vector>

#include "common/test_support.h"

namespace ckpt::conformance {

/// The container a format is built on. A probe must answer 0 for a file of another family;
/// inside one family (a Keras .h5 is also an HDF5 file) probes may legitimately overlap.
enum class Family { Hdf5, Zip, Pickle, Compressed, Safetensors, Npy, Gguf, Onnx, Folder };

struct Sample {
    const char* reader;  ///< Reader::id() that must open it
    const char* path;    ///< relative to tests/ ("fixtures/...") or to data/real ("real:...")
    Family family;
    /// For a folder sample: the member that mutations change (in a copy of the folder).
    const char* member = nullptr;
};

// clang-format off
inline const std::vector<Sample>& samples() {
    static const std::vector<Sample> table{
        {"keras-archive", "fixtures/keras/k3_model.keras", Family::Zip},
        {"keras-archive", "fixtures/keras/k212_windows.keras", Family::Zip},
        {"keras-archive", "real:keras3/fastmachinelearning__example-models__qkeras-v3_3layer.keras", Family::Zip},
        {"keras-h5", "fixtures/keras/k2_fixed_names.h5", Family::Hdf5},
        {"keras-h5", "fixtures/keras/k2_weights_only.h5", Family::Hdf5},
        {"keras-h5", "real:keras_h5_weights/DavidSanwald__DDQN__weights.h5", Family::Hdf5},
        {"keras-h5", "real:keras_h5_full/KonduitAI__dl4j-test-resources__dense_theano_2.h5", Family::Hdf5},
        {"keras3-weights-h5", "fixtures/keras/k3_model.weights.h5", Family::Hdf5},
        {"hdf5", "fixtures/keras/generic.h5", Family::Hdf5},
        {"safetensors", "fixtures/diff/torch_state.safetensors", Family::Safetensors},
        {"safetensors", "fixtures/dtypes/float8.safetensors", Family::Safetensors},
        {"safetensors", "real:safetensors/CoffeeVampir3__Model-Saving-Test-Repo__model.safetensors", Family::Safetensors},
        {"npy", "conformance/samples/small.npy", Family::Npy},
        {"npy", "conformance/samples/fortran_be.npy", Family::Npy},
        {"npy", "real:numpy/Adirlou__pong-neural-network__W1.npy", Family::Npy},
        {"npz", "conformance/samples/stored.npz", Family::Zip},
        {"npz", "conformance/samples/deflated.npz", Family::Zip},
        {"npz", "real:numpy/LorenzoM1997__Deep-tic-tac-toe__weights.npz", Family::Zip},
        {"torch-zip", "fixtures/py/torch_sd_zip.pt", Family::Zip},
        {"torch-zip", "fixtures/dtypes/torch_float8.pt", Family::Zip},
        {"torch-zip", "real:torch/tarekbzahid__nn_adder__checkpoint_100.pth", Family::Zip},
        {"torchscript", "fixtures/py/torch_script.pt", Family::Zip},
        {"torch-legacy", "fixtures/py/torch_sd_legacy.pt", Family::Pickle},
        {"pickle", "fixtures/pickle/graph_p2.pkl", Family::Pickle},
        {"pickle", "fixtures/py/pickle_p5.pkl", Family::Pickle},
        {"pickle", "fixtures/py/pickle_p0.pkl", Family::Pickle},
        {"pickle", "real:pickle/02tanishk__ANN-Classfication__scaler.pkl", Family::Pickle},
        {"joblib", "fixtures/py/joblib_zlib3.joblib", Family::Compressed},
        {"joblib", "fixtures/py/joblib_gzip.joblib.gz", Family::Compressed},
        {"joblib", "fixtures/py/joblib_xz.joblib.xz", Family::Compressed},
        {"bundle", "fixtures/py/bundle", Family::Folder, "model.json"},
        {"gguf", "fixtures/gguf/v3_types.gguf", Family::Gguf},
        {"gguf", "fixtures/gguf/v2.gguf", Family::Gguf},
        {"gguf", "fixtures/gguf/align64.gguf", Family::Gguf},
        {"onnx", "fixtures/onnx/mlp.onnx", Family::Onnx},
        {"onnx", "fixtures/onnx/typed.onnx", Family::Onnx},
        {"onnx", "fixtures/onnx/subgraph.onnx", Family::Onnx},
        {"onnx", "fixtures/onnx/external", Family::Folder, "model.onnx"},
        {"sharded", "fixtures/sharded/st", Family::Folder, "model.safetensors.index.json"},
        {"sharded", "fixtures/sharded/pt", Family::Folder, "pytorch_model.bin.index.json"},
    };
    return table;
}
// clang-format on

/// Absolute path of a sample, or an empty string when it lives in data/real and that is absent.
inline QString samplePath(const Sample& s) {
    const std::string_view p = s.path;
    if (p.substr(0, 5) == "real:") {
        const QString real = ckpt::test::realDataDir();
        if (real.isEmpty()) {
            return {};
        }
        const QString full = real + "/" + QString::fromUtf8(p.substr(5).data(), int(p.size() - 5));
        return QFileInfo::exists(full) ? full : QString();
    }
    return QStringLiteral(CKPT_SOURCE_DIR "/tests/") + QString::fromUtf8(s.path);
}

/// Failures that are known and tracked elsewhere: a failure of this kind in a row of this family
/// is reported with the issue and does not fail the suite. Empty since issue 13's fixes landed
/// (HDF5 vlen attributes, sparse datasets, zip claimed sizes, invalid UTF-8 in JSON, and the
/// isolated HDF5 check that a crash handler could hang): every failure fails the suite. Add an
/// entry only with an open issue that names it.
struct KnownIssue {
    Family family;
    const char* failure;  ///< substring of the failure text ("crashed", "no end", "type_error.316")
    const char* issue;
};

inline const std::vector<KnownIssue>& knownIssues() {
    static const std::vector<KnownIssue> table{};
    return table;
}

}  // namespace ckpt::conformance
