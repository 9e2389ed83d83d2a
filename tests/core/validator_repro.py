#!/usr/bin/python3
"""For tests/core/test_validator_repro.cpp: reproduces the original failures with real Python.

    /usr/bin/python3 validator_repro.py OUT_DIR

Writes one dill file per case into OUT_DIR and prints, as JSON, what plain pickle said about the
object: the exact TypeError text, the type it names, and the deepest member whose pickling
fails. dill has no reducer for _thread._local either (it raises the same TypeError): what users
then do is register one that recreates it, the "custom reduce" shape the validator also catches.
"""
import json, os, pickle, queue, re, sys, threading
out = sys.argv[1]
try:
    import dill
except ImportError:
    print(json.dumps({"skip": "dill is not installed"}))
    sys.exit(0)

class Model:
    def __init__(self):
        self.weights = [1.0, 2.0, 3.0]
        self.name = "net"

class WithRLock(Model):
    def __init__(self):
        super().__init__()
        self.lock = threading.RLock()

class WithLocal(Model):
    def __init__(self):
        super().__init__()
        self.ctx = threading.local()

class WithQueue(Model):
    def __init__(self):
        super().__init__()
        self.jobs = queue.Queue()

def pickle_error(obj):
    try:
        pickle.dumps(obj)
    except TypeError as e:
        return str(e)
    return None

def failing_member(obj, path):
    """The deepest attribute path whose value plain pickle refuses."""
    for k, v in vars(obj).items() if hasattr(obj, "__dict__") else []:
        if pickle_error(v) is not None:
            return failing_member(v, path + "." + k)
    return path

cases = []
for name, cls in (("rlock", WithRLock), ("local", WithLocal), ("queue", WithQueue)):
    obj = cls()
    error = pickle_error(obj)
    m = re.search(r"cannot pickle '([^']+)' object", error or "")
    case = {"name": name, "error": error, "type": m.group(1) if m else None,
            "member": failing_member(obj, "<root>"), "file": os.path.join(out, name + ".pkl")}
    try:
        data = dill.dumps(obj)
    except TypeError as e:
        case["dill_error"] = str(e)
        t = type(obj.ctx)
        dill.register(t)(lambda pickler, o: pickler.save_reduce(t, (), obj=o))
        data = dill.dumps(obj)
    with open(case["file"], "wb") as f:
        f.write(data)
    cases.append(case)
print(json.dumps({"dill": dill.__version__, "cases": cases}))
