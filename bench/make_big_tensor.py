#!/usr/bin/python3
"""Writes a Keras weights file with one large float32 tensor, for the `ckpt stats` benchmark.

    /usr/bin/python3 bench/make_big_tensor.py OUT.h5 [--mib 256] [--seed S]

Layout: tf.keras 2.15 `model.save_weights("x.h5")` of Embedding(rows, 1024) -> Dense(1024, 8)
(legacy weights-only HDF5: layer_names at the root, one group per layer). The embedding matrix
`embedding/embedding/embeddings:0` is the large tensor (MiB * 256 rows x 1024 float32,
normal(0, 0.05) with a few planted extremes so min/max are known: +7.5 and -6.25);
`dense/dense/kernel:0` and `dense/dense/bias:0` are the small ones.
Written in blocks of 8 MiB: memory stays small. Prints a JSON line with the tensor path.
Needs Debian's /usr/bin/python3 (h5py, numpy).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures", "keras"))

import keras_emul as ke  # noqa: E402

DIM = 1024
TENSOR_PATH = "embedding/embedding/embeddings:0"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rows = args.mib * (1 << 20) // (DIM * 4)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    with h5py.File(args.out, "w") as f:
        ke.save_attributes_to_hdf5_group(f, "layer_names", [b"embedding", b"dense"], ke.H5PY3)
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        d = f.create_group("dense")
        ke.save_attributes_to_hdf5_group(d, "weight_names",
                                          [b"dense/kernel:0", b"dense/bias:0"], ke.H5PY3)
        d.create_dataset(b"dense/kernel:0", data=ke.glorot_uniform(rng, (DIM, 8)))
        d.create_dataset(b"dense/bias:0", data=ke.small_bias(rng, 8))
        e = f.create_group("embedding")
        ke.save_attributes_to_hdf5_group(e, "weight_names", [b"embedding/embeddings:0"],
                                          ke.H5PY3)
        ds = e.create_dataset(b"embedding/embeddings:0", (rows, DIM), dtype=np.float32)
        step = max(1, (8 << 20) // (DIM * 4))
        for r0 in range(0, rows, step):
            r1 = min(rows, r0 + step)
            block = rng.standard_normal((r1 - r0, DIM), dtype=np.float32)
            block *= np.float32(0.05)
            ds[r0:r1] = block
        ds[rows // 3, 17] = np.float32(7.5)
        ds[rows - 1, DIM - 1] = np.float32(-6.25)
        f.create_group("top_level_model_weights").attrs["weight_names"] = []
    print(json.dumps({"path": args.out, "bytes": os.path.getsize(args.out),
                      "tensor": TENSOR_PATH, "shape": [rows, DIM], "dtype": "float32",
                      "seconds": round(time.time() - t0, 2)}))


if __name__ == "__main__":
    main()
