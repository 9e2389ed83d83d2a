// dill writes numpy arrays inside its own objects as `dill._dill._create_array(_reconstruct,
// args, state, npdict)`, not numpy's own reduce. Those arrays must show as tensors with the
// values numpy holds (a file made at test time by Debian's dill; never loaded by the product).

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <vector>

#include "common/test_support.h"
#include "core/formats/registry.h"
#include "core/model/checkpoint.h"
#include "core/model/node.h"
#include "core/model/tensor.h"

using namespace ckpt::core;

namespace {

constexpr const char* kScript = R"py(
import sys
try:
    import dill, numpy as np
except ImportError as e:
    print("skip:", e); sys.exit(0)
import threading
class Holder:  # a __main__ class: dill stores it by value and its arrays with _create_array
    pass
h = Holder()
h.w = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5
h.f = np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3))
h.nested = {"b": np.array([1.5, -2.0, 3.25])}
h.lock = threading.Lock()
data = dill.dumps(h, protocol=4)
assert b"_create_array" in data, "this dill does not use _create_array"
open(sys.argv[1], "wb").write(data)
print("ok")
)py";

template <typename T>
std::vector<T> values(const Checkpoint& c, const std::string& path) {
    const Node* n = c.findTensor(path);
    if (n == nullptr || !n->tensor()) {
        return {};
    }
    std::vector<T> out(n->tensor()->numel());
    n->tensor()->readRaw(0, out.size(), reinterpret_cast<std::byte*>(out.data()));
    return out;
}

}  // namespace

class TestDillArrays : public QObject {
    Q_OBJECT

private slots:
    void arraysInADillObjectAreTensors() {
        QTemporaryDir tmp;
        const QString file = tmp.filePath("holder.pkl");
        const auto r =
            ckpt::test::run(ckpt::test::systemPython(), {"-c", QString::fromUtf8(kScript), file});
        if (r.exitCode != 0) {
            QSKIP(qPrintable("/usr/bin/python3 failed: " + r.err));
        }
        if (r.out.startsWith("skip")) {
            QSKIP(r.out.constData());
        }
        const auto c = openCheckpoint(file.toStdString());
        QCOMPARE(c->tensorNodes().size(), std::size_t{3});

        const auto w = values<float>(*c, "w");
        QCOMPARE(w.size(), std::size_t{12});
        for (std::size_t i = 0; i < w.size(); ++i) {
            QCOMPARE(w[i], static_cast<float>(i) * 0.5f);
        }
        QCOMPARE(c->findTensor("w")->tensor()->shape(), (std::vector<std::uint64_t>{3, 4}));

        const auto b = values<double>(*c, "nested/b");
        QCOMPARE(b, (std::vector<double>{1.5, -2.0, 3.25}));

        // Fortran order: the tensor knows it; its logical shape is numpy's.
        const Node* f = c->findTensor("f");
        QVERIFY(f != nullptr && f->tensor());
        QCOMPARE(f->tensor()->shape(), (std::vector<std::uint64_t>{2, 3}));
    }
};

QTEST_GUILESS_MAIN(TestDillArrays)
#include "test_dill_arrays.moc"
