#include "core/formats/numpy_readers.h"

#include "core/formats/npy_format.h"
#include "core/formats/pickle_document.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/pyobj/object_tree.h"
#include "core/util/error.h"

namespace ckpt::core {
namespace {

void describeArray(Node& node, const NpyHeader& h) {
    node.attributes()["descr"] = h.descr;
    node.attributes()["fortran_order"] = h.fortranOrder;
    node.attributes()["npy_version"] = h.major;
}

bool isObjectArray(const NpyHeader& h) {
    return h.dtype == DType::Other && h.descr == "|O";
}

/// An object array ("|O"): numpy stores it as a pickle of the whole array after the header,
/// loaded only with allow_pickle=True. The pickle is read (never run) into the object tree
/// below `name` and handed to the validator as the stream of `member`; one that cannot be read
/// leaves a node with the array's shape and a warning.
void addObjectArray(Checkpoint& checkpoint, const std::shared_ptr<const ByteSource>& source,
                    const NpyHeader& header, const std::string& name, const std::string& member,
                    const OpenOptions& options) {
    auto& node = checkpoint.root().addChild(NodeKind::Object, name);
    node.setTypeName("numpy.ndarray");
    describeArray(node, header);
    node.attributes()["shape"] = header.shape;
    const std::string where = member.empty() ? std::string("the object array") : member;
    checkpoint.addWarning(where +
                          ": an object array; its data is a pickle, which numpy only loads with "
                          "allow_pickle=True");
    std::unique_ptr<Checkpoint> part;
    try {
        auto data = std::make_shared<SliceSource>(source, header.dataOffset,
                                                  source->size() - header.dataOffset,
                                                  source->name() + " (object array pickle)");
        OpenOptions inner = options;
        inner.progress = nullptr;
        part = openPickleData(std::move(data), "", inner);
    } catch (const Error& e) {
        checkpoint.addWarning(where + ": the object array's pickle cannot be read: " + e.what());
        return;
    }
    pyobj::copyTree(part->root(), node);
    for (PickleStream stream : part->pickleStreams()) {
        stream.member = member.empty() ? std::string("object array data") : member;
        checkpoint.addPickleStream(std::move(stream));
    }
    for (const auto& w : part->warnings()) {
        checkpoint.addWarning(where + ": " + w);
    }
}

}  // namespace

int NpyReader::probe(ProbeContext& context) const {
    return isNpy(context.source()) ? probe::kCertain : probe::kNotMine;
}

std::unique_ptr<Checkpoint> NpyReader::open(ProbeContext& context,
                                            const OpenOptions& options) const {
    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    const auto header = parseNpyHeader(context.source());
    checkpoint->metadata()["npy_version"] = std::to_string(header.major) + ".0";
    // numpy gives the one array no name; its path is "".
    if (isObjectArray(header)) {
        addObjectArray(*checkpoint, context.sourcePtr(), header, "", "", options);
        return checkpoint;
    }
    auto& node = checkpoint->root().addChild(NodeKind::Tensor, "");
    node.setTensor(npyTensor(context.sourcePtr(), header));
    describeArray(node, header);
    return checkpoint;
}

int NpzReader::probe(ProbeContext& context) const {
    if (!context.hasZipSignature()) {
        return probe::kNotMine;
    }
    const auto zip = context.zip();
    if (zip->entries().empty()) {
        return probe::kNotMine;
    }
    for (const auto& e : zip->entries()) {
        if (e.name.size() < 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0) {
            return probe::kNotMine;
        }
    }
    return probe::kLayout;
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
            if (isObjectArray(header)) {
                addObjectArray(*checkpoint, member, header, key, entry.name, options);
                compressed = compressed || !entry.stored();
                reportProgress(options.progress, ++done, zip->entries().size());
                continue;
            }
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
