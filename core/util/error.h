#pragma once
/// Typed errors of the core. Every failure that reaches a user is one of these: it names the file,
/// the format that was tried, and where in the file the problem sits.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ckpt::core {

/// Base of all core errors. `what()` is the full, user-facing sentence.
class Error : public std::runtime_error {
public:
    struct Context {
        std::string file;      ///< path of the input, may be empty for in-memory data
        std::string format;    ///< format id that was being read ("keras-h5", "zip", ...)
        std::string location;  ///< object path or member name inside the file
        std::optional<std::uint64_t> offset;  ///< byte offset, when known
    };

    Error(std::string message, Context context = {});

    [[nodiscard]] const std::string& message() const { return m_message; }
    [[nodiscard]] const Context& context() const { return m_context; }

    /// Returns a copy of the context with empty fields filled from `outer`.
    void fillContext(const Context& outer);

private:
    static std::string compose(const std::string& message, const Context& context);

    std::string m_message;
    Context m_context;
};

/// The file cannot be read at all (missing, permission, I/O failure).
class IoError : public Error {
public:
    using Error::Error;
};

/// The bytes are not in any format the reader understands.
class FormatError : public Error {
public:
    using Error::Error;
};

/// The format was recognised but its content is damaged, truncated or claims impossible sizes.
class CorruptDataError : public Error {
public:
    using Error::Error;
};

/// A valid file uses a feature the reader does not support yet.
class UnsupportedError : public Error {
public:
    using Error::Error;
};

/// The user (through a progress callback) asked to stop.
class CancelledError : public Error {
public:
    CancelledError() : Error("cancelled") {}
};

/// Rethrows `e` after filling its missing context fields from `outer`; keeps the dynamic type.
[[noreturn]] void rethrowWithContext(const Error::Context& outer);

}  // namespace ckpt::core
