#include "core/formats/torch_legacy_reader.h"

#include <cstring>
#include <map>

#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_access.h"
#include "core/pickle/value_graph.h"
#include "core/pyobj/object_view.h"
#include "core/pyobj/wide_int.h"
#include "core/util/error.h"

namespace ckpt::core {

namespace {

// pickle(0x1950a86a20f9469cfc6c, protocol 2): PROTO 2, LONG1 10 bytes, STOP.
constexpr unsigned char kMagic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                    0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};

using pickle::ValueGraph;
using pickle::ValueId;
using pickle::ValueKind;

/// Element size per storage key, from every storage persistent id in the graph.
std::map<std::string, std::size_t> storageElementSizes(const ValueGraph& g) {
    std::map<std::string, std::size_t> sizes;
    for (const ValueId id : g.nonPlainIds()) {
        if (g.kind(id) == ValueKind::PersistentRef) {
            if (const auto ref = pyobj::torchStorageRef(g, g[id].pid)) {
                sizes.emplace(ref->key, ref->elementSize);
            }
        }
    }
    return sizes;
}

std::uint64_t readU64(const ByteSource& s, std::uint64_t offset, bool bigEndian) {
    std::byte b[8];
    s.read(offset, b);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        const int k = bigEndian ? i : 7 - i;
        v = (v << 8) | std::to_integer<std::uint64_t>(b[k]);
    }
    return v;
}

}  // namespace

int TorchLegacyReader::probe(ProbeContext& context) const {
    const auto head = context.head();
    if (head.size() >= sizeof kMagic && std::memcmp(head.data(), kMagic, sizeof kMagic) == 0) {
        return probe::kCertain;
    }
    // The tar container of torch.save before 2017 (members sys_info, pickle, storages, tensors).
    if (head.size() >= 512 && std::memcmp(head.data() + 257, "ustar", 5) == 0 &&
        (std::memcmp(head.data(), "sys_info", 9) == 0 ||
         std::memcmp(head.data(), "pickle", 7) == 0 ||
         std::memcmp(head.data(), "storages", 9) == 0 ||
         std::memcmp(head.data(), "tensors", 8) == 0)) {
        return probe::kLayout;
    }
    return probe::kNotMine;
}

std::unique_ptr<Checkpoint> TorchLegacyReader::open(ProbeContext& context,
                                                    const OpenOptions& options) const {
    if (context.head().size() >= 512 && std::memcmp(context.head().data() + 257, "ustar", 5) == 0) {
        throw UnsupportedError(
            "the tar container of torch.save before 2017 (sys_info, pickle, storages, tensors) "
            "is not supported");
    }
    const auto& source = context.sourcePtr();
    pickle::MachineOptions mo;
    mo.progress = options.progress;
    pickle::Machine machine(source, mo);
    ValueGraph& g = machine.graph();
    // magic number, protocol version, sys_info, the object, the sorted storage keys.
    const auto magic = machine.load(0);
    const auto version = machine.load(magic.end);
    const auto sysInfo = machine.load(version.end);
    const auto main = machine.load(sysInfo.end);
    const auto keys = machine.load(main.end);

    auto checkpoint = std::make_unique<Checkpoint>(std::string(id()), std::string(description()));
    checkpoint->addPickleStream({"",
                                 machine.sharedGraph(),
                                 {magic.root, version.root, sysInfo.root, main.root, keys.root}});
    auto& meta = checkpoint->metadata();
    const auto protocolVersion = pickle::asInt(g, version.root);
    if (!protocolVersion) {
        throw CorruptDataError("the protocol version is not an int", {{}, {}, {}, version.begin});
    }
    meta["protocol_version"] = *protocolVersion;
    bool bigEndian = false;
    if (const auto le = pickle::dictGet(g, sysInfo.root, "little_endian")) {
        bigEndian = pickle::asInt(g, *le).value_or(1) == 0;
        meta["little_endian"] = !bigEndian;
    }
    const auto* keyList = pickle::sequenceItems(g, keys.root);
    if (keyList == nullptr) {
        throw CorruptDataError("the storage key list is not a list", {{}, {}, {}, keys.begin});
    }
    // Raw storages follow in key order: an int64 element count, then the elements.
    const auto elementSizes = storageElementSizes(g);
    std::map<std::string, std::shared_ptr<const ByteSource>, std::less<>> storages;
    std::uint64_t pos = keys.end;
    const std::uint64_t size = source->size();
    for (const ValueId k : *keyList) {
        const auto key = pickle::asStr(g, k);
        if (!key) {
            throw CorruptDataError("a storage key is not a string", {{}, {}, {}, keys.begin});
        }
        const Error::Context where{{}, {}, "storage " + std::string(*key), pos};
        const auto es = elementSizes.find(std::string(*key));
        if (es == elementSizes.end()) {
            throw CorruptDataError("no tensor names this storage, so its element size is unknown",
                                   where);
        }
        if (pos > size || size - pos < 8) {
            throw CorruptDataError("the file ends before the storage's element count (truncated?)",
                                   where);
        }
        const std::uint64_t numel = readU64(*source, pos, bigEndian);
        const auto nbytes = static_cast<pyobj::U128>(numel) * es->second;
        if (nbytes > size - pos - 8) {
            throw CorruptDataError("the storage claims " + std::to_string(numel) +
                                       " elements but only " + std::to_string(size - pos - 8) +
                                       " bytes remain (truncated?)",
                                   where);
        }
        storages[std::string(*key)] = std::make_shared<SliceSource>(
            source, pos + 8, static_cast<std::uint64_t>(nbytes), "storage " + std::string(*key));
        pos += 8 + static_cast<std::uint64_t>(nbytes);
    }
    meta["storages"] = storages.size();
    if (pos != size) {
        checkpoint->addWarning(std::to_string(size - pos) + " bytes after the last storage");
    }
    pyobj::ObjectViewOptions vo;
    vo.scan.bigEndian = bigEndian;
    vo.scan.openNested = nestedOpener(options);
    vo.scan.storageBytes =
        [&storages](const pyobj::TorchStorageRef& ref) -> std::shared_ptr<const ByteSource> {
        const auto it = storages.find(ref.key);
        return it == storages.end() ? nullptr : it->second;
    };
    pyobj::Recognitions r;
    pyobj::buildObjectView(g, main.root, r, *checkpoint, vo);
    meta["protocol"] = main.protocol;
    return checkpoint;
}

}  // namespace ckpt::core
