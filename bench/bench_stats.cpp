// Throughput of computeStats() over tensors held in memory.
//
//   ckpt_bench_stats [MiB=256] [repeats=5] [dtype...]   (default dtypes: float32 float64 int8)
//
// Prints GB/s (10^9 bytes per wall-clock second, best and median of the repeats) per dtype and
// thread setting, and GB per CPU-second (all threads), which is steadier on a busy machine.
// Target: a median of at least 1 GB/s for float32 with the default options; exit code 1
// otherwise.

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
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

template <typename T>
void put(std::byte* out, T value) {
    std::memcpy(out, &value, sizeof value);
}

/// Half precision by rounding the significand; values below the normal range become zero.
std::uint16_t toHalf(double v) {
    const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
    const double a = std::fabs(v);
    if (a < std::ldexp(1.0, -14)) {
        return sign;
    }
    const int e = std::min(std::ilogb(a), 15);
    const auto mantissa = static_cast<int>(std::lround((a / std::ldexp(1.0, e) - 1.0) * 1024));
    return static_cast<std::uint16_t>(sign | ((e + 15) << 10)) +
           static_cast<std::uint16_t>(mantissa);
}

/// `v` stored as `type`; integers hold v * 1000 like quantised weights.
void encode(DType type, double v, std::byte* out) {
    auto clamped = [v]<typename T>(T) {
        return static_cast<T>(std::clamp(std::round(v * 1000.0),
                                         double(std::numeric_limits<T>::min()),
                                         double(std::numeric_limits<T>::max())));
    };
    switch (type) {
        case DType::Float32:
            return put(out, static_cast<float>(v));
        case DType::Float64:
            return put(out, v);
        case DType::Float16:
            return put(out, toHalf(v));
        case DType::BFloat16:
            return put(out,
                       static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(float(v)) >> 16));
        case DType::Int8:
            return put(out, clamped(std::int8_t{}));
        case DType::UInt8:
            return put(out, clamped(std::uint8_t{}));
        case DType::Int16:
            return put(out, clamped(std::int16_t{}));
        case DType::UInt16:
            return put(out, clamped(std::uint16_t{}));
        case DType::Int32:
            return put(out, clamped(std::int32_t{}));
        case DType::UInt32:
            return put(out, clamped(std::uint32_t{}));
        case DType::Int64:
            return put(out, clamped(std::int64_t{}));
        case DType::UInt64:
            return put(out, clamped(std::uint64_t{}));
        default:
            return;
    }
}

/// `bytes` of `type` elements drawn from N(0.01, 0.05), like trained weights (a 4 Mi-element
/// random pattern, repeated).
std::shared_ptr<ckpt::core::Tensor> makeTensor(DType type, std::size_t bytes) {
    const std::size_t size = ckpt::core::dtypeSize(type);
    const std::size_t n = bytes / size;
    std::vector<std::byte> data(n * size);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.01, 0.05);
    std::vector<double> pattern(std::size_t{1} << 22);
    for (auto& p : pattern) {
        p = normal(rng);
    }
    for (std::size_t i = 0; i < n; ++i) {
        encode(type, pattern[i % pattern.size()], data.data() + i * size);
    }
    auto source = std::make_shared<ckpt::core::MemorySource>(std::move(data), "bench");
    auto elements = std::make_shared<ckpt::core::ContiguousTensorSource>(source, 0, size, n, false);
    return std::make_shared<ckpt::core::Tensor>(type, std::vector<std::uint64_t>{n}, elements);
}

struct Rates {
    double best = 0.0;
    double median = 0.0;
    double perCpuSecond = 0.0;  ///< GB per CPU-second, median
};

/// Wall-clock and CPU-time rates over `repeats` runs.
Rates measure(const ckpt::core::Tensor& tensor, int threads, int repeats) {
    std::vector<double> rates;
    std::vector<double> cpuRates;
    std::uint64_t progressCalls = 0;
    for (int r = 0; r < repeats; ++r) {
        ckpt::core::StatsOptions options;
        options.threads = threads;
        const std::clock_t cpuStart = std::clock();
        const auto start = std::chrono::steady_clock::now();
        const auto stats = ckpt::core::computeStats(
            tensor, [&](std::uint64_t, std::uint64_t) { return ++progressCalls > 0; }, options);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        const double cpu = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        if (stats.count != tensor.numel()) {
            std::fprintf(stderr, "wrong element count\n");
            std::exit(2);
        }
        rates.push_back(static_cast<double>(tensor.nbytes()) / took.count() / 1e9);
        cpuRates.push_back(static_cast<double>(tensor.nbytes()) / cpu / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    std::sort(cpuRates.begin(), cpuRates.end());
    return {rates.back(), rates[rates.size() / 2], cpuRates[cpuRates.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    double load[1] = {-1.0};
    if (getloadavg(load, 1) != 1) {
        load[0] = -1.0;
    }
    std::printf("computeStats over %zu MiB in memory, %d repeats, %u hardware threads, load %.2f\n",
                mib, repeats, std::thread::hardware_concurrency(), load[0]);
    std::printf("%-8s %-8s %10s %12s %14s\n", "dtype", "threads", "best GB/s", "median GB/s",
                "GB/CPU-second");
    std::vector<DType> types{DType::Float32, DType::Float64, DType::Int8};
    if (argc > 3) {
        types.clear();
        for (int a = 3; a < argc; ++a) {
            const auto t = ckpt::core::dtypeFromName(argv[a]);
            if (!t || !ckpt::core::dtypeIsNumeric(*t) || *t == DType::Bool) {  // no encoder
                std::fprintf(stderr, "not a benchmarked dtype: %s\n", argv[a]);
                return 2;
            }
            types.push_back(*t);
        }
    }
    double float32Auto = -1.0;
    for (const DType type : types) {
        const auto tensor = makeTensor(type, mib << 20);
        for (const int threads : {0, 1}) {
            const Rates r = measure(*tensor, threads, repeats);
            std::printf("%-8s %-8s %10.2f %12.2f %14.2f\n",
                        std::string(ckpt::core::dtypeName(type)).c_str(),
                        threads == 0 ? "auto" : "1", r.best, r.median, r.perCpuSecond);
            if (type == DType::Float32 && threads == 0) {
                float32Auto = r.median;
            }
        }
    }
    if (float32Auto < 0.0) {
        return 0;  // float32 not measured: no target to check
    }
    const bool met = float32Auto >= kTargetFloat32GBps;
    std::printf("target: float32, default options, median >= %.1f GB/s: %s (%.2f)\n",
                kTargetFloat32GBps, met ? "met" : "NOT MET", float32Auto);
    return met ? 0 : 1;
}
