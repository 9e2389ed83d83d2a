#!/usr/bin/python3
"""Writes a large dill pickle for the validator benchmark: big payloads plus flagged members.

    /usr/bin/python3 bench/make_validate_pickle.py OUT.pkl --mib 256 [--protocol 4]
                                                   [--writer dill|reduce] [--seed S]

The pickled dict holds
  arrays    numpy arrays of 1-4 MiB, float32/float64/int64/uint8     (~60 % of the bytes)
  blobs     bytes payloads of 1-8 MiB                                  (~40 %)
  records   5,000 small dicts (opcode-heavy)
  workers   a few objects of a user class whose members plain pickle refuses: an RLock, a
            Lock, a Condition, a queue.Queue, an Event, and a lambda (the shapes of the
            original questions)
Writers: `dill` (dill.dump with its defaults: locks as dill._dill._create_lock/_create_rlock,
numpy arrays as dill._dill._create_array) or `reduce` (pickle.Pickler whose dispatch_table
writes each lock, condition, queue and event as a call of its class, the "custom __reduce__"
shape; arrays as numpy's own _reconstruct; no lambda, which pickle cannot write).
Payload bytes are seeded pseudo-random. Needs Debian's /usr/bin/python3 (numpy, dill).
"""

from __future__ import annotations

import argparse
import copyreg
import pickle
import os
import queue
import sys
import threading
import time

import dill
import numpy as np


class Worker:
    """A user object holding what plain pickle cannot write."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.RLock()
        self.mutex = threading.Lock()
        self.ready = threading.Condition()
        self.jobs = queue.Queue()
        self.done = threading.Event()
        self.score = lambda x: x * 2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mib", type=float, default=256)
    ap.add_argument("--protocol", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--writer", choices=("dill", "reduce"), default="dill")
    a = ap.parse_args(argv)
    t0 = time.time()
    rng = np.random.default_rng(a.seed)
    total = int(a.mib * (1 << 20))
    mib = 1 << 20

    arrays, left, i = {}, int(total * 0.6), 0
    kinds = [np.float32, np.float64, np.int64, np.uint8]
    while left > mib // 2:
        dt = np.dtype(kinds[i % 4])
        n = min(left, int(rng.integers(1, 5)) * mib) // dt.itemsize
        cols = 256
        rows = max(1, n // cols)
        arr = rng.standard_normal((rows, cols)).astype(dt) if dt.kind == "f" else \
            rng.integers(0, 100, (rows, cols)).astype(dt)
        arrays["layer%03d/%s" % (i, dt.name)] = arr
        left -= arr.nbytes
        i += 1
    blobs, left = [], total - sum(x.nbytes for x in arrays.values()) - mib // 4
    while left > 0:
        n = min(left, int(rng.integers(1, 9)) * mib)
        blobs.append(rng.integers(0, 256, n, dtype=np.uint8).tobytes())
        left -= n
    records = [{"id": k, "name": "rec-%d" % k, "score": float(k) / 7.0,
                "tags": ("x", k % 5, None)} for k in range(5000)]
    obj = {"arrays": arrays, "blobs": blobs, "records": records,
           "workers": [Worker("w%d" % k) for k in range(4)],
           "meta": {"generator": "make_validate_pickle.py", "seed": a.seed, "mib": a.mib}}
    with open(a.out, "wb") as f:
        if a.writer == "dill":
            dill.dump(obj, f, protocol=a.protocol)
        else:
            for w in obj["workers"]:
                w.score = None
            pickler = pickle.Pickler(f, protocol=a.protocol)
            table = copyreg.dispatch_table.copy()
            for cls, make in ((type(threading.RLock()), threading.RLock),
                              (type(threading.Lock()), threading.Lock),
                              (threading.Condition, threading.Condition),
                              (queue.Queue, queue.Queue), (threading.Event, threading.Event)):
                table[cls] = lambda o, m=make: (m, ())
            pickler.dispatch_table = table
            pickler.dump(obj)
    size = os.path.getsize(a.out)
    print("%s: %.1f MiB, protocol %d, writer %s, %d arrays, %d blobs, 4 workers, dill %s, "
          "%.1f s" % (a.out, size / mib, a.protocol, a.writer, len(arrays), len(blobs),
                      dill.__version__, time.time() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
