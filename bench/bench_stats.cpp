// Throughput of computeStats() over tensors held in memory.
//
//   ckpt_bench_stats [MiB=256] [repeats=5]
//
// Prints GB/s (10^9 bytes per second, best and median of the repeats) per dtype and thread
// setting. Target: at least 1 GB/s for float32 with the default options; exit code 1 otherwise.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/analysis/tensor_stats.h"
#include "core/io/byte_source.h"
#include "core/model/tensor.h"

namespace {

using ckpt::core::DType;

constexpr double kTargetFloat32GBps = 1.0;

/// `bytes` of `type` elements drawn from N(0.01, 0.05), like trained weights.
std::shared_ptr<ckpt::core::Tensor> makeTensor(DType type, std::size_t bytes) {
    const std::size_t size = ckpt::core::dtypeSize(type);
    const std::size_t n = bytes / size;
    std::vector<std::byte> data(n * size);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.01, 0.05);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = normal(rng);
        if (type == DType::Float32) {
            const auto f = static_cast<float>(v);
            std::memcpy(data.data() + i * size, &f, size);
        } else if (type == DType::Float64) {
            std::memcpy(data.data() + i * size, &v, size);
        } else {  // int8: quantised weights
            const auto q = static_cast<std::int8_t>(std::clamp(v * 1000.0, -128.0, 127.0));
            std::memcpy(data.data() + i * size, &q, size);
        }
    }
    auto source = std::make_shared<ckpt::core::MemorySource>(std::move(data), "bench");
    auto elements = std::make_shared<ckpt::core::ContiguousTensorSource>(source, 0, size, n, false);
    return std::make_shared<ckpt::core::Tensor>(DType(type), std::vector<std::uint64_t>{n},
                                                elements);
}

/// Best and median GB/s over `repeats` runs.
std::pair<double, double> measure(const ckpt::core::Tensor& tensor, int threads, int repeats) {
    std::vector<double> rates;
    std::uint64_t progressCalls = 0;
    for (int r = 0; r < repeats; ++r) {
        ckpt::core::StatsOptions options;
        options.threads = threads;
        const auto start = std::chrono::steady_clock::now();
        const auto stats = ckpt::core::computeStats(
            tensor, [&](std::uint64_t, std::uint64_t) { return ++progressCalls > 0; }, options);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        if (stats.count != tensor.numel()) {
            std::fprintf(stderr, "wrong element count\n");
            std::exit(2);
        }
        rates.push_back(static_cast<double>(tensor.nbytes()) / took.count() / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    return {rates.back(), rates[rates.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    std::printf("computeStats over %zu MiB in memory, %d repeats, %u hardware threads\n", mib,
                repeats, std::thread::hardware_concurrency());
    std::printf("%-8s %-8s %10s %12s\n", "dtype", "threads", "best GB/s", "median GB/s");
    double float32Auto = 0.0;
    for (const DType type : {DType::Float32, DType::Float64, DType::Int8}) {
        const auto tensor = makeTensor(type, mib << 20);
        for (const int threads : {0, 1}) {
            const auto [best, median] = measure(*tensor, threads, repeats);
            std::printf("%-8s %-8s %10.2f %12.2f\n",
                        std::string(ckpt::core::dtypeName(type)).c_str(),
                        threads == 0 ? "auto" : "1", best, median);
            if (type == DType::Float32 && threads == 0) {
                float32Auto = median;
            }
        }
    }
    const bool met = float32Auto >= kTargetFloat32GBps;
    std::printf("target: float32, default options, median >= %.1f GB/s: %s (%.2f)\n",
                kTargetFloat32GBps, met ? "met" : "NOT MET", float32Auto);
    return met ? 0 : 1;
}
