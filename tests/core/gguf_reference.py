#!/usr/bin/python3
"""Reference values of a GGUF file's tensors for test_gguf_values.cpp: a small GGUF parser and
numpy dequantisation written from the spec's formulas (ggml's block layouts), separate from the
C++ reader. Prints JSON {name: {"type": ggml name, "shape": [...], "values": [...]}} for every
tensor of a type it decodes.

    /usr/bin/python3 gguf_reference.py FILE
"""
import json
import struct
import sys

import numpy as np

BLOCKS = {2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20), 6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24),
          8: ("Q8_0", 32, 34), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
          14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292)}
PLAIN = {0: ("F32", "<f4"), 1: ("F16", "<f2"), 24: ("I8", "i1"), 26: ("I32", "<i4"),
         28: ("F64", "<f8"), 30: ("BF16", None)}
F32 = np.float32


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take("<Q")
        s = self.data[self.pos:self.pos + n]
        self.pos += n
        return s

    def value(self, t):
        fmts = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
                10: "<Q", 11: "<q", 12: "<d"}
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take("<IQ")
            return [self.value(et) for _ in range(n)]
        return self.take(fmts[t])


def f16(col):
    return np.ascontiguousarray(col).view("<f2").astype(F32).reshape(-1)


def nibbles(qs):
    return (qs & 0x0F).astype(np.int32), (qs >> 4).astype(np.int32)


def dequant(name, b):
    nb = b.shape[0]
    if name == "Q8_0":
        return f16(b[:, 0:2])[:, None] * b[:, 2:34].view(np.int8).astype(F32)
    if name in ("Q4_0", "Q4_1"):
        d = f16(b[:, 0:2])[:, None]
        qs = b[:, 4:20] if name == "Q4_1" else b[:, 2:18]
        lo, hi = nibbles(qs)
        q = np.concatenate([lo, hi], axis=1)
        if name == "Q4_0":
            return (q - 8).astype(F32) * d
        return q.astype(F32) * d + f16(b[:, 2:4])[:, None]
    if name in ("Q5_0", "Q5_1"):
        off = 4 if name == "Q5_1" else 2
        d = f16(b[:, 0:2])[:, None]
        qh = np.ascontiguousarray(b[:, off:off + 4]).view("<u4").reshape(nb, 1)
        bits = ((qh >> np.arange(32, dtype=np.uint32)) & 1).astype(np.int32)
        lo, hi = nibbles(b[:, off + 4:off + 20])
        q = np.concatenate([lo | (bits[:, :16] << 4), hi | (bits[:, 16:] << 4)], axis=1)
        if name == "Q5_0":
            return (q - 16).astype(F32) * d
        return q.astype(F32) * d + f16(b[:, 2:4])[:, None]
    if name == "Q8_K":
        d = np.ascontiguousarray(b[:, 0:4]).view("<f4").reshape(nb, 1).astype(F32)
        return d * b[:, 4:260].view(np.int8).astype(F32)
    if name in ("Q4_K", "Q5_K"):
        d, dmin = f16(b[:, 0:2]), f16(b[:, 2:4])
        s = b[:, 4:16].astype(np.int32)
        sc = np.zeros((nb, 8), np.int32)
        mn = np.zeros((nb, 8), np.int32)
        for j in range(8):
            if j < 4:
                sc[:, j], mn[:, j] = s[:, j] & 63, s[:, j + 4] & 63
            else:
                sc[:, j] = (s[:, j + 4] & 0x0F) | ((s[:, j - 4] >> 6) << 4)
                mn[:, j] = (s[:, j + 4] >> 4) | ((s[:, j] >> 6) << 4)
        qs = b[:, 48:176] if name == "Q5_K" else b[:, 16:144]
        out = np.zeros((nb, 256), F32)
        for sb in range(8):
            byte = qs[:, (sb // 2) * 32:(sb // 2) * 32 + 32].astype(np.int32)
            q = byte & 0x0F if sb % 2 == 0 else byte >> 4
            if name == "Q5_K":
                q = q + (((b[:, 16:48].astype(np.int32) >> sb) & 1) << 4)
            d1 = (d * sc[:, sb].astype(F32)).astype(F32)[:, None]
            m1 = (dmin * mn[:, sb].astype(F32)).astype(F32)[:, None]
            out[:, sb * 32:sb * 32 + 32] = d1 * q.astype(F32) - m1
        return out
    if name == "Q6_K":
        ql, qh = b[:, 0:128].astype(np.int32), b[:, 128:192].astype(np.int32)
        sc = b[:, 192:208].view(np.int8).astype(F32)
        d = f16(b[:, 208:210])[:, None]
        out = np.zeros((nb, 256), F32)
        for e in range(256):
            half, r = divmod(e, 128)
            k, l = divmod(r, 32)
            byte = ql[:, half * 64 + l + (32 if k in (1, 3) else 0)]
            low4 = byte & 0x0F if k < 2 else byte >> 4
            q = (low4 | (((qh[:, half * 32 + l] >> (2 * k)) & 3) << 4)) - 32
            s = sc[:, half * 8 + l // 16 + 2 * k]
            out[:, e] = (d[:, 0] * s) * q.astype(F32)
        return out
    raise ValueError(name)


def main():
    data = open(sys.argv[1], "rb").read()
    r = Reader(data)
    assert r.take("<4s") == b"GGUF"
    version, n_tensors, n_kv = r.take("<IQQ")
    alignment = 32
    for _ in range(n_kv):
        key = r.string()
        v = r.value(r.take("<I"))
        if key == b"general.alignment":
            alignment = v
    infos = []
    for _ in range(n_tensors):
        name = r.string().decode()
        ne = [r.take("<Q") for _ in range(r.take("<I"))]
        infos.append((name, ne, *r.take("<IQ")))
    start = r.pos + (alignment - r.pos % alignment) % alignment
    out = {}
    for name, ne, t, off in infos:
        n = int(np.prod(ne)) if ne else 1
        shape = list(reversed(ne))
        at = start + off
        if t in PLAIN:
            tname, dt = PLAIN[t]
            if tname == "BF16":
                raw = np.frombuffer(data, "<u2", n, at).astype(np.uint32) << 16
                vals = raw.view(np.float32)
            else:
                vals = np.frombuffer(data, dt, n, at)
        elif t in BLOCKS:
            tname, per, size = BLOCKS[t]
            blocks = np.frombuffer(data, np.uint8, n // per * size, at).reshape(-1, size)
            vals = dequant(tname, blocks).reshape(-1)
        else:
            continue
        out[name] = {"type": tname, "shape": shape, "values": [float(v) for v in vals]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
