"""Reference values of every code of the 8-bit float types, for tests/core/test_dtypes_float8.

Prints {"<type>": {"source": ..., "values": [256 texts]}} as JSON; each text is float.hex() of
the value, or "nan", "inf", "-inf". A type is taken from torch when the installed torch has it
(`torch.tensor(range(256), dtype=torch.uint8).view(dtype).float()`); otherwise from the
definitions of the specs, written here apart from the C++ decoder:
- OCP 8-bit Floating Point Specification (OFP8) rev 1.0: E4M3 (torch float8_e4m3fn) bias 7,
  no infinities, NaN = S.1111.111; E5M2 bias 15 with IEEE 754 infinities and NaNs.
- arXiv 2206.02915 (Graphcore/AMD FNUZ): E4M3 bias 8 and E5M2 bias 16, no infinities, no
  negative zero, the single NaN 0x80.
- OCP Microscaling Formats (MX) v1.0: E8M0 scale, 2^(code - 127), 0xFF = NaN.
E5M2 is also checked against Python's own IEEE binary16 decoder (struct 'e'): an E5M2 code is
the high byte of a half.
Run with /usr/bin/python3 (Debian's torch); without torch every type uses the definitions.
"""

import json
import math
import struct
import sys
from fractions import Fraction


def text(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v).hex()


def from_definition(name, code):
    if name == "float8_e8m0fnu":
        return math.nan if code == 0xFF else math.ldexp(1.0, code - 127)
    ebits, mbits, bias, kind = {
        "float8_e4m3fn": (4, 3, 7, "ocp-e4m3"),
        "float8_e5m2": (5, 2, 15, "ieee"),
        "float8_e4m3fnuz": (4, 3, 8, "fnuz"),
        "float8_e5m2fnuz": (5, 2, 16, "fnuz"),
    }[name]
    sign = -1 if code >> 7 else 1
    e = (code >> mbits) & ((1 << ebits) - 1)
    m = code & ((1 << mbits) - 1)
    top = (1 << ebits) - 1
    if kind == "fnuz" and code == 0x80:
        return math.nan
    if kind == "ocp-e4m3" and e == top and m == (1 << mbits) - 1:
        return math.nan
    if kind == "ieee" and e == top:
        return sign * math.inf if m == 0 else math.nan
    if e == 0:
        value = Fraction(m, 1 << mbits) * Fraction(2) ** (1 - bias)
    else:
        value = (1 + Fraction(m, 1 << mbits)) * Fraction(2) ** (e - bias)
    return sign * float(value)


def from_torch(name):
    try:
        import torch
    except ImportError:
        return None
    dtype = getattr(torch, name, None)
    if dtype is None:
        return None
    return torch.tensor(range(256), dtype=torch.uint8).view(dtype).float().tolist()


def main():
    out = {}
    for name in ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                 "float8_e8m0fnu"):
        values = from_torch(name)
        source = "torch"
        if values is None:
            values = [from_definition(name, c) for c in range(256)]
            source = "spec definition"
        if name == "float8_e5m2":
            half = [struct.unpack("<e", bytes([0, c]))[0] for c in range(256)]
            for c in range(256):
                a, b = values[c], half[c]
                if not (a == b or (math.isnan(a) and math.isnan(b))):
                    sys.exit("E5M2 code %d: %r from %s, %r as a half" % (c, a, source, b))
            source += " + struct half"
        out[name] = {"source": source, "values": [text(v) for v in values]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
