#include "core/io/pread_fully.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ckpt::core {

std::size_t preadFully(int fd, std::span<std::byte> out, std::uint64_t offset,
                       const std::string& what, Error::Context context) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            context.offset = offset + done;
            throw IoError(what + ": " + std::strerror(errno), std::move(context));
        }
        if (n == 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    return done;
}

}  // namespace ckpt::core
