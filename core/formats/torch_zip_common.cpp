#include "core/formats/torch_zip_common.h"

#include "core/formats/registry.h"
#include "core/formats/torch_storage_source.h"
#include "core/io/byte_source.h"
#include "core/io/zip_archive.h"
#include "core/pickle/machine.h"
#include "core/pyobj/object_view.h"
#include "core/util/error.h"

namespace ckpt::core {

namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

/// Storage bytes by key: stored members in place, compressed ones inflated on first read.
pyobj::StorageBytesFn storageResolver(std::shared_ptr<const ZipArchive> zip,
                                      const std::string& prefix) {
    return [zip = std::move(zip),
            prefix](const pyobj::TorchStorageRef& ref) -> std::shared_ptr<const ByteSource> {
        const ZipEntry* e = zip->find(prefix + "data/" + ref.key);
        if (e == nullptr) {
            e = zip->find(prefix + "constants/" + ref.key);
        }
        if (e == nullptr) {
            return nullptr;
        }
        if (e->stored()) {
            return zip->member(*e, 0, 0);  // in place; no CRC pass over the data at open
        }
        return std::make_shared<LazyZipMemberSource>(zip, *e, kMaxInflatedStorage);
    };
}

/// Loads one pickle member and builds its view under `into` (the root, or a child node).
void addPickleMember(const std::shared_ptr<const ZipArchive>& zip, const ZipEntry& entry,
                     const std::string& prefix, bool bigEndian, const OpenOptions& options,
                     Checkpoint& checkpoint, Node* into) {
    try {
        pickle::MachineOptions mo;
        mo.progress = options.progress;
        pickle::Machine machine(zip->member(entry, std::uint64_t{1} << 30), mo);
        const pickle::PickleInfo info = machine.load();
        checkpoint.addPickleStream({entry.name, machine.sharedGraph(), {info.root}});
        pyobj::ObjectViewOptions vo;
        vo.scan.storageBytes = storageResolver(zip, prefix);
        vo.scan.bigEndian = bigEndian;
        vo.scan.openNested = nestedOpener(options);
        pyobj::Recognitions r;
        if (into == nullptr) {
            checkpoint.metadata()["protocol"] = info.protocol;
            pyobj::buildObjectView(machine.graph(), info.root, r, checkpoint, vo);
        } else {
            pyobj::scanGraph(machine.graph(), r, vo.scan);
            pyobj::ObjectTreeBuilder builder(machine.graph(), r, vo.limits);
            builder.build(info.root, *into);
            for (const auto& w : r.warnings) {
                checkpoint.addWarning(entry.name + ": " + w);
            }
        }
    } catch (Error& e) {
        e.fillContext({{}, {}, entry.name});
        throw;
    }
}

}  // namespace

std::optional<TorchZipLayout> torchZipLayout(const ZipArchive& zip) {
    if (zip.entries().empty()) {
        return std::nullopt;
    }
    // As inline_container.cc: the root folder is the first entry's prefix up to its first '/'.
    const std::string& first = zip.entries().front().name;
    const auto slash = first.find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    TorchZipLayout layout;
    layout.prefix = first.substr(0, slash + 1);
    layout.dataPkl = zip.find(layout.prefix + "data.pkl");
    if (layout.dataPkl == nullptr) {
        return std::nullopt;
    }
    layout.constantsPkl = zip.find(layout.prefix + "constants.pkl");
    for (const auto& e : zip.entries()) {
        if (e.name.starts_with(layout.prefix + "code/")) {
            layout.hasCode = true;
            break;
        }
    }
    return layout;
}

std::unique_ptr<Checkpoint> openTorchZip(ProbeContext& context, const OpenOptions& options,
                                         bool script) {
    const std::shared_ptr<const ZipArchive> zip = context.zip();
    const auto layout = torchZipLayout(*zip);
    if (!layout) {
        throw CorruptDataError("the archive has no <root>/data.pkl");
    }
    auto checkpoint = script
                          ? std::make_unique<Checkpoint>("torchscript", "TorchScript archive")
                          : std::make_unique<Checkpoint>("torch-zip", "PyTorch zip (torch.save)");
    auto& meta = checkpoint->metadata();
    meta["archive_root"] = layout->prefix.substr(0, layout->prefix.size() - 1);
    for (const char* name : {".data/version", "version"}) {
        if (const ZipEntry* e = zip->find(layout->prefix + name)) {
            meta["version"] = trimmed(zip->readText(*e, 64));
            break;
        }
    }
    bool bigEndian = false;
    if (const ZipEntry* e = zip->find(layout->prefix + "byteorder")) {
        const std::string order = trimmed(zip->readText(*e, 64));
        meta["byteorder"] = order;
        if (order != "little" && order != "big") {
            throw CorruptDataError("byteorder record says '" + order + "'", {{}, {}, e->name});
        }
        bigEndian = order == "big";
    }
    std::size_t storages = 0;
    for (const auto& e : zip->entries()) {
        if (!e.name.starts_with(layout->prefix + "data/")) {
            continue;
        }
        ++storages;
        if (!e.stored() && e.size > kMaxInflatedStorage) {
            checkpoint->addWarning("storage " + e.name + " is compressed and claims " +
                                   std::to_string(e.size) +
                                   " bytes: it is not inflated (above the limit)");
        }
    }
    meta["storages"] = storages;
    addPickleMember(zip, *layout->dataPkl, layout->prefix, bigEndian, options, *checkpoint,
                    nullptr);
    if (script) {
        if (layout->constantsPkl != nullptr) {
            auto& node = checkpoint->root().addChild(NodeKind::Group, "constants.pkl");
            addPickleMember(zip, *layout->constantsPkl, layout->prefix, bigEndian, options,
                            *checkpoint, &node);
        }
        auto& code = checkpoint->root().addChild(NodeKind::Group, "code");
        code.setTypeName("TorchScript code");
        for (const auto& e : zip->entries()) {
            if (e.name.starts_with(layout->prefix + "code/") && e.name.ends_with(".py")) {
                auto& f = code.addChild(NodeKind::Value, e.name.substr(layout->prefix.size() + 5));
                f.setTypeName("python source");
                f.setValue(std::to_string(e.size) + " bytes");
            }
        }
    }
    return checkpoint;
}

}  // namespace ckpt::core
