#include "core/export/keras_export.h"

#include <chrono>
#include <ctime>

#include "core/export/atomic_file.h"
#include "core/export/hdf5_writer.h"
#include "core/export/keras_plan.h"
#include "core/io/zip_writer.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

namespace fs = std::filesystem;

/// Shared state of one export: options, progress and the report.
struct Job {
    const ExportOptions& options;
    ExportReport& report;
    ProgressCounter progress;
    std::string outPrefix;     ///< prefix of output paths ("model.weights.h5/" in a .keras)
    DecodedEncodings decoded;  ///< 8-bit floats written as float32 (HDF5 has no such type)
};

/// Bytes a weight takes in the output: 8-bit floats are written as float32.
std::uint64_t outputBytes(const Tensor& t) {
    return dtypeIsFloat8(t.dtype()) ? t.numel() * 4 : t.nbytes();
}

void writeWeight(Hdf5Writer& w, Job& job, const std::string& path, const KerasPlanWeight& weight) {
    const auto decoded = decodedFloat8View(*weight.tensor);
    const Tensor& written = decoded ? *decoded : *weight.tensor;
    try {
        w.writeDataset(path, written, job.options.chunkBytes,
                       [&](std::uint64_t n) { job.progress.add(n); });
    } catch (Error& e) {
        e.fillContext({{}, {}, weight.sourcePath, {}});
        throw;
    }
    job.decoded.add(written);
    job.report.written.emplace_back(weight.sourcePath, job.outPrefix + path);
    job.report.dataBytes += written.nbytes();
    ++job.report.tensors;
}

std::uint64_t planBytes(const KerasPlan& plan, bool optimizer) {
    std::uint64_t n = 0;
    for (const auto& l : plan.layers) {
        for (const auto& w : l.weights) {
            n += outputBytes(*w.tensor);
        }
    }
    if (optimizer) {
        for (const auto& w : plan.optimizer) {
            n += outputBytes(*w.tensor);
        }
    }
    return n;
}

std::string versionOrDefault(const KerasPlan& plan, Job& job, const char* fallback) {
    if (!plan.kerasVersion.empty()) {
        return plan.kerasVersion;
    }
    job.report.warnings.push_back(std::string("the source names no Keras version; wrote ") +
                                  fallback);
    return fallback;
}

/// Legacy layout (§1): full model when the plan has a config, else save_weights layout.
void writeLegacy(const KerasPlan& plan, const fs::path& path, Job& job) {
    Hdf5Writer w(path);
    const bool full = !plan.config.is_null();
    const std::string version = versionOrDefault(plan, job, plan.varsSource ? "3.0.0" : "2.15.0");
    const std::string backend = plan.backend.empty() ? "tensorflow" : plan.backend;
    H5Id root = w.group("/");
    Hdf5Writer::writeString(root.get(), "keras_version", version, true);
    Hdf5Writer::writeString(root.get(), "backend", backend, true);
    std::string weightsGroup;
    if (full) {
        const std::string config =
            plan.modelConfigText.empty() ? plan.config.dump() : plan.modelConfigText;
        if (!plan.legacyConfig) {
            job.report.warnings.push_back(
                "model_config holds the Keras 3 config as it is (not converted to a Keras 2 "
                "config); Keras 3 loads it, Keras 2 may not");
        }
        Hdf5Writer::writeString(root.get(), "model_config", config, false);
        if (!plan.trainingConfigText.empty()) {
            if (job.options.includeOptimizer) {
                Hdf5Writer::writeString(root.get(), "training_config", plan.trainingConfigText,
                                        false);
            } else {
                job.report.excluded.push_back("training_config: --no-optimizer");
            }
        }
        weightsGroup = "model_weights";
    } else {
        job.report.warnings.push_back(
            "the source has no model config: wrote the weights-only layout (save_weights)");
    }
    H5Id weights = weightsGroup.empty() ? w.group("/") : w.group(weightsGroup);
    std::vector<std::string> layerNames;
    for (const auto& l : plan.layers) {
        layerNames.push_back(l.name);
    }
    Hdf5Writer::writeKerasNameList(weights.get(), "layer_names", layerNames);
    if (full) {
        Hdf5Writer::writeString(weights.get(), "backend", backend, false);
        Hdf5Writer::writeString(weights.get(), "keras_version", version, false);
    }
    const std::string base = weightsGroup.empty() ? "" : weightsGroup + "/";
    for (const auto& l : plan.layers) {
        H5Id g = w.group(base + l.name);
        std::vector<std::string> names;
        for (const auto& wt : l.weights) {
            names.push_back(wt.legacyName);
        }
        Hdf5Writer::writeKerasNameList(g.get(), "weight_names", names);
        for (const auto& wt : l.weights) {
            writeWeight(w, job, base + l.name + "/" + wt.legacyName, wt);
        }
    }
    if (!plan.optimizer.empty() && job.options.includeOptimizer && full) {
        if (plan.varsSource) {
            job.report.warnings.push_back(
                "optimizer variables copied in Keras 3 order under optimizer_weights; a Keras 2 "
                "optimizer may expect another order");
        }
        H5Id g = w.group("optimizer_weights");
        std::vector<std::string> names;
        for (const auto& wt : plan.optimizer) {
            names.push_back(wt.legacyName);
        }
        Hdf5Writer::writeKerasNameList(g.get(), "weight_names", names);
        for (const auto& wt : plan.optimizer) {
            writeWeight(w, job, "optimizer_weights/" + wt.legacyName, wt);
        }
    } else if (!plan.optimizer.empty()) {
        for (const auto& wt : plan.optimizer) {
            if (job.options.includeOptimizer) {
                job.report.dropped.push_back(wt.sourcePath +
                                             ": a weights-only file has no optimizer_weights");
            } else {
                job.report.excluded.push_back(wt.sourcePath + ": --no-optimizer");
            }
        }
    }
    w.close();
}

/// Keras 3 vars layout (§2.3).
void writeVars(const KerasPlan& plan, const fs::path& path, Job& job) {
    Hdf5Writer w(path);
    const auto groups = kerasVarsGroupNames(plan);
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        const auto& l = plan.layers[i];
        const std::string base = "layers/" + groups[i] + "/";
        H5Id vars = w.group(base + "vars");
        Hdf5Writer::writeString(vars.get(), "name", l.name, true);
        for (std::size_t k = 0; k < l.weights.size(); ++k) {
            const auto& wt = l.weights[k];
            writeWeight(w, job,
                        base + (plan.varsSource ? wt.varsPath : "vars/" + std::to_string(k)), wt);
        }
    }
    H5Id modelVars = w.group("vars");
    if (!plan.modelName.empty()) {
        Hdf5Writer::writeString(modelVars.get(), "name", plan.modelName, true);
    }
    if (!plan.optimizer.empty() && job.options.includeOptimizer) {
        if (!plan.varsSource) {
            job.report.warnings.push_back(
                "optimizer weights copied in the legacy order to optimizer/vars; Keras 3 "
                "expects iteration, learning_rate, then interleaved slots");
        }
        const H5Id optVars = w.group("optimizer/vars");
        for (std::size_t k = 0; k < plan.optimizer.size(); ++k) {
            writeWeight(w, job, "optimizer/vars/" + std::to_string(k), plan.optimizer[k]);
        }
    } else {
        for (const auto& wt : plan.optimizer) {
            job.report.excluded.push_back(wt.sourcePath + ": --no-optimizer");
        }
    }
    w.close();
}

std::string nowKerasDate() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
    return buf;
}

/// .keras (§2.1): metadata.json, config.json, model.weights.h5, all stored.
void writeArchive(const KerasPlan& plan, AtomicFile& file, Job& job) {
    if (plan.config.is_null()) {
        throw UnsupportedError(
            "a .keras archive needs a model config, and the source is "
            "weights-only: export to .weights.h5 instead");
    }
    Json config = plan.config;
    if (plan.legacyConfig) {
        job.report.warnings.push_back(
            "config.json holds the legacy (Keras 1/2) model_config as it is: converting it to a "
            "Keras 3 config is not done; the weights are exact");
    }
    if (!job.options.includeOptimizer && config.is_object() && config.contains("compile_config")) {
        config.erase("compile_config");
        job.report.excluded.push_back("config.json compile_config: --no-optimizer");
    }
    Json metadata = plan.archiveMetadata.is_object() ? plan.archiveMetadata : Json::object();
    if (!metadata.contains("keras_version")) {
        metadata["keras_version"] = plan.kerasVersion.empty() ? "3.0.0" : plan.kerasVersion;
    }
    metadata["date_saved"] = nowKerasDate();
    const std::string metaText = metadata.dump();
    const std::string configText = config.dump();

    const fs::path weightsPath = AtomicFile::siblingTempPath(file.target(), "-weights.h5");
    TempFileGuard weightsGuard(weightsPath);
    job.outPrefix = "model.weights.h5/";
    writeVars(plan, weightsPath, job);

    file.closeHandle();
    ZipWriter zip(file.tempPath(), file.target().string());
    zip.addBuffer("metadata.json", metaText);
    zip.addBuffer("config.json", configText);
    zip.addFile("model.weights.h5", weightsPath);
    zip.commit([&job] { return !job.options.progress || job.options.progress(0, 0); });
}

}  // namespace

ExportReport exportKeras(const Checkpoint& checkpoint, ExportFormat format, const fs::path& out,
                         const ExportOptions& options) {
    const KerasPlan plan = makeKerasPlan(checkpoint);
    ExportReport report;
    report.format = exportFormatName(format);
    report.output = out;
    for (const auto& u : plan.uncovered) {
        report.dropped.push_back(u);
    }
    const bool optimizer =
        options.includeOptimizer && (format != ExportFormat::KerasH5 || !plan.config.is_null());
    Job job{options, report, ProgressCounter(options.progress, planBytes(plan, optimizer)), {}, {}};
    AtomicFile file(out, {checkpoint.filePath()});
    switch (format) {
        case ExportFormat::KerasH5:
            file.closeHandle();
            writeLegacy(plan, file.tempPath(), job);
            break;
        case ExportFormat::WeightsH5:
            file.closeHandle();
            writeVars(plan, file.tempPath(), job);
            break;
        case ExportFormat::Keras:
            writeArchive(plan, file, job);
            break;
        default:
            throw UnsupportedError("not a Keras export format");
    }
    if (const std::string note = job.decoded.note(); !note.empty()) {
        report.warnings.push_back(note);
    }
    file.commit();
    std::error_code ec;
    report.fileBytes = fs::file_size(out, ec);
    return report;
}

}  // namespace ckpt::core
