#include "core/formats/pickle_document.h"

#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/opcode.h"
#include "core/pickle/opcode_reader.h"
#include "core/pyobj/joblib_arrays.h"
#include "core/pyobj/object_view.h"
#include "core/util/error.h"

namespace ckpt::core {

bool looksLikePickle(const ByteSource& source) {
    const auto head = source.peek(0, 3);
    if (head.size() < 3) {
        return false;
    }
    const auto b0 = std::to_integer<unsigned>(head[0]);
    const auto b1 = std::to_integer<unsigned>(head[1]);
    if (b0 == 0x80) {
        return b1 >= 2 && b1 <= 5 && pickle::opcodeInfo(std::to_integer<std::uint8_t>(head[2]));
    }
    // Protocol 0/1: no PROTO. Decode the first opcodes and require STOP as the last byte.
    const auto last = source.peek(source.size() - 1, 1);
    if (last.empty() || last[0] != std::byte{'.'} || source.view().empty() ||
        !pickle::opcodeInfo(static_cast<std::uint8_t>(b0))) {
        return false;
    }
    try {
        pickle::OpcodeReader reader(source);
        for (int i = 0; i < 16 && !reader.atEnd(); ++i) {
            const auto op = reader.next();
            if (op.code == pickle::Opcode::Stop) {
                return true;
            }
        }
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::unique_ptr<Checkpoint> openPickleData(std::shared_ptr<const ByteSource> data,
                                           const std::string& compression,
                                           const OpenOptions& options) {
    pyobj::Recognitions recognitions;
    pyobj::JoblibArrayHook hook(recognitions, nestedOpener(options));
    pickle::MachineOptions mo;
    mo.afterBuild = hook;
    mo.progress = options.progress;
    // Without the tree (validation), dicts of scalars in lists keep no entries (issue 15).
    mo.pruneScalarDicts = !options.objectTree;
    pickle::Machine machine(std::move(data), mo);
    const pickle::LoadResult result = machine.loadAll();
    pickle::ValueGraph& g = machine.graph();

    const std::string pickler = hook.arrays() > 0 ? "joblib" : pyobj::picklerOf(g);
    const bool joblib = pickler == "joblib" || !compression.empty();
    auto checkpoint = std::make_unique<Checkpoint>(
        joblib ? "joblib" : "pickle",
        joblib            ? "joblib pickle" + (compression.empty() ? "" : " (" + compression + ")")
        : pickler.empty() ? "Python pickle"
                          : "Python pickle (" + pickler + ")");
    {
        PickleStream stream{"", machine.sharedGraph(), {}};
        for (const auto& p : result.pickles) {
            stream.roots.push_back(p.root);
        }
        checkpoint->addPickleStream(std::move(stream));  // for the validator
    }
    auto& meta = checkpoint->metadata();
    meta["protocol"] = result.pickles.front().protocol;
    if (!pickler.empty()) {
        meta["pickler"] = pickler;
    }
    if (!compression.empty()) {
        meta["compression"] = compression;
    }
    if (result.pickles.size() > 1) {
        meta["pickles"] = result.pickles.size();
    }
    for (const auto& p : result.pickles) {
        for (const auto& w : p.warnings) {
            checkpoint->addWarning(w);
        }
    }
    if (result.trailing) {
        checkpoint->addWarning(std::to_string(result.trailing->size) +
                               " bytes after the last pickle at offset " +
                               std::to_string(result.trailing->offset) +
                               " are not a pickle: " + result.trailing->reason);
    }
    std::vector<pickle::ValueId> roots;
    for (const auto& p : result.pickles) {
        roots.push_back(p.root);
    }
    pyobj::ObjectViewOptions vo;
    vo.scan.openNested = nestedOpener(options);
    vo.tree = options.objectTree;
    vo.graph = machine.sharedGraph();
    pyobj::buildObjectView(g, roots, recognitions, *checkpoint, vo);
    return checkpoint;
}

}  // namespace ckpt::core
