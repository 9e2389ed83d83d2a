#!/usr/bin/python3
"""Writes two versions of a large legacy Keras model for the `ckpt diff` benchmark.

    /usr/bin/python3 bench/make_diff_pair.py A.h5 B.h5 --size-mib N [--tensors T]

A is bench/make_big_keras.py's tf.keras 2.15 Sequential of Dense layers (~N MiB of float32,
contiguous datasets, as Keras writes them). B is the same model "trained a little further":
a copy of A in which every weight dataset except every tenth one gets Gaussian noise of 2 % of
its value range, so B has changed tensors (|delta| mostly < 0.01) and a few bitwise-equal ones.
Both files are written in blocks of about 8 MiB, so memory stays small whatever N is.
Needs Debian's /usr/bin/python3 (h5py, numpy).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK_BYTES = 8 << 20


def perturb(path: str, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    changed = equal = 0
    with h5py.File(path, "r+") as f:
        names = []
        f["model_weights"].visititems(
            lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for i, name in enumerate(sorted(names)):
            ds = f["model_weights"][name]
            if i % 10 == 9 or ds.size == 0:
                equal += 1
                continue
            changed += 1
            rows = ds.shape[0]
            row_elems = max(1, int(np.prod(ds.shape[1:], dtype=np.int64)))
            step = max(1, BLOCK_BYTES // (row_elems * 4))
            for r0 in range(0, rows, step):
                r1 = min(rows, r0 + step)
                block = ds[r0:r1]
                scale = np.float32(0.02 * (float(np.abs(block).max()) + 1e-12) / 2)
                noise = rng.standard_normal(block.shape, dtype=np.float32)
                noise *= scale
                block += noise
                ds[r0:r1] = block
    return {"changed": changed, "equal": equal}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--size-mib", type=float, required=True)
    ap.add_argument("--tensors", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.time()
    out = subprocess.run([sys.executable, os.path.join(HERE, "make_big_keras.py"), args.a,
                          "--size-mib", str(args.size_mib), "--tensors", str(args.tensors)],
                         check=True, capture_output=True, text=True).stdout
    shutil.copyfile(args.a, args.b)
    info = json.loads(out)
    info.update(perturb(args.b, args.seed))
    info.update({"a": args.a, "b": args.b, "seconds": round(time.time() - t0, 2)})
    print(json.dumps(info))


if __name__ == "__main__":
    main()
