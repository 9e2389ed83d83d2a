#!/usr/bin/python3
"""Writes a large protocol-4 pickle for parse-speed tests of the pickle reader.

    /usr/bin/python3 bench/make_big_pickle.py OUT.pkl --mib 256 [--protocol 4] [--seed S]

Layout of the pickled dict (bulk first, then many small objects):
  blobs     list of bytes payloads of 1-8 MiB              (~40 % of the bytes; BINBYTES)
  buffers   list of bytearray payloads of 1-4 MiB          (~20 %; `builtins bytearray` REDUCE
                                                            at protocol 4, BYTEARRAY8 at 5)
  arrays    dict of numpy arrays, float32/float64/int64/uint8, C and Fortran order (~40 %;
            numpy.core.multiarray _reconstruct + raw bytes state)
  records   10,000 small dicts {id, name, score, tags} (opcode-heavy, ~1 MiB)
Payload bytes are seeded pseudo-random (deterministic output). It is one pickle, written with
pickle.Pickler straight to the file, so the objects live in memory while pickling (~N MiB RAM).

Needs Debian's /usr/bin/python3 (numpy).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mib", type=float, default=256)
    ap.add_argument("--protocol", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    t0 = time.time()
    rng = np.random.default_rng(a.seed)
    total = int(a.mib * (1 << 20))
    mib = 1 << 20

    def payload(n):
        return rng.integers(0, 256, n, dtype=np.uint8).tobytes()

    blobs, left = [], int(total * 0.4)
    while left > 0:
        n = min(left, int(rng.integers(1, 9)) * mib)
        blobs.append(payload(n))
        left -= n
    buffers, left = [], int(total * 0.2)
    while left > 0:
        n = min(left, int(rng.integers(1, 5)) * mib)
        buffers.append(bytearray(payload(n)))
        left -= n
    arrays, left, i = {}, int(total * 0.4) - mib, 0
    kinds = [np.float32, np.float64, np.int64, np.uint8]
    while left > 0:
        dt = np.dtype(kinds[i % 4])
        n = min(left, 4 * mib) // dt.itemsize
        if n == 0:
            break
        cols = 256
        rows = max(1, n // cols)
        a2 = rng.standard_normal((rows, cols)).astype(dt) if dt.kind == "f" else \
            rng.integers(0, 100, (rows, cols)).astype(dt)
        if i % 3 == 2:
            a2 = np.asfortranarray(a2)
        arrays["a%03d_%s" % (i, dt.name)] = a2
        left -= a2.nbytes
        i += 1
    records = [{"id": k, "name": "rec-%d" % k, "score": float(k) / 7.0,
                "tags": ("x", k % 5, None)} for k in range(10000)]
    obj = {"blobs": blobs, "buffers": buffers, "arrays": arrays, "records": records,
           "meta": {"generator": "make_big_pickle.py", "seed": a.seed, "mib": a.mib}}
    with open(a.out, "wb") as f:
        pickle.Pickler(f, protocol=a.protocol).dump(obj)
    size = os.path.getsize(a.out)
    print("%s: %.1f MiB, protocol %d, %d blobs, %d bytearrays, %d arrays, %.1f s" % (
        a.out, size / mib, a.protocol, len(blobs), len(buffers), len(arrays),
        time.time() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
