#include "core/util/temp_files.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

namespace ckpt::core {
namespace {

constexpr std::size_t kSlots = 64;
constexpr std::size_t kPathMax = 4096;

enum SlotState : int { kFree = 0, kFilling = 1, kActive = 2 };

struct Slot {
    std::atomic<int> state{kFree};
    char path[kPathMax];
};

std::array<Slot, kSlots>& slots() {
    static std::array<Slot, kSlots> s;
    return s;
}

void onSignal(int sig) {
    for (auto& s : slots()) {
        if (s.state.load(std::memory_order_acquire) == kActive) {
            ::unlink(s.path);
        }
    }
    // End the process the way the signal would have (exit status 128 + sig in a shell).
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

int registerTempFile(const std::filesystem::path& path) noexcept {
    const std::string& text = path.native();
    if (text.size() >= kPathMax) {
        return -1;
    }
    auto& all = slots();
    for (std::size_t i = 0; i < kSlots; ++i) {
        int expected = kFree;
        if (all[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acq_rel)) {
            std::memcpy(all[i].path, text.c_str(), text.size() + 1);
            all[i].state.store(kActive, std::memory_order_release);
            return static_cast<int>(i);
        }
    }
    return -1;
}

void unregisterTempFile(int slot) noexcept {
    if (slot >= 0 && static_cast<std::size_t>(slot) < kSlots) {
        slots()[static_cast<std::size_t>(slot)].state.store(kFree, std::memory_order_release);
    }
}

void installTempFileCleanup() noexcept {
    static std::atomic<bool> installed{false};
    if (installed.exchange(true)) {
        return;
    }
    (void)slots();  // constructed before any signal can arrive
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction old {};
        // Keep an inherited "ignore" (nohup, background jobs): only replace the default.
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) {
            continue;
        }
        ::sigaction(sig, &sa, nullptr);
    }
}

}  // namespace ckpt::core
