#include "core/util/error.h"

#include <exception>

namespace ckpt::core {

Error::Error(std::string message, Context context)
    : std::runtime_error(compose(message, context)),
      m_message(std::move(message)),
      m_context(std::move(context)) {}

std::string Error::compose(const std::string& message, const Context& context) {
    std::string out;
    if (!context.file.empty()) {
        out += context.file + ": ";
    }
    if (!context.format.empty()) {
        out += "[" + context.format + "] ";
    }
    out += message;
    if (!context.location.empty() || context.offset) {
        out += " (";
        if (!context.location.empty()) {
            out += "at " + context.location;
        }
        if (context.offset) {
            out += context.location.empty() ? "" : ", ";
            out += "offset " + std::to_string(*context.offset);
        }
        out += ")";
    }
    return out;
}

void Error::fillContext(const Context& outer) {
    if (m_context.file.empty()) {
        m_context.file = outer.file;
    }
    if (m_context.format.empty()) {
        m_context.format = outer.format;
    }
    if (m_context.location.empty()) {
        m_context.location = outer.location;
    }
    if (!m_context.offset) {
        m_context.offset = outer.offset;
    }
    static_cast<std::runtime_error&>(*this) = std::runtime_error(compose(m_message, m_context));
}

void rethrowWithContext(const Error::Context& outer) {
    try {
        throw;
    } catch (Error& e) {
        e.fillContext(outer);
        throw;
    }
}

}  // namespace ckpt::core
