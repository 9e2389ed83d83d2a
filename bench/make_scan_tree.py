#!/usr/bin/python3
"""Writes a tree of distinct files for the `ckpt scan` benchmark.

    /usr/bin/python3 bench/make_scan_tree.py OUT_DIR [--files 2000] [--large 40] [--large-mib 4]

Every file has its own content (no two hash alike, so a cold cache is cold for each file):
safetensors, npy, pickles of dicts with numpy arrays (protocol 2 and 4), Keras-like HDF5 weight
files (h5py), one copy of each of the project's hostile pickles, and plain text; `--large` safetensors files of `--large-mib` MiB
each. Spread over nested folders (about 50 files per folder). Prints a JSON line with the file
count and bytes. Needs Debian's /usr/bin/python3 (numpy, h5py).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import struct

import h5py
import numpy as np


def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        raw = a.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--large", type=int, default=40)
    ap.add_argument("--large-mib", type=int, default=4)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    here = os.path.dirname(os.path.abspath(__file__))
    hostile_dir = os.path.join(here, "..", "tests", "fixtures", "hostile")
    hostile = sorted(f for f in os.listdir(hostile_dir) if f.endswith(".pkl"))
    total = 0

    def write(i: int, name: str, data: bytes) -> None:
        nonlocal total
        d = os.path.join(args.out, f"g{i % 7}", f"h{i // 50}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        total += len(data)

    for i in range(args.files):
        kind = i % 8
        rows = 8 + i % 64
        if kind == 0:
            write(i, f"m{i}.safetensors", safetensors_bytes(
                {"w": rng.standard_normal((rows, 32)), "b": rng.standard_normal(32)}))
        elif kind == 1:
            path = os.path.join(args.out, f"g{i % 7}", f"h{i // 50}")
            os.makedirs(path, exist_ok=True)
            np.save(os.path.join(path, f"a{i}.npy"), rng.standard_normal((rows, 16)).astype("f4"))
            total += os.path.getsize(os.path.join(path, f"a{i}.npy"))
        elif kind in (2, 3):
            state = {"step": i, "w": rng.standard_normal((rows, 16)).astype("f4"), "name": f"run{i}"}
            write(i, f"s{i}.pkl", pickle.dumps(state, protocol=2 if kind == 2 else 4))
        elif kind == 4:
            d = os.path.join(args.out, f"g{i % 7}", f"h{i // 50}")
            os.makedirs(d, exist_ok=True)
            p = os.path.join(d, f"w{i}.h5")
            with h5py.File(p, "w") as f:
                f.attrs["layer_names"] = np.array([b"dense"])
                g = f.create_group("dense")
                g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
                g.create_dataset("dense/kernel:0", data=rng.standard_normal((rows, 8)).astype("f4"))
                g.create_dataset("dense/bias:0", data=np.zeros(8, "f4"))
            total += os.path.getsize(p)
        elif kind == 5 and i // 8 < len(hostile):
            src = hostile[i // 8]  # each hostile pickle once
            with open(os.path.join(hostile_dir, src), "rb") as f:
                write(i, f"x{i}_{src}", f.read())
        else:
            write(i, f"notes{i}.txt", f"release notes {i}\n".encode() * (1 + i % 20))
    for j in range(args.large):
        rows = args.large_mib * 1024 * 1024 // (4 * 256)
        write(args.files + j, f"big{j}.safetensors",
              safetensors_bytes({"embed": rng.standard_normal((rows, 256)).astype("f4")}))
    print(json.dumps({"files": args.files + args.large, "bytes": total}))


if __name__ == "__main__":
    main()
