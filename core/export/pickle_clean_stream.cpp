// cleanPickleStream: runs the symbolic machine and the validator's pickle scan over a stream,
// walks each pickle for the edits (pickle_clean_walk), and writes the stream again without the
// flagged members, keeping the memo consistent and re-framing protocol 4+ pickles.

#include <algorithm>
#include <cstring>
#include <set>

#include "core/export/pickle_clean.h"
#include "core/export/pickle_clean_walk.h"
#include "core/formats/registry.h"
#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/opcode_reader.h"
#include "core/pyobj/joblib_arrays.h"
#include "core/util/error.h"
#include "core/validate/global_rules.h"
#include "core/validate/pickle_scan.h"

namespace ckpt::core {
namespace {

using pickle_clean::Edit;
using pickle_clean::WalkResult;

constexpr std::size_t kFrameTarget = 64 * 1024;

/// The rewritten stream as a list of chunks: opcodes (may be grouped into frames) and raw bytes.
class Collector {
public:
    void op(const std::byte* p, std::size_t n) { add(p, n, false); }
    void op(const std::string& s) {
        add(reinterpret_cast<const std::byte*>(s.data()), s.size(), false);
    }
    void raw(const std::byte* p, std::size_t n) { add(p, n, true); }

    /// Appends the collected chunks to `out`, in frames when `framed` (the PROTO opcode, big
    /// opcodes and raw bytes stay outside frames, as CPython writes them).
    void flushTo(std::vector<std::byte>& out, bool framed) {
        if (!framed) {
            out.insert(out.end(), m_body.begin(), m_body.end());
        } else {
            std::size_t frameBegin = 0;
            std::size_t frameEnd = 0;
            auto closeFrame = [&] {
                if (frameEnd > frameBegin) {
                    const std::uint64_t len = frameEnd - frameBegin;
                    out.push_back(std::byte{0x95});
                    for (int i = 0; i < 8; ++i) {
                        out.push_back(static_cast<std::byte>((len >> (8 * i)) & 0xff));
                    }
                    out.insert(out.end(), m_body.begin() + static_cast<long>(frameBegin),
                               m_body.begin() + static_cast<long>(frameEnd));
                }
            };
            bool first = true;
            for (const auto& c : m_chunks) {
                const bool proto = first && c.len == 2 && m_body[c.off] == std::byte{0x80};
                first = false;
                if (proto || c.raw || c.len >= kFrameTarget) {
                    closeFrame();
                    out.insert(out.end(), m_body.begin() + static_cast<long>(c.off),
                               m_body.begin() + static_cast<long>(c.off + c.len));
                    frameBegin = frameEnd = c.off + c.len;
                    continue;
                }
                if (frameEnd == frameBegin) {
                    frameBegin = frameEnd = c.off;
                }
                frameEnd = c.off + c.len;
                if (frameEnd - frameBegin >= kFrameTarget) {
                    closeFrame();
                    frameBegin = frameEnd;
                }
            }
            closeFrame();
        }
        m_body.clear();
        m_chunks.clear();
    }

private:
    struct Chunk {
        std::size_t off;
        std::size_t len;
        bool raw;
    };
    void add(const std::byte* p, std::size_t n, bool raw) {
        m_chunks.push_back({m_body.size(), n, raw});
        m_body.insert(m_body.end(), p, p + n);
    }
    std::vector<std::byte> m_body;
    std::vector<Chunk> m_chunks;
};

bool inside(const std::vector<Edit>& edits, std::uint64_t offset) {
    auto it = std::upper_bound(edits.begin(), edits.end(), offset,
                               [](std::uint64_t o, const Edit& e) { return o < e.begin; });
    if (it == edits.begin()) {
        return false;
    }
    --it;
    return offset >= it->begin && offset < it->end;
}

/// Marks the memo definitions inside edits that kept code still reads (GET after the edit).
std::vector<bool> neededDefs(const WalkResult& w) {
    std::vector<bool> needed(w.defs.size(), false);
    std::map<std::uint64_t, std::vector<std::size_t>> bySlot;
    for (std::size_t i = 0; i < w.defs.size(); ++i) {
        bySlot[w.defs[i].slot].push_back(i);
    }
    for (const auto& g : w.gets) {
        if (inside(w.edits, g.offset)) {
            continue;
        }
        const auto it = bySlot.find(g.slot);
        if (it == bySlot.end()) {
            continue;
        }
        std::size_t last = SIZE_MAX;
        for (const std::size_t d : it->second) {
            if (w.defs[d].offset < g.offset) {
                last = d;
            }
        }
        if (last != SIZE_MAX && inside(w.edits, w.defs[last].offset)) {
            needed[last] = true;
        }
    }
    return needed;
}

std::string whatOf(const std::string& symbol) {
    const auto dot = symbol.rfind('.');
    if (dot == std::string::npos) {
        return symbol;
    }
    const auto rule = classifyGlobal(std::string_view(symbol).substr(0, dot),
                                     std::string_view(symbol).substr(dot + 1));
    return rule.what.empty() ? symbol : std::string(rule.what);
}

std::string describe(const Finding& f, bool none, bool popped) {
    std::string path = f.path;
    std::string what = whatOf(f.symbol);
    const std::string cls = ".__class__";
    if (path.size() > cls.size() && path.compare(path.size() - cls.size(), cls.size(), cls) == 0) {
        path.resize(path.size() - cls.size());
        what = "instance of a " + what + " rebuilt from bytecode";
    }
    if (!f.member.empty()) {
        path = f.member + ":" + path;
    }
    if (popped) {
        return path + " (" + what + "): a call that uses it while loading removed";
    }
    return path + " (" + what + "): " + (none ? "replaced with None" : "removed");
}

struct Loaded {
    std::vector<pickle::PickleInfo> pickles;
    std::vector<Finding> findings;
};

Loaded loadAndScan(const std::shared_ptr<const ByteSource>& data, const StreamCleanOptions& o) {
    pyobj::Recognitions recognitions;
    pyobj::JoblibArrayHook hook(recognitions, nestedOpener({}));
    pickle::MachineOptions mo;
    if (o.joblibArrays) {
        mo.afterBuild = hook;
    }
    pickle::Machine machine(data, mo);
    Loaded l;
    if (o.maxPickles == 0) {
        l.pickles = machine.loadAll().pickles;
    } else {
        std::uint64_t pos = 0;
        for (std::size_t i = 0; i < o.maxPickles; ++i) {
            l.pickles.push_back(machine.load(pos));
            pos = l.pickles.back().end;
        }
    }
    std::vector<pickle::ValueId> roots;
    for (const auto& p : l.pickles) {
        roots.push_back(p.root);
    }
    l.findings = scanPickleGraph(machine.graph(), roots, o.member);
    return l;
}

bool removable(const Finding& f, bool dropPortability) {
    return f.category == FindingCategory::Unserializable ||
           (dropPortability && f.rule == "CKPT-P001");
}

}  // namespace

StreamCleanResult cleanPickleStream(const std::shared_ptr<const ByteSource>& data,
                                    const StreamCleanOptions& options) {
    const auto bytes = data->view();
    if (bytes.empty() && data->size() != 0) {
        throw UnsupportedError("the pickle stream must be in memory to be cleaned");
    }
    const Loaded in = loadAndScan(data, options);
    std::map<std::uint64_t, int> flaggedAt;
    for (std::size_t i = 0; i < in.findings.size(); ++i) {
        const auto& f = in.findings[i];
        if (f.offset && removable(f, options.dropPortability)) {
            flaggedAt.emplace(*f.offset, static_cast<int>(i));
        }
    }

    StreamCleanResult result;
    std::set<std::string> seen;
    std::vector<std::byte> out;
    out.reserve(bytes.size());
    std::uint64_t lastEnd = 0;
    std::uint64_t steps = 0;
    for (const auto& info : in.pickles) {
        if (info.begin > lastEnd) {  // bytes between pickles (none in practice): keep them
            out.insert(out.end(), bytes.begin() + static_cast<long>(lastEnd),
                       bytes.begin() + static_cast<long>(info.begin));
        }
        const WalkResult w = pickle_clean::walkPickle(bytes, info.begin, info.skipped, flaggedAt,
                                                      options.replaceWithNone);
        const auto needed = neededDefs(w);
        Collector col;
        pickle::OpcodeReader reader(bytes, info.begin);
        std::size_t ei = 0;
        std::size_t di = 0;
        std::size_t si = 0;
        while (true) {
            const std::uint64_t pos = reader.position();
            if ((++steps & 0xfff) == 0) {
                reportProgress(options.progress, pos, bytes.size());
            }
            if (si < info.skipped.size() && info.skipped[si].offset == pos) {
                col.raw(bytes.data() + pos, info.skipped[si].length);
                reader.seek(info.skipped[si].end());
                ++si;
                continue;
            }
            if (ei < w.edits.size() && w.edits[ei].begin == pos) {
                const Edit& e = w.edits[ei];
                // Every memo definition of the span is made again, so that later MEMOIZE indices
                // and GETs stay valid: the real value when kept code reads it and it can be
                // rebuilt, else None.
                while (di < w.defs.size() && w.defs[di].offset < e.begin) {
                    ++di;
                }
                for (; di < w.defs.size() && w.defs[di].offset < e.end; ++di) {
                    const auto& d = w.defs[di];
                    std::string seq;
                    if (needed[di] && d.replayable) {
                        seq = d.replay;
                    } else {
                        seq = "N";
                        if (needed[di] && !d.flagged) {
                            result.warnings.push_back(
                                "a value inside a removed member (memo " + std::to_string(d.slot) +
                                ") is referenced elsewhere and was set to None there");
                        }
                    }
                    seq.append(reinterpret_cast<const char*>(bytes.data() + d.offset),
                               d.end - d.offset);
                    seq += '0';
                    col.op(seq);
                }
                if (e.none) {
                    col.op(std::string("N"));
                }
                if (e.finding >= 0) {
                    const auto text = describe(in.findings[static_cast<std::size_t>(e.finding)],
                                               e.none, e.popped);
                    if (seen.insert(text).second) {
                        result.cleaned.push_back(text);
                    }
                }
                while (si < info.skipped.size() && info.skipped[si].offset < e.end) {
                    ++si;
                }
                reader.seek(e.end);
                ++ei;
                continue;
            }
            const pickle::Op op = reader.next();
            if (op.code != pickle::Opcode::Frame) {
                col.op(bytes.data() + op.offset, op.end - op.offset);
            }
            if (op.code == pickle::Opcode::Stop) {
                break;
            }
        }
        col.flushTo(out, w.framed);
        lastEnd = info.end;
    }
    out.insert(out.end(), bytes.begin() + static_cast<long>(lastEnd), bytes.end());
    result.bytes = std::move(out);

    // Read the result again: it must decode, and keep no removable or security finding.
    auto check = std::make_shared<MemorySource>(result.bytes, data->name() + " (cleaned)");
    const Loaded after = loadAndScan(check, options);
    if (after.pickles.size() != in.pickles.size()) {
        throw UnsupportedError("the cleaned stream does not decode like the original (" +
                               std::to_string(after.pickles.size()) + " pickles instead of " +
                               std::to_string(in.pickles.size()) + ")");
    }
    for (const auto& f : after.findings) {
        if (f.category == FindingCategory::Security) {
            throw UnsupportedError(
                "refusing to export: " + f.path + " " + f.message + " (" + f.rule +
                "); a cleaned pickle would still run it on load. Export the weights "
                "(safetensors, keras-h5) instead");
        }
        if (removable(f, options.dropPortability)) {
            throw UnsupportedError("could not take out " + f.path + " (" + f.rule +
                                   "): it is used where it cannot be removed or replaced");
        }
    }
    return result;
}

}  // namespace ckpt::core
