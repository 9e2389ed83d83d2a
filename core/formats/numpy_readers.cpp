#include "core/formats/numpy_readers.h"

#include "core/formats/npy_format.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

void describeArray(Node& node, const NpyHeader& h) {
    node.attributes()["descr"] = h.descr;
    node.attributes()["fortran_order"] = h.fortranOrder;
    node.attributes()["npy_version"] = h.major;
}

}  // namespace

int NpyReader::probe(ProbeContext& context) const {
    return isNpy(context.source()) ? 100 : 0;
}

std::unique_ptr<Checkpoint> NpyReader::open(ProbeContext& context, const OpenOptions&) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    const auto header = parseNpyHeader(context.source());
    // numpy gives the one array no name; its path is "".
    auto& node = checkpoint->root().addChild(NodeKind::Tensor, "");
    node.setTensor(npyTensor(context.sourcePtr(), header));
    describeArray(node, header);
    checkpoint->metadata()["npy_version"] = std::to_string(header.major) + ".0";
    if (header.dtype == DType::Other && header.descr == "|O") {
        checkpoint->addWarning(
            "an object array: its data is a pickle, which numpy only loads "
            "with allow_pickle=True");
    }
    return checkpoint;
}

int NpzReader::probe(ProbeContext& context) const {
    if (!context.hasZipSignature()) {
        return 0;
    }
    const auto zip = context.zip();
    if (zip->entries().empty()) {
        return 0;
    }
    for (const auto& e : zip->entries()) {
        if (e.name.size() < 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0) {
            return 0;
        }
    }
    return 60;
}

std::unique_ptr<Checkpoint> NpzReader::open(ProbeContext& context,
                                            const OpenOptions& options) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    const auto zip = context.zip();
    std::uint64_t done = 0;
    bool compressed = false;
    for (const auto& entry : zip->entries()) {
        const std::string key = entry.name.substr(0, entry.name.size() - 4);
        try {
            const auto member = zip->member(entry);
            const auto header = parseNpyHeader(*member);
            auto& node = checkpoint->root().addChild(NodeKind::Tensor, key);
            node.setTensor(npyTensor(member, header));
            describeArray(node, header);
            node.attributes()["compressed"] = !entry.stored();
            compressed = compressed || !entry.stored();
        } catch (Error& e) {
            e.fillContext({{}, {}, entry.name});
            throw;
        }
        reportProgress(options.progress, ++done, zip->entries().size());
    }
    checkpoint->metadata()["members"] = zip->entries().size();
    checkpoint->metadata()["compressed"] = compressed;
    return checkpoint;
}

}  // namespace ckpt::core
