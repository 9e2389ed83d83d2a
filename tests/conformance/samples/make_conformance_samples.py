#!/usr/bin/env python3
"""Small .npy and .npz samples for the conformance suite (tests/conformance).

The other formats already have committed fixtures (tests/fixtures); numpy files did not. Run with
Debian's Python (/usr/bin/python3, numpy 1.24). Deterministic: fixed data, fixed zip timestamps.
"""
import io
import os
import zipfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def npy_bytes(a):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


def write_npz(path, arrays, compression):
    # np.savez stamps the current time into the zip; write the members ourselves for stable bytes.
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, a in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, npy_bytes(a))


with open(os.path.join(here, "small.npy"), "wb") as f:
    f.write(npy_bytes(np.arange(24, dtype="<f4").reshape(2, 3, 4)))
with open(os.path.join(here, "fortran_be.npy"), "wb") as f:
    f.write(npy_bytes(np.asfortranarray(np.arange(6, dtype=">i8").reshape(2, 3))))
arrays = {"w": np.linspace(-1, 1, 12, dtype="<f2").reshape(3, 4), "b": np.arange(4, dtype="<i4")}
write_npz(os.path.join(here, "stored.npz"), arrays, zipfile.ZIP_STORED)
write_npz(os.path.join(here, "deflated.npz"), arrays, zipfile.ZIP_DEFLATED)
