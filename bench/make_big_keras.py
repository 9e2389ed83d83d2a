#!/usr/bin/python3
"""Writes a large legacy Keras full-model .h5 for the `ckpt info` benchmark.

    /usr/bin/python3 bench/make_big_keras.py OUT.h5 --size-mib N [--tensors T] [--seed S]

The model is a tf.keras 2.15 Sequential of Dense layers (width chosen so the file is ~N MiB),
saved the way `model.save("x.h5")` does (tests/fixtures/keras/keras_emul.py): root attributes
keras_version/backend/model_config/training_config, /model_weights with layer_names and one
group per layer, weight_names, datasets `<layer>/<layer>/kernel:0` and `bias:0`. T weight
datasets: T // 2 Dense layers with bias, plus one without bias when T is odd. The model was
compiled but not trained, so there is a training_config and no optimizer_weights (as Keras
writes it for a model saved before fit()).

Values are written in blocks of about 8 MiB, so memory stays small whatever N is.
Needs Debian's /usr/bin/python3 (h5py, numpy).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures", "keras"))

import keras_emul as ke  # noqa: E402

BLOCK_BYTES = 8 << 20


def plan(size_mib: float, tensors: int):
    """Returns (width, n_layers, has_bias list) so that n_layers * (w*w + w) * 4 ~ size."""
    n_bias = tensors // 2
    n_layers = n_bias + (tensors % 2)
    target = size_mib * (1 << 20) / 4.0 / n_layers
    width = max(1, int(round((-1 + math.sqrt(1 + 4 * target)) / 2)))
    has_bias = [True] * n_bias + [False] * (tensors % 2)
    return width, n_layers, has_bias


def write_block_wise(ds: h5py.Dataset, rng: np.random.Generator, scale: float,
                     center: float = 0.0) -> None:
    rows = ds.shape[0]
    row_bytes = max(1, int(np.prod(ds.shape[1:], dtype=np.int64)) * 4)
    step = max(1, BLOCK_BYTES // row_bytes)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        block = rng.random((r1 - r0,) + ds.shape[1:], dtype=np.float32)
        block *= np.float32(2 * scale)
        block += np.float32(center - scale)
        ds[r0:r1] = block


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size-mib", type=float, required=True)
    ap.add_argument("--tensors", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)
    if args.tensors < 2:
        ap.error("--tensors must be >= 2")
    width, n_layers, has_bias = plan(args.size_mib, args.tensors)
    rng = np.random.default_rng(args.seed)
    ver = "2.15.0"
    names = ["dense"] + [f"dense_{i}" for i in range(1, n_layers)]
    layer_cfgs = [{"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, width], "dtype": "float32", "sparse": False,
        "ragged": False, "name": "dense_input"}}]
    for i, name in enumerate(names):
        cfg = ke.tfk_dense_config(name, width, "relu" if i < n_layers - 1 else "linear",
                                  with_module=True,
                                  batch_input_shape=[None, width] if i == 0 else None)
        cfg["use_bias"] = has_bias[i]
        layer_cfgs.append({"class_name": "Dense", "config": cfg})
    model_config = {"class_name": "Sequential",
                    "config": {"name": "sequential", "layers": layer_cfgs}}
    training_config = {"loss": "mean_squared_error", "metrics": None, "weighted_metrics": None,
                       "loss_weights": None, "optimizer_config": {
                           "class_name": "Custom>Adam", "config": {
                               "name": "Adam", "weight_decay": None, "clipnorm": None,
                               "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                               "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                               "jit_compile": False, "is_legacy_optimizer": False,
                               "learning_rate": 0.0010000000474974513, "beta_1": 0.9,
                               "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
    t0 = time.time()
    style = ke.LegacyStyle(ke.H5PY3, keras_version=ver, top_level_group=True)
    limit = math.sqrt(6.0 / (2 * width))
    with h5py.File(args.out, "w") as f:
        f.attrs["keras_version"] = ver
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = ke.json_bytes(model_config)
        f.attrs["training_config"] = ke.json_bytes(training_config)
        mw = f.create_group("model_weights")
        ke.save_attributes_to_hdf5_group(mw, "layer_names", [n.encode() for n in names],
                                          style.h5py_major)
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = ver.encode()
        order = sorted(range(n_layers), key=lambda i: names[i])
        for i in order:
            name = names[i]
            g = mw.create_group(name)
            wn = [f"{name}/kernel:0".encode()] + ([f"{name}/bias:0".encode()]
                                                  if has_bias[i] else [])
            ke.save_attributes_to_hdf5_group(g, "weight_names", wn, style.h5py_major)
            k = g.create_dataset(wn[0], (width, width), dtype=np.float32)
            write_block_wise(k, rng, limit)
            if has_bias[i]:
                b = g.create_dataset(wn[1], (width,), dtype=np.float32)
                b[:] = rng.normal(0.0, 0.02, width).astype(np.float32)
        g = mw.create_group("top_level_model_weights")
        g.attrs["weight_names"] = []
    size = os.path.getsize(args.out)
    print(json.dumps({"path": args.out, "bytes": size, "layers": n_layers, "width": width,
                      "tensors": args.tensors,
                      "params": n_layers * width * width + sum(has_bias) * width,
                      "seconds": round(time.time() - t0, 2)}))


if __name__ == "__main__":
    main()
