#include "core/validate/call_policy.h"

#include <algorithm>
#include <array>

namespace ckpt::core {
namespace {

// sys.stdlib_module_names of CPython 3.11-3.13, top-level names, sorted (binary search).
// clang-format off
constexpr std::string_view kStdlib[] = {
    "__builtin__", "__future__", "_abc", "_aix_support", "_ast", "_asyncio", "_bisect", "_blake2",
    "_bootlocale", "_bootsubprocess", "_bz2", "_codecs", "_codecs_cn", "_codecs_hk",
    "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_collections",
    "_collections_abc", "_compat_pickle", "_compression", "_contextvars", "_crypt", "_csv",
    "_ctypes", "_curses", "_curses_panel", "_datetime", "_dbm", "_decimal", "_elementtree",
    "_frozen_importlib", "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib",
    "_heapq", "_imp", "_interpreters", "_io", "_json", "_locale", "_lsprof", "_lzma",
    "_markupbase", "_md5", "_msi", "_multibytecodec", "_multiprocessing", "_opcode", "_operator",
    "_osx_support", "_overlapped", "_pickle", "_posixshmem", "_posixsubprocess", "_py_abc",
    "_pydecimal", "_pyio", "_pyrepl", "_queue", "_random", "_remote_debugging", "_scproxy",
    "_sha1", "_sha256", "_sha3", "_sha512", "_signal", "_sitebuiltins", "_socket", "_sqlite3",
    "_sre", "_ssl", "_stat", "_statistics", "_string", "_strptime", "_struct", "_symtable",
    "_testcapi", "_testinternalcapi", "_thread", "_threading_local", "_tkinter", "_tokenize",
    "_tracemalloc", "_typing", "_uuid", "_warnings", "_weakref", "_weakrefset", "_winapi",
    "_xxsubinterpreters", "_zoneinfo", "abc", "aifc", "annotationlib", "antigravity", "argparse",
    "array", "ast", "asynchat", "asyncio", "asyncore", "atexit", "audioop", "base64", "bdb",
    "binascii", "bisect", "builtins", "bz2", "cPickle", "cProfile", "calendar", "cgi", "cgitb",
    "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "commands",
    "compileall", "compression", "concurrent", "configparser", "contextlib", "contextvars",
    "copy", "copy_reg", "copyreg", "crypt", "csv", "ctypes", "curses", "dataclasses", "datetime",
    "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email", "encodings", "ensurepip",
    "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "fractions",
    "ftplib", "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob",
    "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib",
    "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword",
    "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap", "marshal", "math",
    "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis",
    "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os",
    "ossaudiodev", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil", "platform",
    "plistlib", "poplib", "posix", "posixpath", "posixsubprocess", "pprint", "profile", "pstats",
    "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri",
    "random", "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched", "secrets",
    "select", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib",
    "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants",
    "sre_parse", "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess",
    "sunau", "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib",
    "tempfile", "termios", "test", "textwrap", "this", "threading", "time", "timeit", "tkinter",
    "token", "tokenize", "tomllib", "trace", "traceback", "tracemalloc", "tty", "turtle",
    "turtledemo", "types", "typing", "unicodedata", "unittest", "urllib", "uu", "uuid", "venv",
    "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml",
    "xmlrpc", "xxsubtype", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo",
};
// clang-format on

struct Allowed {
    std::string_view module;
    std::string_view name;  ///< exact, "*" for any, or a prefix/suffix pattern with one '*'
};

// Callables whose call only rebuilds a value. Keep it short: each entry is a promise that no
// argument can make it run code, open a file or a socket, or import a module.
constexpr Allowed kHarmless[] = {
    {"collections", "*"},
    {"_collections", "*"},
    {"datetime", "*"},
    {"_datetime", "*"},
    {"decimal", "Decimal"},
    {"decimal", "Context"},
    {"_decimal", "Decimal"},
    {"fractions", "Fraction"},
    {"uuid", "UUID"},
    {"uuid", "SafeUUID"},
    {"pathlib", "*Path"},
    {"copyreg", "_reconstructor"},
    {"copyreg", "__newobj__"},
    {"copyreg", "__newobj_ex__"},
    {"_codecs", "encode"},
    {"codecs", "encode"},
    {"re", "_compile"},
    {"re", "compile"},
    {"enum", "*"},
    {"array", "array"},
    {"array", "_array_reconstructor"},
    {"argparse", "Namespace"},
    {"types", "SimpleNamespace"},
    {"types", "MappingProxyType"},
    {"ipaddress", "*"},
    {"zoneinfo", "ZoneInfo"},
    {"zoneinfo", "ZoneInfo._unpickle"},
    {"statistics", "NormalDist"},
    {"time", "struct_time"},
    {"random", "Random"},
    {"logging", "getLogger"},
    {"operator", "getitem"},
    {"math", "*"},
    {"_io", "BytesIO"},
    {"_io", "StringIO"},
    {"io", "BytesIO"},
    {"io", "StringIO"},
    {"builtins", "set"},
    {"builtins", "frozenset"},
    {"builtins", "list"},
    {"builtins", "dict"},
    {"builtins", "tuple"},
    {"builtins", "bytearray"},
    {"builtins", "bytes"},
    {"builtins", "str"},
    {"builtins", "int"},
    {"builtins", "float"},
    {"builtins", "complex"},
    {"builtins", "bool"},
    {"builtins", "slice"},
    {"builtins", "range"},
    {"builtins", "object"},
    {"builtins", "NoneType"},
    {"builtins", "iter"},
    {"builtins", "reversed"},
    {"builtins", "enumerate"},
    {"builtins", "zip"},
    {"builtins", "property"},
    {"builtins", "staticmethod"},
    {"builtins", "classmethod"},
    {"builtins", "memoryview"},
    {"builtins", "*Error"},
    {"builtins", "*Exception"},
    {"builtins", "*Warning"},
};

bool nameMatches(std::string_view pattern, std::string_view s) {
    if (pattern == "*") {
        return true;
    }
    if (!pattern.empty() && pattern.front() == '*') {
        const auto tail = pattern.substr(1);
        return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
    }
    return pattern == s;
}

}  // namespace

bool isStdlibModule(std::string_view module) {
    const auto top = module.substr(0, module.find('.'));
    return std::binary_search(std::begin(kStdlib), std::end(kStdlib), top);
}

bool isHarmlessStdlibCallable(std::string_view module, std::string_view name) {
    return std::any_of(std::begin(kHarmless), std::end(kHarmless), [&](const Allowed& a) {
        return a.module == module && nameMatches(a.name, name);
    });
}

}  // namespace ckpt::core
