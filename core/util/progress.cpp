#include "core/util/progress.h"

#include "core/util/error.h"

namespace ckpt::core {

void reportProgress(const ProgressFn& fn, std::uint64_t done, std::uint64_t total) {
    if (fn && !fn(done, total)) {
        throw CancelledError();
    }
}

}  // namespace ckpt::core
