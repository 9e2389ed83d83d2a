#include "core/pickle/machine_stack.h"

namespace ckpt::core::pickle {

MachineStack::MachineStack(std::size_t maxSize, std::size_t maxMarks)
    : m_maxSize(maxSize), m_maxMarks(maxMarks) {}

void MachineStack::overflow() const {
    throw StackError("the stack grows past " + std::to_string(m_maxSize) + " values");
}

void MachineStack::underflow() const {
    throw StackError(m_marks.empty() ? "the stack is empty" : "no value above the innermost MARK");
}

ValueId& MachineStack::top() {
    if (m_values.size() <= fence()) {
        underflow();
    }
    return m_values.back();
}

void MachineStack::pushMark() {
    if (m_marks.size() >= m_maxMarks) {
        throw StackError("more than " + std::to_string(m_maxMarks) + " nested MARKs");
    }
    m_marks.push_back(m_values.size());
}

std::span<const ValueId> MachineStack::popMark() {
    if (m_marks.empty()) {
        throw StackError("no MARK is open");
    }
    const std::size_t mark = m_marks.back();
    m_marks.pop_back();
    m_popped.assign(m_values.begin() + static_cast<std::ptrdiff_t>(mark), m_values.end());
    m_values.resize(mark);
    return m_popped;
}

void MachineStack::popValueOrMark() {
    if (!m_marks.empty() && m_marks.back() == m_values.size()) {
        m_marks.pop_back();
        return;
    }
    (void)pop();
}

}  // namespace ckpt::core::pickle
