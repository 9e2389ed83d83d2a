#include "core/export/pickle_clean_walk.h"

#include <algorithm>
#include <utility>

#include "core/pickle/opcode_reader.h"
#include "core/util/error.h"

namespace ckpt::core::pickle_clean {
namespace {

using pickle::Op;
using pickle::Opcode;

constexpr std::size_t kMaxReplay = 512;

/// One value on the simulated stack: where the opcodes that built it start and end.
struct Item {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    bool mark = false;
    bool flagged = false;
    /// Built from a flagged value set to None in a tuple (a call's arguments): taken out as a
    /// whole where it is a member, since it cannot be built as it was.
    bool tainted = false;
    int finding = -1;
    [[nodiscard]] bool bad() const { return flagged || tainted; }
    bool replayable = false;
    std::string replay;  ///< opcodes that push an equal immutable value (when replayable)
    bool isStr = false;
    std::string text;  ///< str value (STACK_GLOBAL operands)
};

class Walker {
public:
    Walker(std::span<const std::byte> bytes, std::uint64_t begin,
           const std::vector<pickle::ByteRange>& skipped,
           const std::map<std::uint64_t, int>& flaggedAt, bool replace)
        : m_bytes(bytes),
          m_reader(bytes, begin),
          m_skipped(skipped),
          m_flaggedAt(flaggedAt),
          m_replace(replace) {}

    WalkResult run() {
        std::size_t skipIdx = 0;
        while (true) {
            while (skipIdx < m_skipped.size() && m_skipped[skipIdx].offset == m_reader.position()) {
                const auto end = m_skipped[skipIdx].end();
                if (!m_stack.empty()) {
                    m_stack.back().end = end;  // the raw bytes belong to the array on top
                }
                m_reader.seek(end);
                ++skipIdx;
            }
            const Op op = m_reader.next();
            step(op);
            if (op.code == Opcode::Stop) {
                break;
            }
        }
        normalizeEdits();
        return std::move(m_result);
    }

private:
    [[noreturn]] void fail(const std::string& message, const Op& op) const {
        m_reader.fail(message, op.offset);
    }

    std::string opBytes(const Op& op) const {
        return {reinterpret_cast<const char*>(m_bytes.data() + op.offset),
                static_cast<std::size_t>(op.end - op.offset)};
    }

    Item pop(const Op& op) {
        if (m_stack.empty() || m_stack.back().mark) {
            fail("stack underflow while cleaning", op);
        }
        Item it = std::move(m_stack.back());
        m_stack.pop_back();
        return it;
    }

    Item& top(const Op& op) {
        if (m_stack.empty() || m_stack.back().mark) {
            fail("stack underflow while cleaning", op);
        }
        return m_stack.back();
    }

    /// Pops everything above the topmost MARK (and the MARK); returns the items in push order.
    std::vector<Item> popMark(const Op& op, std::uint64_t& markStart) {
        std::size_t i = m_stack.size();
        while (i > 0 && !m_stack[i - 1].mark) {
            --i;
        }
        if (i == 0) {
            fail("MARK missing while cleaning", op);
        }
        markStart = m_stack[i - 1].start;
        std::vector<Item> items(std::make_move_iterator(m_stack.begin() + static_cast<long>(i)),
                                std::make_move_iterator(m_stack.end()));
        m_stack.resize(i - 1);
        return items;
    }

    void push(Item it) { m_stack.push_back(std::move(it)); }

    Item leaf(const Op& op, bool replayable) {
        Item it;
        it.start = op.offset;
        it.end = op.end;
        if (replayable && op.end - op.offset <= kMaxReplay) {
            it.replayable = true;
            it.replay = opBytes(op);
        }
        return it;
    }

    /// A value made by a call-like opcode: flagged when the validator flagged it, or when what
    /// was called is itself flagged (an instance of a class rebuilt by dill).
    Item made(const Op& op, std::uint64_t start, const Item* callee, const Item* args = nullptr) {
        Item it;
        it.start = start;
        it.end = op.end;
        if (const auto f = m_flaggedAt.find(op.offset); f != m_flaggedAt.end()) {
            it.flagged = true;
            it.finding = f->second;
        } else if (callee != nullptr && callee->flagged) {
            it.flagged = true;
            it.finding = callee->finding;
        } else if ((callee != nullptr && callee->tainted) || (args != nullptr && args->tainted)) {
            it.tainted = true;
            it.finding = callee != nullptr && callee->tainted ? callee->finding : args->finding;
        }
        return it;
    }

    void setNone(const Item& it) {
        if (it.bad()) {
            m_result.edits.push_back({it.start, it.end, true, it.finding});
        }
    }

    void dropPopped(const Item& it) {
        if (it.bad()) {
            m_result.edits.push_back({it.start, it.end, true, it.finding, true});
        }
    }

    void dropItem(const Item& it) {
        if (it.bad()) {
            m_result.edits.push_back({it.start, it.end, false, it.finding});
        }
    }

    /// A dict entry (key, value); `opEnd` also removes a SETITEM opcode that follows them.
    void pairEdit(const Item& k, const Item& v, std::uint64_t opEnd) {
        if (!k.bad() && !v.bad()) {
            return;
        }
        if (m_replace && !k.bad()) {
            m_result.edits.push_back({v.start, v.end, true, v.finding});
        } else {
            m_result.edits.push_back(
                {k.start, std::max(v.end, opEnd), false, k.bad() ? k.finding : v.finding});
        }
    }

    void pairs(const std::vector<Item>& items, const Op& op) {
        if (items.size() % 2 != 0) {
            fail("odd number of items for a dict while cleaning", op);
        }
        for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
            pairEdit(items[i], items[i + 1], 0);
        }
    }

    Item tupleOf(const std::vector<Item>& items, std::uint64_t start, const Op& op,
                 const std::string& prefix, const std::string& suffix) {
        Item it;
        it.start = start;
        it.end = op.end;
        bool ok = true;
        std::string replay = prefix;
        for (const auto& x : items) {
            setNone(x);
            if (x.bad()) {
                it.tainted = true;
                it.finding = x.finding;
            }
            ok = ok && x.replayable && !x.bad();
            if (ok) {
                replay += x.replay;
            }
        }
        replay += suffix;
        if (ok && replay.size() <= kMaxReplay) {
            it.replayable = true;
            it.replay = std::move(replay);
        }
        return it;
    }

    void memoPut(const Op& op, std::uint64_t slot) {
        Item& t = top(op);
        t.end = op.end;
        MemoDef d{op.offset, op.end, slot, t.bad(), t.replayable && !t.bad(), {}};
        if (d.replayable) {
            d.replay = t.replay;
        }
        m_result.defs.push_back(std::move(d));
        Item copy = t;
        m_memo[slot] = std::move(copy);
    }

    void step(const Op& op) {
        std::uint64_t markStart = 0;
        switch (op.code) {
            case Opcode::Mark: {
                Item it;
                it.start = op.offset;
                it.end = op.end;
                it.mark = true;
                push(std::move(it));
                break;
            }
            case Opcode::Stop: {
                const Item root = pop(op);
                if (root.bad()) {
                    throw UnsupportedError(
                        "the pickle's root object is itself flagged; there is nothing left to "
                        "export once it is taken out");
                }
                break;
            }
            case Opcode::Pop:
                if (!m_stack.empty() && m_stack.back().mark) {
                    m_stack.pop_back();
                } else {
                    dropPopped(pop(op));
                }
                break;
            case Opcode::PopMark:
                for (const auto& x : popMark(op, markStart)) {
                    dropPopped(x);
                }
                break;
            case Opcode::Dup: {
                Item c = top(op);
                c.start = op.offset;
                c.end = op.end;
                push(std::move(c));
                break;
            }
            case Opcode::Frame:
                m_result.framed = true;
                break;
            case Opcode::Proto:
                break;
            case Opcode::ShortBinUnicode:
            case Opcode::BinUnicode:
            case Opcode::BinUnicode8: {
                Item it = leaf(op, true);
                it.isStr = true;
                it.text = std::string(m_reader.text(op.data));
                push(std::move(it));
                break;
            }
            case Opcode::Int:
            case Opcode::BinInt:
            case Opcode::BinInt1:
            case Opcode::BinInt2:
            case Opcode::Long:
            case Opcode::Long1:
            case Opcode::Long4:
            case Opcode::Float:
            case Opcode::BinFloat:
            case Opcode::String:
            case Opcode::BinString:
            case Opcode::ShortBinString:
            case Opcode::Unicode:
            case Opcode::BinBytes:
            case Opcode::ShortBinBytes:
            case Opcode::BinBytes8:
            case Opcode::None:
            case Opcode::NewTrue:
            case Opcode::NewFalse:
            case Opcode::EmptyTuple:
            case Opcode::Global:
                push(leaf(op, true));
                break;
            case Opcode::ByteArray8:
            case Opcode::EmptyDict:
            case Opcode::EmptyList:
            case Opcode::EmptySet:
            case Opcode::Persid:
            case Opcode::Ext1:
            case Opcode::Ext2:
            case Opcode::Ext4:
            case Opcode::NextBuffer:
                push(leaf(op, false));
                break;
            case Opcode::ReadOnlyBuffer:
                top(op).end = op.end;
                break;
            case Opcode::StackGlobal: {
                const Item name = pop(op);
                const Item module = pop(op);
                Item it;
                it.start = module.start;
                it.end = op.end;
                if (name.isStr && module.isStr && name.text.find('\n') == std::string::npos &&
                    module.text.find('\n') == std::string::npos) {
                    it.replayable = true;
                    it.replay = "c" + module.text + "\n" + name.text + "\n";
                }
                push(std::move(it));
                break;
            }
            case Opcode::Get:
            case Opcode::BinGet:
            case Opcode::LongBinGet: {
                const auto slot = static_cast<std::uint64_t>(op.integer);
                const auto it = m_memo.find(slot);
                if (it == m_memo.end()) {
                    fail("memo GET of a missing index while cleaning", op);
                }
                Item c = it->second;
                c.start = op.offset;
                c.end = op.end;
                push(std::move(c));
                m_result.gets.push_back({op.offset, slot});
                break;
            }
            case Opcode::Put:
            case Opcode::BinPut:
            case Opcode::LongBinPut:
                memoPut(op, static_cast<std::uint64_t>(op.integer));
                break;
            case Opcode::Memoize:
                memoPut(op, m_memo.size());
                break;
            case Opcode::Tuple: {
                const auto items = popMark(op, markStart);
                push(tupleOf(items, markStart, op, "(", "t"));
                break;
            }
            case Opcode::Tuple1:
            case Opcode::Tuple2:
            case Opcode::Tuple3: {
                const std::size_t n = op.code == Opcode::Tuple1   ? 1
                                      : op.code == Opcode::Tuple2 ? 2
                                                                  : 3;
                std::vector<Item> items(n);
                for (std::size_t i = n; i > 0; --i) {
                    items[i - 1] = pop(op);
                }
                push(tupleOf(items, items.front().start, op, "",
                             std::string(1, static_cast<char>(op.code))));
                break;
            }
            case Opcode::List: {
                for (const auto& x : popMark(op, markStart)) {
                    setNone(x);
                }
                Item it;
                it.start = markStart;
                it.end = op.end;
                push(std::move(it));
                break;
            }
            case Opcode::Dict: {
                pairs(popMark(op, markStart), op);
                Item it;
                it.start = markStart;
                it.end = op.end;
                push(std::move(it));
                break;
            }
            case Opcode::Append: {
                const Item v = pop(op);
                setNone(v);
                top(op).end = op.end;
                break;
            }
            case Opcode::Appends: {
                for (const auto& x : popMark(op, markStart)) {
                    setNone(x);
                }
                top(op).end = op.end;
                break;
            }
            case Opcode::SetItem: {
                const Item v = pop(op);
                const Item k = pop(op);
                top(op).end = op.end;
                pairEdit(k, v, op.end);
                break;
            }
            case Opcode::SetItems: {
                pairs(popMark(op, markStart), op);
                top(op).end = op.end;
                break;
            }
            case Opcode::AddItems: {
                for (const auto& x : popMark(op, markStart)) {
                    dropItem(x);
                }
                top(op).end = op.end;
                break;
            }
            case Opcode::FrozenSet: {
                for (const auto& x : popMark(op, markStart)) {
                    dropItem(x);
                }
                Item it;
                it.start = markStart;
                it.end = op.end;
                push(std::move(it));
                break;
            }
            case Opcode::Build: {
                const Item state = pop(op);
                setNone(state);
                Item& obj = top(op);
                obj.end = op.end;
                obj.replayable = false;
                break;
            }
            case Opcode::Reduce:
            case Opcode::NewObj: {
                const Item args = pop(op);
                const Item func = pop(op);
                push(made(op, func.start, &func, &args));
                break;
            }
            case Opcode::NewObjEx: {
                const Item kwargs = pop(op);
                const Item args = pop(op);
                const Item cls = pop(op);
                setNone(kwargs);
                push(made(op, cls.start, &cls, &args));
                break;
            }
            case Opcode::Obj: {
                const auto items = popMark(op, markStart);
                if (items.empty()) {
                    fail("OBJ without a class while cleaning", op);
                }
                for (std::size_t i = 1; i < items.size(); ++i) {
                    setNone(items[i]);
                }
                push(made(op, markStart, &items.front()));
                break;
            }
            case Opcode::Inst: {
                for (const auto& x : popMark(op, markStart)) {
                    setNone(x);
                }
                push(made(op, markStart, nullptr));
                break;
            }
            case Opcode::BinPersid: {
                const Item pid = pop(op);
                Item it;
                it.start = pid.start;
                it.end = op.end;
                push(std::move(it));
                break;
            }
        }
    }

    /// Sorts the edits and drops those inside another (spans nest or are disjoint).
    void normalizeEdits() {
        auto& e = m_result.edits;
        std::sort(e.begin(), e.end(), [](const Edit& a, const Edit& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
        });
        std::vector<Edit> kept;
        for (const auto& x : e) {
            if (!kept.empty() && x.begin < kept.back().end) {
                if (x.end > kept.back().end) {
                    throw UnsupportedError("overlapping edits at offset " +
                                           std::to_string(x.begin) +
                                           ": this pickle cannot be cleaned safely");
                }
                continue;  // inside an edit already made
            }
            kept.push_back(x);
        }
        e = std::move(kept);
    }

    std::span<const std::byte> m_bytes;
    pickle::OpcodeReader m_reader;
    const std::vector<pickle::ByteRange>& m_skipped;
    const std::map<std::uint64_t, int>& m_flaggedAt;
    bool m_replace;
    std::vector<Item> m_stack;
    std::map<std::uint64_t, Item> m_memo;
    WalkResult m_result;
};

}  // namespace

WalkResult walkPickle(std::span<const std::byte> bytes, std::uint64_t begin,
                      const std::vector<pickle::ByteRange>& skipped,
                      const std::map<std::uint64_t, int>& flaggedAt, bool replace) {
    return Walker(bytes, begin, skipped, flaggedAt, replace).run();
}

}  // namespace ckpt::core::pickle_clean
