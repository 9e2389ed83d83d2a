#pragma once
/// The value stack and mark stack of the pickle machine, with CPython's "fence" rule: an opcode
/// can only take values pushed after the innermost MARK.

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/pickle/value.h"

namespace ckpt::core::pickle {

/// Thrown by MachineStack on underflow or overflow; the machine turns it into a
/// CorruptDataError that names the opcode and its offset.
class StackError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Stack of ValueIds plus the positions of open MARKs. Grows on the heap, never recursive.
class MachineStack {
public:
    /// `maxSize` bounds the values held, `maxMarks` the open MARKs (StackError past them).
    MachineStack(std::size_t maxSize, std::size_t maxMarks);

    void push(ValueId v) {
        if (m_values.size() >= m_maxSize) [[unlikely]] {
            overflow();
        }
        m_values.push_back(v);
    }
    /// Removes and returns the top value; StackError when nothing sits above the innermost MARK.
    [[nodiscard]] ValueId pop() {
        if (m_values.size() <= fence()) [[unlikely]] {
            underflow();
        }
        const ValueId v = m_values.back();
        m_values.pop_back();
        return v;
    }
    /// The top value (above the innermost MARK), or StackError.
    [[nodiscard]] ValueId& top();
    /// Opens a MARK at the current height.
    void pushMark();
    /// Removes the innermost MARK and returns the values above it, oldest first; StackError
    /// when no MARK is open. The view is valid until the next popMark().
    [[nodiscard]] std::span<const ValueId> popMark();
    /// POP semantics of CPython: drops the innermost MARK when it sits at the top, else pops a
    /// value; StackError when neither is possible.
    void popValueOrMark();

    [[nodiscard]] std::size_t size() const { return m_values.size(); }
    [[nodiscard]] std::size_t markCount() const { return m_marks.size(); }
    /// Values above the innermost MARK.
    [[nodiscard]] std::size_t sizeAboveMark() const { return m_values.size() - fence(); }

private:
    // Push and pop are inlined into the machine's loop (one of each per opcode or so); their
    // errors are not.
    [[noreturn]] void overflow() const;
    [[noreturn]] void underflow() const;
    [[nodiscard]] std::size_t fence() const { return m_marks.empty() ? 0 : m_marks.back(); }

    std::vector<ValueId> m_values;
    std::vector<std::size_t> m_marks;
    std::vector<ValueId> m_popped;  ///< what the last popMark() returned (no allocation per MARK)
    std::size_t m_maxSize;
    std::size_t m_maxMarks;
};

}  // namespace ckpt::core::pickle
