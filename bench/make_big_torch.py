#!/usr/bin/python3
"""Writes a large torch.save state_dict for the `ckpt info` benchmark.

    /usr/bin/python3 bench/make_big_torch.py OUT.pt --mib N [--tensors T] [--legacy] [--seed S]

T tensors (default 200) named like a transformer-ish MLP: `layers.<i>.weight` (2-D float32,
most of the bytes) and `layers.<i>.bias` (1-D, 256 elements), plus a 0-d int64
`num_batches_tracked` when T is odd. Zip format by default (torch >= 1.6), `--legacy` for
`_use_new_zipfile_serialization=False`.

Memory: the values are written once, in 8 MiB blocks, into a temporary backing file next to
OUT; every tensor is `torch.from_numpy` of its own `np.memmap` window of that file (one mmap per
tensor, so each tensor keeps its own storage as in a real state_dict). torch.save then streams
them out; the resident set stays far below N MiB (page cache aside). The backing file is removed
at the end. Values: seeded standard normal float32, so the output is deterministic.

Needs Debian's /usr/bin/python3 (torch 1.13, numpy).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

BLOCK = 8 << 20
BIAS = 256


def plan(mib: float, tensors: int):
    """[(name, shape, dtype)] whose float32 payload adds up to ~mib MiB."""
    n_layers = max(1, tensors // 2)
    total = int(mib * (1 << 20)) // 4
    per_layer = max(BIAS + 1, total // n_layers)
    cols = 1024 if per_layer >= 1024 * 8 else 64
    rows = max(1, (per_layer - BIAS) // cols)
    out = []
    for i in range(n_layers):
        out.append(("layers.%d.weight" % i, (rows, cols), np.float32))
        out.append(("layers.%d.bias" % i, (BIAS,), np.float32))
    if tensors % 2:
        out.append(("num_batches_tracked", (), np.int64))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mib", type=float, required=True)
    ap.add_argument("--tensors", type=int, default=200)
    ap.add_argument("--legacy", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    import torch

    t0 = time.time()
    layout = plan(a.mib, a.tensors)
    offsets, pos = [], 0
    for _name, shape, dt in layout:
        offsets.append(pos)
        n = int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize
        pos += (n + 63) // 64 * 64
    backing = a.out + ".backing"
    rng = np.random.default_rng(a.seed)
    with open(backing, "wb") as f:
        left = pos
        while left > 0:
            n = min(BLOCK, left)
            f.write(rng.standard_normal(n // 4, dtype=np.float32).tobytes() + b"\0" * (n % 4))
            left -= n
    sd = {}
    maps = []
    for (name, shape, dt), off in zip(layout, offsets):
        if shape == ():
            sd[name] = torch.tensor(7, dtype=torch.int64)
            continue
        m = np.memmap(backing, dtype=dt, mode="c", offset=off, shape=shape)
        maps.append(m)
        sd[name] = torch.from_numpy(m)
    try:
        torch.save(sd, a.out, _use_new_zipfile_serialization=not a.legacy)
    finally:
        del sd, maps
        os.remove(backing)
    size = os.path.getsize(a.out)
    print("%s: %d tensors, %.1f MiB, %s, %.1f s" % (a.out, len(layout), size / 1048576,
                                                    "legacy" if a.legacy else "zip",
                                                    time.time() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
