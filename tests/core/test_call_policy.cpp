// The allow-list side of the validator and the symbolic call resolver, on small pickles built
// as bytes here (never loaded by Python).

#include <QtTest>

#include "core/io/byte_source.h"
#include "core/pickle/machine.h"
#include "core/pickle/value_graph.h"
#include "core/validate/call_policy.h"
#include "core/validate/call_resolver.h"
#include "core/validate/pickle_scan.h"

using namespace ckpt::core;

namespace {

std::string global(const std::string& module, const std::string& name) {
    return "c" + module + "\n" + name + "\n";
}

std::string str(const std::string& s) {
    return "\x8c" + std::string(1, static_cast<char>(s.size())) + s;
}

/// func(args...) as REDUCE over a MARK ... TUPLE.
std::string call(const std::string& func, const std::string& args) {
    return func + "(" + args + "tR";
}

struct Loaded {
    std::unique_ptr<pickle::Machine> machine;
    pickle::ValueId root = pickle::kNoValue;
};

Loaded load(const std::string& body) {
    const std::string bytes = "\x80\x04" + body + ".";
    std::vector<std::byte> data(bytes.size());
    std::memcpy(data.data(), bytes.data(), bytes.size());
    Loaded l;
    l.machine = std::make_unique<pickle::Machine>(
        std::make_shared<MemorySource>(std::move(data), "test.pkl"));
    l.root = l.machine->load().root;
    return l;
}

bool hasRule(const std::vector<Finding>& fs, const std::string& rule) {
    return std::any_of(fs.begin(), fs.end(), [&](const Finding& f) { return f.rule == rule; });
}

}  // namespace

class TestCallPolicy : public QObject {
    Q_OBJECT

private slots:
    void stdlibModules() {
        QVERIFY(isStdlibModule("imaplib"));
        QVERIFY(isStdlibModule("_pyrepl.pager"));
        QVERIFY(isStdlibModule("test.support.script_helper"));
        QVERIFY(isStdlibModule("urllib.request"));
        QVERIFY(!isStdlibModule("numpy"));
        QVERIFY(!isStdlibModule("torch.nn"));
        QVERIFY(!isStdlibModule("imaplibx"));
    }

    void harmlessCallables() {
        QVERIFY(isHarmlessStdlibCallable("collections", "OrderedDict"));
        QVERIFY(isHarmlessStdlibCallable("pathlib", "PurePosixPath"));
        QVERIFY(isHarmlessStdlibCallable("builtins", "ValueError"));
        QVERIFY(!isHarmlessStdlibCallable("uuid", "_get_command_stdout"));
        QVERIFY(!isHarmlessStdlibCallable("logging", "FileHandler"));
        QVERIFY(!isHarmlessStdlibCallable("builtins", "eval"));
        QVERIFY(!isHarmlessStdlibCallable("functools", "partial"));
    }

    void getattrChainResolvesToItsTarget() {
        const auto l =
            load(call(global("builtins", "getattr"),
                      call(global("importlib", "import_module"), str("os")) + str("system")));
        const auto name = resolveDottedName(l.machine->graph(), l.root);
        QVERIFY(name.has_value());
        QCOMPARE(*name, std::string("os.system"));
    }

    void resolveNameTakesModuleColonAttribute() {
        const auto l = load(call(global("pkgutil", "resolve_name"), str("imaplib:IMAP4")));
        QCOMPARE(resolveDottedName(l.machine->graph(), l.root).value_or(""),
                 std::string("imaplib.IMAP4"));
    }

    void partialOfAnAllowListedTargetIsClean() {
        const auto l = load(call(call(global("functools", "partial"), global("math", "sqrt")), ""));
        const auto fs = scanPickleGraph(l.machine->graph(), {l.root});
        QVERIFY(!hasRule(fs, "CKPT-S007"));
        QVERIFY(!hasRule(fs, "CKPT-S004"));
    }

    void partialOfAGadgetIsAnError() {
        const auto l =
            load(call(call(global("functools", "partial"), global("_osx_support", "_read_output")),
                      str("id")));
        const auto fs = scanPickleGraph(l.machine->graph(), {l.root});
        QVERIFY(hasRule(fs, "CKPT-S007"));
    }

    void methodOfAnAllowListedClassIsClean() {
        const auto l = load(call(call(global("builtins", "getattr"),
                                      global("datetime", "datetime") + str("fromisoformat")),
                                 str("2024-01-01")));
        const auto fs = scanPickleGraph(l.machine->graph(), {l.root});
        QVERIFY(!hasRule(fs, "CKPT-S007"));
    }

    void newobjOfAPlainStdlibClassIsOnlyInfo() {
        // cls.__new__(cls) runs no constructor, and BUILD on a class without __setstate__ only
        // fills __dict__ (how an argparse.ArgumentParser is saved).
        for (const char* tail : {")\x81", ")\x81}b"}) {
            const auto l = load(global("argparse", "ArgumentParser") + tail);
            const auto fs = scanPickleGraph(l.machine->graph(), {l.root});
            QVERIFY(!hasRule(fs, "CKPT-S007"));
            QVERIFY(hasRule(fs, "CKPT-P003"));
        }
        // Calling the same class (OBJ) runs its constructor: an error.
        const auto called = load("(" + global("logging", "FileHandler") + str("/tmp/x") + "o");
        QVERIFY(hasRule(scanPickleGraph(called.machine->graph(), {called.root}), "CKPT-S007"));
        // BUILD on an object of a module dangerous to import reaches its __setstate__.
        const auto built =
            load(global("asyncio.unix_events", "_UnixSelectorEventLoop") + ")\x81}b");
        QVERIFY(hasRule(scanPickleGraph(built.machine->graph(), {built.root}), "CKPT-S007"));
    }

    void computedStackGlobalIsKeptNotRefused() {
        const auto l = load(
            call(call(global("builtins", "str"), str("os")) + str("system") + "\x93", str("id")));
        const auto& g = l.machine->graph();
        bool computed = false;
        for (pickle::ValueId id = 0; id < g.size(); ++id) {
            computed = computed || (g[id].kind == pickle::ValueKind::Global &&
                                    g[id].has(pickle::ValueFlag::ComputedName));
        }
        QVERIFY(computed);
        QVERIFY(hasRule(scanPickleGraph(g, {l.root}), "CKPT-S006"));
    }
};

QTEST_GUILESS_MAIN(TestCallPolicy)
#include "test_call_policy.moc"
