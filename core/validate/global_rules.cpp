#include "core/validate/global_rules.h"

#include <array>

namespace ckpt::core {
namespace {

struct Entry {
    std::string_view module;  ///< exact module, or a prefix ending in '.' / "*" for any
    std::string_view name;    ///< exact name, "*" for any, or a prefix ending in '*'
    GlobalKind kind;
    std::string_view what;
};

bool matches(std::string_view pattern, std::string_view s) {
    if (pattern == "*") {
        return true;
    }
    if (!pattern.empty() && pattern.back() == '*') {
        return s.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    }
    if (!pattern.empty() && pattern.back() == '.') {  // a package and everything below it
        return s == pattern.substr(0, pattern.size() - 1) || s.substr(0, pattern.size()) == pattern;
    }
    return pattern == s;
}

// First match wins: specific entries come before wildcards of the same module.
constexpr Entry kTable[] = {
    // Resources that plain pickle refuses, however they were written.
    {"dill._dill", "_create_lock", GlobalKind::Resource, "_thread.lock"},
    {"dill._dill", "_create_rlock", GlobalKind::Resource, "_thread.RLock"},
    {"dill._dill", "_create_filehandle", GlobalKind::Resource, "open file"},
    {"dill._dill", "_create_weakref", GlobalKind::Resource, "weakref.ReferenceType"},
    {"dill._dill", "_create_weakproxy", GlobalKind::Resource, "weakref.ProxyType"},
    {"dill.dill", "_create_lock", GlobalKind::Resource, "_thread.lock"},
    {"dill.dill", "_create_rlock", GlobalKind::Resource, "_thread.RLock"},
    {"dill.dill", "_create_filehandle", GlobalKind::Resource, "open file"},
    {"_thread", "allocate_lock", GlobalKind::Resource, "_thread.lock"},
    {"_thread", "allocate", GlobalKind::Resource, "_thread.lock"},
    {"_thread", "LockType", GlobalKind::Resource, "_thread.lock"},
    {"_thread", "lock", GlobalKind::Resource, "_thread.lock"},
    {"_thread", "RLock", GlobalKind::Resource, "_thread.RLock"},
    {"_thread", "_local", GlobalKind::Resource, "_thread._local"},
    {"threading", "Lock", GlobalKind::Resource, "_thread.lock"},
    {"threading", "RLock", GlobalKind::Resource, "_thread.RLock"},
    {"threading", "_RLock", GlobalKind::Resource, "_thread.RLock"},
    {"threading", "_CRLock", GlobalKind::Resource, "_thread.RLock"},
    {"threading", "Condition", GlobalKind::Resource, "threading.Condition"},
    {"threading", "Semaphore", GlobalKind::Resource, "threading.Semaphore"},
    {"threading", "BoundedSemaphore", GlobalKind::Resource, "threading.BoundedSemaphore"},
    {"threading", "Event", GlobalKind::Resource, "threading.Event"},
    {"threading", "Barrier", GlobalKind::Resource, "threading.Barrier"},
    {"threading", "local", GlobalKind::Resource, "_thread._local"},
    {"threading", "Thread", GlobalKind::Resource, "threading.Thread"},
    {"_threading_local", "local", GlobalKind::Resource, "_thread._local"},
    {"queue", "Queue", GlobalKind::Resource, "queue.Queue"},
    {"queue", "LifoQueue", GlobalKind::Resource, "queue.LifoQueue"},
    {"queue", "PriorityQueue", GlobalKind::Resource, "queue.PriorityQueue"},
    {"queue", "SimpleQueue", GlobalKind::Resource, "_queue.SimpleQueue"},
    {"_queue", "SimpleQueue", GlobalKind::Resource, "_queue.SimpleQueue"},
    {"multiprocessing.", "*", GlobalKind::Resource, "multiprocessing object"},
    {"_multiprocessing", "*", GlobalKind::Resource, "multiprocessing object"},
    {"_io", "TextIOWrapper", GlobalKind::Resource, "open file"},
    {"_io", "BufferedReader", GlobalKind::Resource, "open file"},
    {"_io", "BufferedWriter", GlobalKind::Resource, "open file"},
    {"_io", "FileIO", GlobalKind::OpensFile, ""},
    {"io", "TextIOWrapper", GlobalKind::Resource, "open file"},
    {"io", "FileIO", GlobalKind::OpensFile, ""},
    {"builtins", "generator", GlobalKind::Resource, "generator"},
    {"types", "GeneratorType", GlobalKind::Resource, "generator"},
    {"sqlite3", "*", GlobalKind::Resource, "sqlite3 connection"},

    // Functions, code and classes rebuilt from bytecode.
    {"dill._dill", "_create_function", GlobalKind::RebuildsCode, "function"},
    {"dill._dill", "_create_code", GlobalKind::RebuildsCode, "code object"},
    {"dill._dill", "_create_type", GlobalKind::RebuildsCode, "class"},
    {"dill._dill", "_create_cell", GlobalKind::RebuildsCode, "closure cell"},
    {"dill._dill", "_create_namedtuple", GlobalKind::RebuildsCode, "class"},
    {"dill._dill", "_eval_repr", GlobalKind::RunsCode, ""},
    {"dill._dill", "_import_module", GlobalKind::Imports, ""},
    {"dill._dill", "_get_attr", GlobalKind::AttributeGet, ""},
    {"dill._dill", "load*", GlobalKind::NestedLoad, ""},
    {"dill._dill", "*", GlobalKind::KnownSafe, ""},
    {"dill.dill", "_create_function", GlobalKind::RebuildsCode, "function"},
    {"dill.dill", "_create_code", GlobalKind::RebuildsCode, "code object"},
    {"dill.dill", "_create_type", GlobalKind::RebuildsCode, "class"},
    {"dill.dill", "load*", GlobalKind::NestedLoad, ""},
    {"dill.dill", "*", GlobalKind::KnownSafe, ""},
    {"cloudpickle.", "_file_reconstructor", GlobalKind::Resource, "open file"},
    {"cloudpickle.", "subimport", GlobalKind::Imports, ""},
    {"cloudpickle.", "dynamic_subimport", GlobalKind::Imports, ""},
    {"cloudpickle.", "_make_function", GlobalKind::RebuildsCode, "function"},
    {"cloudpickle.", "_make_skel_func", GlobalKind::RebuildsCode, "function"},
    {"cloudpickle.", "_make_skeleton_class", GlobalKind::RebuildsCode, "class"},
    {"cloudpickle.", "_make_skeleton_enum", GlobalKind::RebuildsCode, "class"},
    {"cloudpickle.", "_builtin_type", GlobalKind::RebuildsCode, "code object"},
    {"cloudpickle.", "_make_cell", GlobalKind::RebuildsCode, "closure cell"},
    {"cloudpickle.", "*", GlobalKind::KnownSafe, ""},
    {"types", "CodeType", GlobalKind::RebuildsCode, "code object"},
    {"types", "FunctionType", GlobalKind::RebuildsCode, "function"},
    {"types", "LambdaType", GlobalKind::RebuildsCode, "function"},
    {"marshal", "*", GlobalKind::RunsCode, ""},

    // Commands, code, imports and nested loads.
    {"os", "*", GlobalKind::RunsCode, ""},
    {"posix", "*", GlobalKind::RunsCode, ""},
    {"nt", "*", GlobalKind::RunsCode, ""},
    {"subprocess", "*", GlobalKind::RunsCode, ""},
    {"pty", "*", GlobalKind::RunsCode, ""},
    {"pipes", "*", GlobalKind::RunsCode, ""},
    {"runpy", "*", GlobalKind::RunsCode, ""},
    {"code", "*", GlobalKind::RunsCode, ""},
    {"codeop", "*", GlobalKind::RunsCode, ""},
    {"timeit", "*", GlobalKind::RunsCode, ""},
    {"pdb", "*", GlobalKind::RunsCode, ""},
    {"bdb", "*", GlobalKind::RunsCode, ""},
    {"trace", "*", GlobalKind::RunsCode, ""},
    {"cProfile", "*", GlobalKind::RunsCode, ""},
    {"profile", "*", GlobalKind::RunsCode, ""},
    {"ctypes.", "*", GlobalKind::RunsCode, ""},
    {"_ctypes", "*", GlobalKind::RunsCode, ""},
    {"sys", "*", GlobalKind::RunsCode, ""},
    {"shutil", "*", GlobalKind::RunsCode, ""},
    {"socket", "*", GlobalKind::RunsCode, ""},
    {"_socket", "*", GlobalKind::RunsCode, ""},
    {"webbrowser", "*", GlobalKind::RunsCode, ""},
    {"platform", "popen", GlobalKind::RunsCode, ""},
    {"asyncio.subprocess", "*", GlobalKind::RunsCode, ""},
    {"asyncio", "create_subprocess_*", GlobalKind::RunsCode, ""},
    {"_posixsubprocess", "*", GlobalKind::RunsCode, ""},
    {"pip.", "*", GlobalKind::RunsCode, ""},
    {"torch.hub", "*", GlobalKind::RunsCode, ""},
    {"torch.utils.cpp_extension", "*", GlobalKind::RunsCode, ""},
    {"torch.package.", "*", GlobalKind::NestedLoad, ""},
    {"numpy.", "load", GlobalKind::NestedLoad, ""},
    {"numpy.", "loads", GlobalKind::NestedLoad, ""},
    {"numpy.lib.format", "read_array", GlobalKind::NestedLoad, ""},
    {"joblib.", "load", GlobalKind::NestedLoad, ""},
    {"builtins", "eval", GlobalKind::RunsCode, ""},
    {"builtins", "exec", GlobalKind::RunsCode, ""},
    {"builtins", "execfile", GlobalKind::RunsCode, ""},
    {"builtins", "compile", GlobalKind::RunsCode, ""},
    {"builtins", "open", GlobalKind::OpensFile, ""},
    {"builtins", "input", GlobalKind::RunsCode, ""},
    {"builtins", "breakpoint", GlobalKind::RunsCode, ""},
    {"builtins", "setattr", GlobalKind::AttributeGet, ""},
    {"builtins", "delattr", GlobalKind::AttributeGet, ""},
    {"io", "open", GlobalKind::OpensFile, ""},
    {"_io", "open", GlobalKind::OpensFile, ""},
    {"codecs", "open", GlobalKind::OpensFile, ""},
    {"builtins", "globals", GlobalKind::RunsCode, ""},
    {"builtins", "locals", GlobalKind::RunsCode, ""},
    {"builtins", "vars", GlobalKind::RunsCode, ""},
    {"builtins", "apply", GlobalKind::RunsCode, ""},
    {"builtins", "__import__", GlobalKind::Imports, ""},
    {"builtins", "getattr", GlobalKind::AttributeGet, ""},
    {"operator", "attrgetter", GlobalKind::AttributeGet, ""},
    {"operator", "methodcaller", GlobalKind::AttributeGet, ""},
    {"_operator", "attrgetter", GlobalKind::AttributeGet, ""},
    {"_operator", "methodcaller", GlobalKind::AttributeGet, ""},
    {"importlib", "*", GlobalKind::Imports, ""},
    {"importlib.", "*", GlobalKind::Imports, ""},
    {"imp", "*", GlobalKind::Imports, ""},
    {"pkgutil", "*", GlobalKind::Imports, ""},
    {"pickle", "*", GlobalKind::NestedLoad, ""},
    {"_pickle", "*", GlobalKind::NestedLoad, ""},
    {"dill", "load*", GlobalKind::NestedLoad, ""},
    {"cloudpickle", "load*", GlobalKind::NestedLoad, ""},
    {"joblib", "load", GlobalKind::NestedLoad, ""},
    {"joblib.numpy_pickle", "load", GlobalKind::NestedLoad, ""},
    {"torch", "load", GlobalKind::NestedLoad, ""},
    {"torch.serialization", "load", GlobalKind::NestedLoad, ""},
    {"torch.storage", "_load_from_bytes", GlobalKind::NestedLoad, ""},
    {"torch.jit", "load", GlobalKind::NestedLoad, ""},
    {"numpy", "load", GlobalKind::NestedLoad, ""},
    {"numpy.lib.npyio", "load", GlobalKind::NestedLoad, ""},
    {"numpy.core.multiarray", "_reconstruct", GlobalKind::KnownSafe, ""},
    // Published gadgets inside otherwise trusted libraries (picklescan advisories).
    {"numpy.f2py.", "*", GlobalKind::RunsCode, ""},
    {"numpy.testing.", "*", GlobalKind::RunsCode, ""},
    {"numpy.distutils.", "*", GlobalKind::RunsCode, ""},
    {"torch._inductor.", "*", GlobalKind::RunsCode, ""},
    {"torch._dynamo.", "*", GlobalKind::RunsCode, ""},
    {"torch.fx.experimental.", "*", GlobalKind::RunsCode, ""},
    {"torch.utils.bottleneck.", "*", GlobalKind::RunsCode, ""},
    {"torch.utils.collect_env", "*", GlobalKind::RunsCode, ""},
    {"torch.utils.data.datapipes.", "*", GlobalKind::RunsCode, ""},
    {"torch.utils._config_module", "*", GlobalKind::RunsCode, ""},
    {"torch.jit.unsupported_tensor_ops", "*", GlobalKind::RunsCode, ""},
    {"torch.testing.", "*", GlobalKind::RunsCode, ""},
    // Network clients: a call sends or fetches data while loading.
    {"requests.", "*", GlobalKind::RunsCode, ""},
    {"aiohttp.", "*", GlobalKind::RunsCode, ""},
    {"httpx.", "*", GlobalKind::RunsCode, ""},
    {"urllib3.", "*", GlobalKind::RunsCode, ""},
    {"shelve", "*", GlobalKind::NestedLoad, ""},

    // Pickled Keras models: rebuilt from an embedded .keras zip or SavedModel tar.
    {"keras.saving.pickle_utils", "deserialize_model_from_bytecode", GlobalKind::KerasModel, ""},
    {"keras.src.saving.pickle_utils", "deserialize_model_from_bytecode", GlobalKind::KerasModel,
     ""},
    {"tf_keras.src.saving.pickle_utils", "deserialize_model_from_bytecode", GlobalKind::KerasModel,
     ""},
    {"scikeras._saving_utils", "unpack_keras_model", GlobalKind::KerasModel, ""},
    {"scikeras.", "*", GlobalKind::KnownSafe, ""},

    // Known-safe containers and library reconstructors.
    {"collections", "*", GlobalKind::KnownSafe, ""},
    {"copyreg", "_reconstructor", GlobalKind::KnownSafe, ""},
    {"copyreg", "__newobj__", GlobalKind::KnownSafe, ""},
    {"copyreg", "__newobj_ex__", GlobalKind::KnownSafe, ""},
    {"_codecs", "encode", GlobalKind::KnownSafe, ""},
    {"_io", "BytesIO", GlobalKind::KnownSafe, ""},
    {"_io", "StringIO", GlobalKind::KnownSafe, ""},
    {"io", "StringIO", GlobalKind::KnownSafe, ""},
    {"io", "BytesIO", GlobalKind::KnownSafe, ""},
    {"builtins", "set", GlobalKind::KnownSafe, ""},
    {"builtins", "frozenset", GlobalKind::KnownSafe, ""},
    {"builtins", "list", GlobalKind::KnownSafe, ""},
    {"builtins", "dict", GlobalKind::KnownSafe, ""},
    {"builtins", "tuple", GlobalKind::KnownSafe, ""},
    {"builtins", "bytearray", GlobalKind::KnownSafe, ""},
    {"builtins", "bytes", GlobalKind::KnownSafe, ""},
    {"builtins", "str", GlobalKind::KnownSafe, ""},
    {"builtins", "int", GlobalKind::KnownSafe, ""},
    {"builtins", "float", GlobalKind::KnownSafe, ""},
    {"builtins", "complex", GlobalKind::KnownSafe, ""},
    {"builtins", "bool", GlobalKind::KnownSafe, ""},
    {"builtins", "slice", GlobalKind::KnownSafe, ""},
    {"builtins", "range", GlobalKind::KnownSafe, ""},
    {"builtins", "object", GlobalKind::KnownSafe, ""},
    {"builtins", "NoneType", GlobalKind::KnownSafe, ""},
    {"builtins", "type", GlobalKind::RebuildsCode, "class"},
    {"datetime", "*", GlobalKind::KnownSafe, ""},
    {"decimal", "Decimal", GlobalKind::KnownSafe, ""},
    {"fractions", "Fraction", GlobalKind::KnownSafe, ""},
    {"uuid", "UUID", GlobalKind::KnownSafe, ""},
    {"pathlib", "*", GlobalKind::KnownSafe, ""},
    {"re", "_compile", GlobalKind::KnownSafe, ""},
    {"enum", "*", GlobalKind::KnownSafe, ""},
    {"functools", "partial", GlobalKind::KnownSafe, ""},
    {"numpy.", "*", GlobalKind::KnownSafe, ""},
    {"numpy", "*", GlobalKind::KnownSafe, ""},
    {"torch.", "*", GlobalKind::KnownSafe, ""},
    {"torch", "*", GlobalKind::KnownSafe, ""},
    {"joblib.", "*", GlobalKind::KnownSafe, ""},
    {"sklearn.", "*", GlobalKind::KnownSafe, ""},
    {"scipy.", "*", GlobalKind::KnownSafe, ""},
    {"pandas.", "*", GlobalKind::KnownSafe, ""},
    {"__main__", "*", GlobalKind::MainModule, ""},
};

constexpr std::string_view kDangerousModules[] = {
    "os",           "posix",
    "nt",           "subprocess",
    "pty",          "runpy",
    "code",         "ctypes",
    "sys",          "shutil",
    "socket",       "webbrowser",
    "marshal",      "importlib",
    "pickle",       "_pickle",
    "builtins",     "timeit",
    "pdb",          "commands",
    "pipes",        "_posixsubprocess",
    "pip",          "ensurepip",
    "asyncio",      "pydoc",
    "profile",      "cProfile",
    "trace",        "imaplib",
    "_aix_support", "_osx_support",
    "_pyrepl",      "test",
    "idlelib",      "lib2to3",
    "doctest",      "distutils",
    "urllib",       "http",
    "ftplib",       "smtplib",
    "telnetlib",    "poplib",
    "nntplib",      "multiprocessing",
    "_ctypes",      "pkgutil",
    "zipimport",    "shelve",
};

constexpr std::string_view kDangerousAttributes[] = {
    "system",    "popen",           "eval",         "exec",
    "execfile",  "compile",         "__import__",   "import_module",
    "spawnl",    "spawnv",          "execv",        "execve",
    "execl",     "execlp",          "execvp",       "run",
    "call",      "check_call",      "check_output", "Popen",
    "getoutput", "getstatusoutput", "load",         "loads",
    "open",      "__globals__",     "__builtins__", "__subclasses__",
    "__code__",  "__reduce__",      "rmtree",       "remove",
    "unlink",    "startfile",       "fork",         "kill",
};

}  // namespace

GlobalRule classifyGlobal(std::string_view module, std::string_view name) {
    // TorchScript classes compiled from the archive's code/ folder (torch.jit.save): no Python
    // module of that name exists, so a plain unpickler fails to import it and runs nothing.
    if (module == "__torch__" || module.rfind("__torch__.", 0) == 0) {
        return {GlobalKind::KnownSafe, {}};
    }
    for (const auto& e : kTable) {
        if (matches(e.module, module) && matches(e.name, name)) {
            return {e.kind, e.what};
        }
    }
    return {GlobalKind::UserCode, {}};
}

bool isDangerousModule(std::string_view module) {
    const auto top = module.substr(0, module.find('.'));
    for (const auto m : kDangerousModules) {
        if (m == top || m == module) {
            return true;
        }
    }
    return false;
}

bool isDangerousAttribute(std::string_view name) {
    for (const auto a : kDangerousAttributes) {
        if (a == name) {
            return true;
        }
    }
    return false;
}

}  // namespace ckpt::core
