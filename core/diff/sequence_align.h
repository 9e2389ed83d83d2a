#pragma once
/// In-order alignment of two sequences: the pairing behind "then by position and class" (layers)
/// and "then by order and shape" (tensors).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ckpt::core {

/// Pairs (i, j), increasing in both, of a longest common subsequence of [0, n) and [0, m) under
/// `match(i, j)`. Past `maxCells` table cells (n * m) it falls back to a greedy walk that pairs
/// each i with the next unmatched j that matches, so memory stays bounded.
template <typename Match>
std::vector<std::pair<std::size_t, std::size_t>> alignInOrder(std::size_t n, std::size_t m,
                                                              Match match,
                                                              std::size_t maxCells = 1u << 22) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (n == 0 || m == 0) {
        return out;
    }
    if (n > maxCells / m) {
        std::size_t next = 0;
        for (std::size_t i = 0; i < n && next < m; ++i) {
            for (std::size_t j = next; j < m; ++j) {
                if (match(i, j)) {
                    out.emplace_back(i, j);
                    next = j + 1;
                    break;
                }
            }
        }
        return out;
    }
    // len[i][j]: LCS length of the suffixes from i and j.
    std::vector<std::uint32_t> len((n + 1) * (m + 1), 0);
    const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
        return len[i * (m + 1) + j];
    };
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m; j-- > 0;) {
            at(i, j) = match(i, j) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        }
    }
    for (std::size_t i = 0, j = 0; i < n && j < m;) {
        if (match(i, j) && at(i, j) == at(i + 1, j + 1) + 1) {
            out.emplace_back(i, j);
            ++i;
            ++j;
        } else if (at(i + 1, j) >= at(i, j + 1)) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

}  // namespace ckpt::core
