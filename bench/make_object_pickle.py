#!/usr/bin/python3
"""Writes an object-heavy pickle: many small dicts, the shape of logs, vocabularies and histories.

    /usr/bin/python3 bench/make_object_pickle.py OUT.pkl [--rows N] [--protocol 4] [--payload]

The pickled object is {"rows": [{"id": i, "name": f"item{i}", "v": float(i)} for i < N]}
(issue 15's benchmark file; N = 10^6 gives about 35 MiB at protocol 4). With --payload, a
dict entry "z" holding a `posix.system` call follows the rows, so a validator must read past
every row to find it. The rows are pickled by pickle.Pickler in batches (list.extend under
the hood is APPENDS), written straight to the file; memory stays small for 10^7 rows.
Needs Debian's /usr/bin/python3.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time


class _System:
    """Pickles as `posix.system("true")` without importing or calling it."""

    def __reduce__(self):
        return (os.system, ("true",))


class _Rows:
    """A list of N rows that is never built whole: pickled as an empty list plus APPENDS."""

    def __init__(self, n: int):
        self.n = n

    def __reduce__(self):
        return (list, (), None, self._iter())

    def _iter(self):
        for i in range(self.n):
            yield {"id": i, "name": f"item{i}", "v": float(i)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=10**6)
    ap.add_argument("--protocol", type=int, default=4)
    ap.add_argument("--payload", action="store_true", help="a posix.system call after the rows")
    a = ap.parse_args(argv)
    t0 = time.time()
    obj = {"rows": _Rows(a.rows)}
    if a.payload:
        obj["z"] = _System()
    with open(a.out, "wb") as f:
        pickle.Pickler(f, protocol=a.protocol).dump(obj)
    size = os.path.getsize(a.out)
    print(f"{a.out}: {size / (1 << 20):.1f} MiB, {a.rows} rows, {time.time() - t0:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
