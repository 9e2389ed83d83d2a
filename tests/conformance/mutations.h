#pragma once
// Mutants of a sample: truncations (every byte of a small file; spread offsets plus structural
// boundaries of a large one) and seeded bit flips, inserts and deletes. Deterministic: the same
// sample and seed give the same list on every machine.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ckpt::conformance {

struct Mutation {
    enum Kind : std::uint8_t { Truncate, Flip, Insert, Delete } kind = Truncate;
    std::uint64_t offset = 0;  ///< cut point, flipped byte, insert or delete position
    std::uint32_t value = 0;   ///< bit (Flip), byte (Insert) or length (Delete)

    [[nodiscard]] std::string describe() const {
        switch (kind) {
            case Truncate:
                return "truncated to " + std::to_string(offset) + " bytes";
            case Flip:
                return "bit " + std::to_string(value) + " of byte " + std::to_string(offset) +
                       " flipped";
            case Insert:
                return "byte " + std::to_string(value) + " inserted at " + std::to_string(offset);
            case Delete:
                return std::to_string(value) + " bytes deleted at " + std::to_string(offset);
        }
        return {};
    }

    [[nodiscard]] std::vector<char> apply(const std::vector<char>& in) const {
        std::vector<char> out = in;
        switch (kind) {
            case Truncate:
                out.resize(std::min<std::uint64_t>(offset, out.size()));
                break;
            case Flip:
                out[offset] = char(out[offset] ^ (1u << value));
                break;
            case Insert:
                out.insert(out.begin() + std::ptrdiff_t(offset), char(value));
                break;
            case Delete:
                out.erase(out.begin() + std::ptrdiff_t(offset),
                          out.begin() +
                              std::ptrdiff_t(std::min<std::uint64_t>(offset + value, out.size())));
                break;
        }
        return out;
    }
};

inline std::uint32_t le32(const std::vector<char>& b, std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}
inline std::uint64_t le64(const std::vector<char>& b, std::size_t at) {
    std::uint64_t v = 0;
    std::memcpy(&v, b.data() + at, 8);
    return v;
}

/// Offsets where a format's structure changes: zip records and member data, the end of a
/// safetensors or npy header, pickle frames, the HDF5 superblock. Cutting exactly there is where
/// "truncated but still well-formed so far" bugs hide.
inline std::set<std::uint64_t> structuralBoundaries(const std::vector<char>& b) {
    std::set<std::uint64_t> out{0, 1, 4, 8, 16};
    const std::size_t n = b.size();
    auto add = [&](std::uint64_t at) {
        for (std::int64_t d = -1; d <= 1; ++d) {
            if (std::int64_t(at) + d >= 0 && std::uint64_t(std::int64_t(at) + d) < n) {
                out.insert(std::uint64_t(std::int64_t(at) + d));
            }
        }
    };
    // zip: local headers (+ their data), central directory records, end of central directory.
    for (std::size_t i = 0; i + 30 <= n; ++i) {
        if (b[i] != 'P' || b[i + 1] != 'K') {
            continue;
        }
        if (b[i + 2] == 3 && b[i + 3] == 4) {
            add(i);
            const std::uint64_t nameLen = std::uint8_t(b[i + 26]) | std::uint8_t(b[i + 27]) << 8;
            const std::uint64_t extraLen = std::uint8_t(b[i + 28]) | std::uint8_t(b[i + 29]) << 8;
            const std::uint64_t data = i + 30 + nameLen + extraLen;
            add(data);
            add(data + le32(b, i + 18));  // compressed size
        } else if ((b[i + 2] == 1 && b[i + 3] == 2) || (b[i + 2] == 5 && b[i + 3] == 6) ||
                   (b[i + 2] == 6 && b[i + 3] == 6) || (b[i + 2] == 6 && b[i + 3] == 7)) {
            add(i);
        }
    }
    // safetensors: 8-byte header length, then the JSON header, then data.
    if (n >= 8 && le64(b, 0) + 8 <= n) {
        add(8);
        add(8 + le64(b, 0));
    }
    // npy: magic, version, header length, header.
    if (n >= 10 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0) {
        add(8);
        add(10);
        add(10 + (std::uint8_t(b[8]) | std::uint8_t(b[9]) << 8));
    }
    // pickle protocol 4/5: PROTO then a chain of FRAME opcodes with 8-byte lengths.
    if (n >= 2 && std::uint8_t(b[0]) == 0x80) {
        add(2);
        std::uint64_t at = 2;
        while (at + 9 <= n && std::uint8_t(b[at]) == 0x95) {
            const std::uint64_t len = le64(b, at + 1);
            add(at + 9);
            if (len > n - at - 9) {
                break;
            }
            at += 9 + len;
            add(at);
        }
    }
    // HDF5: every byte of the superblock and the first object headers sit in the first 512 bytes.
    if (n >= 8 && std::memcmp(b.data(), "\x89HDF\r\n\x1a\n", 8) == 0) {
        for (std::uint64_t at = 0; at < std::min<std::uint64_t>(n, 512); at += 4) {
            out.insert(at);
        }
    }
    return out;
}

/// Truncations: every cut below the size when size <= smallLimit, else `spread` evenly spread
/// cuts plus the structural boundaries.
inline std::vector<Mutation> truncations(const std::vector<char>& b, std::size_t smallLimit = 4096,
                                         std::size_t spread = 256) {
    std::vector<Mutation> out;
    const std::uint64_t n = b.size();
    if (n <= smallLimit) {
        for (std::uint64_t cut = 0; cut < n; ++cut) {
            out.push_back({Mutation::Truncate, cut, 0});
        }
        return out;
    }
    std::set<std::uint64_t> cuts = structuralBoundaries(b);
    for (std::size_t i = 0; i < spread; ++i) {
        cuts.insert(n * i / spread);
    }
    for (std::uint64_t cut : cuts) {
        if (cut < n) {
            out.push_back({Mutation::Truncate, cut, 0});
        }
    }
    return out;
}

/// `count` seeded random edits: 60% bit flips, 20% inserted bytes, 20% deleted runs (1-16 bytes).
/// Half of the positions fall in the first 4 KiB, where headers and directories live.
inline std::vector<Mutation> randomEdits(const std::vector<char>& b, std::size_t count,
                                         std::uint64_t seed) {
    std::vector<Mutation> out;
    if (b.empty()) {
        return out;
    }
    std::mt19937_64 rng(seed);
    const std::uint64_t n = b.size();
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t range = (rng() & 1) ? std::min<std::uint64_t>(n, 4096) : n;
        const std::uint64_t at = rng() % range;
        const unsigned pick = unsigned(rng() % 10);
        if (pick < 6) {
            out.push_back({Mutation::Flip, at, std::uint32_t(rng() % 8)});
        } else if (pick < 8) {
            // Bytes that mean something to parsers: zero, 0xff, ASCII, and pickle opcodes.
            static const std::uint8_t interesting[] = {0x00, 0xff, 0x7f, 0x80, '(',  ')', '.', '"',
                                                       '{',  '}',  0x95, 0x8c, 0x94, 'h', 'q', 'r'};
            const std::uint32_t v =
                (rng() & 1) ? interesting[rng() % sizeof interesting] : std::uint32_t(rng() % 256);
            out.push_back({Mutation::Insert, at, v});
        } else {
            out.push_back({Mutation::Delete, at, std::uint32_t(1 + rng() % 16)});
        }
    }
    return out;
}

}  // namespace ckpt::conformance
