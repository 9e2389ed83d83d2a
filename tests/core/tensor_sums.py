#!/usr/bin/python3
"""Prints the shape and float64 sum of every tensor/array in a torch or pickle/joblib file, one
JSON list of [shape, sum] per file, for test_tensor_values.cpp.

Loading is restricted: torch, numpy, joblib's array wrapper and collections are real; every
other global becomes an inert stub class, so no code from the file runs (sklearn objects and
the like are never constructed)."""
import collections
import importlib
import json
import sys

import numpy as np


class Stub:
    def __init__(self, *args, **kwargs):
        self.stub_args = args

    def __setstate__(self, state):
        self.stub_state = state


def stub_class(module, name):
    return type(name, (Stub,), {"__module__": "stub." + module})


SAFE_PREFIXES = ("numpy", "torch", "joblib.numpy_pickle", "collections", "_codecs", "builtins",
                 "copyreg", "__builtin__", "copy_reg")
BLOCKED = {("builtins", "eval"), ("builtins", "exec"), ("builtins", "getattr"),
           ("builtins", "__import__"), ("builtins", "compile"), ("builtins", "open")}


def find_class(module, name):
    if module.startswith(SAFE_PREFIXES) and (module, name) not in BLOCKED and \
            not module.startswith("torch.nn"):
        if module == "__builtin__":
            module = "builtins"
        if module == "copy_reg":
            module = "copyreg"
        if module.startswith("numpy._core"):  # numpy 2 names, read by numpy 1
            module = "numpy.core" + module[len("numpy._core"):]
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            pass
    return stub_class(module, name)


def load(path):
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04":
        import zipfile
        if any(n.endswith("/constants.pkl") for n in zipfile.ZipFile(path).namelist()):
            import torch  # TorchScript: the library's own loader (no Python code from the file)
            return dict(torch.jit.load(path, map_location="cpu").state_dict())
    if head == b"PK\x03\x04" or head[:2] == b"\x80\x02":
        import pickle
        import torch

        class Unpickler(pickle.Unpickler):
            def find_class(self, module, name):
                return find_class(module, name)

        class Module:
            pass

        mod = Module()
        mod.Unpickler = Unpickler
        mod.load = pickle.load
        mod.__name__ = "restricted_pickle"
        try:
            return torch.load(path, map_location="cpu", pickle_module=mod)
        except Exception:
            if head == b"PK\x03\x04":
                raise
    import joblib.numpy_pickle as jnp

    class JoblibUnpickler(jnp.NumpyUnpickler):
        def find_class(self, module, name):
            return find_class(module, name)

    with open(path, "rb") as f:
        return JoblibUnpickler(path, f).load()


def walk(obj, out, seen):
    stack = [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        import torch
        if isinstance(o, torch.Tensor):
            out.append([list(o.shape), float(o.double().sum()) if o.numel() else 0.0])
            continue
        if isinstance(o, np.ndarray):
            if o.dtype.kind in "biuf":
                out.append([list(o.shape), float(o.astype(np.float64).sum())])
            elif o.dtype == object:
                stack.extend(o.ravel().tolist())
            continue
        if isinstance(o, dict):
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "__dict__"):
            stack.extend(vars(o).values())


def main():
    result = {}
    for path in sys.argv[1:]:
        out = []
        walk(load(path), out, set())
        result[path] = out
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
