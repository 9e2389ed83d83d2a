#include "core/pickle/machine.h"

#include <vector>

#include "core/io/byte_source.h"
#include "core/pickle/interpreter.h"
#include "core/util/error.h"

namespace ckpt::core::pickle {

namespace {

/// The source itself when memory-backed, else a copy in memory (the machine reads bytes in
/// place and keeps ranges into them).
std::shared_ptr<const ByteSource> inMemory(std::shared_ptr<const ByteSource> source) {
    if (!source->view().empty() || source->size() == 0) {
        return source;
    }
    std::vector<std::byte> copy(static_cast<std::size_t>(source->size()));
    source->read(0, copy);
    return std::make_shared<MemorySource>(std::move(copy), source->name());
}

/// Restores the nesting counter however load() leaves.
class NestingGuard {
public:
    explicit NestingGuard(std::size_t& n) : m_n(n) { ++m_n; }
    ~NestingGuard() { --m_n; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

private:
    std::size_t& m_n;
};

}  // namespace

Machine::Machine(std::shared_ptr<const ByteSource> source, MachineOptions options)
    : m_options(std::move(options)),
      m_graph(
          std::make_shared<ValueGraph>(inMemory(std::move(source)), m_options.limits.maxValues)) {}

PickleInfo Machine::load(std::uint64_t offset) {
    if (m_nesting >= m_options.limits.maxNestedLoads) {
        throw CorruptDataError(
            "pickles nested more than " + std::to_string(m_options.limits.maxNestedLoads) + " deep",
            {m_graph->source().name(), "pickle", {}, offset});
    }
    NestingGuard guard(m_nesting);
    Interpreter interpreter(*this, *m_graph, offset);
    return interpreter.run();
}

LoadResult Machine::loadAll(std::uint64_t offset) {
    LoadResult result;
    const std::uint64_t size = m_graph->bytes().size();
    std::uint64_t pos = offset;
    do {
        try {
            result.pickles.push_back(load(pos));
        } catch (const CancelledError&) {
            throw;
        } catch (const Error& e) {
            if (result.pickles.empty()) {
                throw;
            }
            result.trailing = TrailingData{pos, size - pos, e.message()};
            break;
        }
        pos = result.pickles.back().end;
    } while (pos < size);
    return result;
}

}  // namespace ckpt::core::pickle
