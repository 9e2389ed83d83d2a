// The pickle machine and everything built on its value graph: the security scan, the object
// tree of the pickle reader, the info JSON and the validator, with and without the tree.

#include "core/formats/pickle_document.h"
#include "core/pickle/machine.h"
#include "core/validate/pickle_scan.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ckpt;
    const auto source = fuzz::bytes(data, size, "fuzz.pkl");
    fuzz::guarded([&] {
        core::pickle::Machine machine(source);
        const auto result = machine.loadAll();
        std::vector<core::pickle::ValueId> roots;
        for (const auto& p : result.pickles) {
            roots.push_back(p.root);
        }
        (void)core::scanPickleGraph(machine.graph(), roots, "fuzz.pkl");
    });
    fuzz::guarded([&] {
        const auto c = core::openPickleData(source, "", {});
        fuzz::exercise(*c);
    });
    fuzz::guarded([&] {
        // Validation's lean graph (`ckpt validate`): dicts of scalars appended to lists are
        // pruned and their slots reused by later values.
        core::OpenOptions lean;
        lean.objectTree = false;
        const auto c = core::openPickleData(source, "", lean);
        fuzz::exercise(*c);
    });
    return 0;
}
