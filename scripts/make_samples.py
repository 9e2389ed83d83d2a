#!/usr/bin/python3
"""Writes the sample checkpoints bundled with the app (resources/samples/).

    /usr/bin/python3 scripts/make_samples.py [OUT_DIR]

- mnist_mlp.h5              tf.keras 2.15 model.save("mnist_mlp.h5"): 784-16-10 MLP with Adam
                            state (legacy HDF5 full model, h5py 3 variable-length names).
- churn_classifier.keras    Keras 3.10 model.save(): bank-churn Sequential, Adam state.
- sentiment_lstm.weights.h5 Keras 3.10 model.save_weights(): Embedding + LSTM + Dense, with
                            the LSTM cell's variables under layers/lstm/cell/vars.

The files are written the way Keras writes them (tests/fixtures/keras/keras_emul.py) with
plausible trained values: Glorot-uniform kernels that drifted a little, small biases, and for
MNIST the untouched border pixels keep their initial weights (their input is always 0).
Needs Debian's /usr/bin/python3 (h5py, numpy). Deterministic.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures", "keras"))

import keras_emul as ke  # noqa: E402
import reference_reader as rr  # noqa: E402
from keras_emul import Layer, LegacyStyle, VarsEntry, Weight  # noqa: E402


def mnist_mlp(path):
    rng = np.random.default_rng(20240611)
    ver = "2.15.0"
    # first layer: pixels that are always 0 in MNIST (a 4-pixel border) never get a gradient
    limit = np.sqrt(6.0 / (784 + 16))
    k0 = rng.uniform(-limit, limit, (784, 16))
    yy, xx = np.divmod(np.arange(784), 28)
    inner = (yy >= 4) & (yy < 24) & (xx >= 4) & (xx < 24)
    stroke = np.exp(-(((yy - 14) / 7.0) ** 2 + ((xx - 14) / 6.0) ** 2))
    k0[inner] += rng.normal(0, 0.06, (inner.sum(), 16)) * stroke[inner, None]
    k0 = k0.astype(np.float32)
    b0 = rng.normal(0.05, 0.08, 16).astype(np.float32)
    k1 = ke.glorot_uniform(rng, (16, 10)) * np.float32(1.8)
    b1 = rng.normal(0.0, 0.1, 10).astype(np.float32)

    def dense_cfg(name, units, act):
        return ke.tfk_dense_config(name, units, act, with_module=True)

    layers = [
        Layer("pixels", "InputLayer", {"class_name": "InputLayer", "config": {
            "batch_input_shape": [None, 784], "dtype": "float32", "sparse": False,
            "ragged": False, "name": "pixels"}}, in_model_layers=False),
        Layer("hidden", "Dense", {"class_name": "Dense", "config": dense_cfg("hidden", 16,
                                                                             "relu")},
              [Weight("hidden/kernel:0", k0), Weight("hidden/bias:0", b0)]),
        Layer("dropout", "Dropout", {"class_name": "Dropout", "config": {
            "name": "dropout", "trainable": True, "dtype": "float32", "rate": 0.2,
            "noise_shape": None, "seed": None}}),
        Layer("digits", "Dense", {"class_name": "Dense", "config": dense_cfg("digits", 10,
                                                                             "softmax")},
              [Weight("digits/kernel:0", k1), Weight("digits/bias:0", b1)]),
    ]
    model_config = {"class_name": "Sequential", "config": {
        "name": "mnist_mlp", "layers": [l.config for l in layers]}}
    training_config = {
        "loss": {"module": "keras.losses", "class_name": "SparseCategoricalCrossentropy",
                 "config": {"reduction": "auto", "name": "sparse_categorical_crossentropy",
                            "from_logits": False, "ignore_class": None},
                 "registered_name": None},
        "metrics": [[{"module": "keras.metrics", "class_name": "MeanMetricWrapper",
                      "config": {"name": "accuracy", "dtype": "float32",
                                 "fn": "sparse_categorical_accuracy"},
                      "registered_name": None}]],
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"module": "keras.optimizers", "class_name": "Adam", "config": {
            "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
            "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
            "ema_overwrite_frequency": None, "jit_compile": False,
            "is_legacy_optimizer": False, "learning_rate": 0.0010000000474974513,
            "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False},
            "registered_name": None}}
    opt = [Weight("iteration:0", np.array(9380, dtype=np.int64))]   # 10 epochs x 938 steps
    for w in (w for l in layers for w in l.weights):
        var = w.name.rsplit(":", 1)[0]
        m = (rng.normal(0, 2e-4, w.value.shape)).astype(np.float32)
        v = (rng.normal(0, 3e-4, w.value.shape) ** 2 + 1e-9).astype(np.float32)
        if w.name == "hidden/kernel:0":        # dead border pixels: zero moments
            m[~inner] = 0
            v[~inner] = 0
        opt += [Weight(f"Adam/m/{var}:0", m), Weight(f"Adam/v/{var}:0", v)]
    ke.write_legacy_model(
        path, style=LegacyStyle(ke.H5PY3, keras_version=ver, top_level_group=True),
        layers=layers, optimizer=opt,
        pre_attrs=[("keras_version", ver), ("backend", "tensorflow"),
                   ("model_config", ke.json_bytes(model_config)),
                   ("training_config", ke.json_bytes(training_config))])


def churn_classifier(path):
    rng = np.random.default_rng(20250514)
    ver = "3.10.0"
    shared = 140118262474512
    pol = ke.k3_policy(shared_id=shared)
    spec = [("dense", 11, 16, "relu"), ("dropout", 16, 0, None), ("dense_1", 16, 8, "relu"),
            ("dense_2", 8, 1, "sigmoid")]
    layers = [Layer("input_layer", "InputLayer", ke.k3_obj("keras.layers", "InputLayer", {
        "batch_shape": [None, 11], "dtype": "float32", "sparse": False, "ragged": False,
        "name": "input_layer", "optional": False}), in_model_layers=False)]
    for name, i, o, act in spec:
        if o == 0:
            layers.append(Layer(name, "Dropout", ke.k3_obj(
                "keras.layers", "Dropout", ke.k3_dropout_config(name, 0.2, pol),
                build_config={"input_shape": [None, i]}), [], vars_group=f"layers/{name}"))
            continue
        k = ke.glorot_uniform(rng, (i, o))
        b = rng.normal(0.02, 0.05, o).astype(np.float32)
        layers.append(Layer(name, "Dense", ke.k3_obj(
            "keras.layers", "Dense", ke.k3_dense_config(name, o, act, pol, quantization=True),
            build_config={"input_shape": [None, i]}),
            [Weight("kernel", k), Weight("bias", b)], vars_group=f"layers/{name}"))
    config = ke.k3_obj("keras", "Sequential", {
        "name": "churn_classifier", "trainable": True, "dtype": pol,
        "layers": [l.config for l in layers], "build_input_shape": [None, 11]},
        build_config={"input_shape": [None, 11]},
        compile_config={"optimizer": ke.k3_obj("keras.optimizers", "Adam",
                                               ke.k3_adam_config()),
                        "loss": "binary_crossentropy", "loss_weights": None,
                        "metrics": ["accuracy"], "weighted_metrics": None,
                        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False})
    opt = [Weight("iteration", np.array(2500, dtype=np.int64)),
           Weight("learning_rate", np.array(0.001, dtype=np.float32))]
    for w in (w for l in layers for w in l.weights):
        opt += [Weight("m", ke.adam_m(rng, w.value)), Weight("v", ke.adam_v(rng, w.value))]
    entries = [VarsEntry("", [], "churn_classifier")]
    entries += [VarsEntry(l.vars_group, l.weights, l.name) for l in layers if l.vars_group]
    entries.append(VarsEntry("optimizer", opt, "adam"))
    ke.write_keras_zip(path, metadata_json=json.dumps(
        {"keras_version": ver, "date_saved": "2025-05-14@10:12:33"}),
        config_json=json.dumps(config), weights_h5=ke.vars_h5_bytes(entries),
        weights_date_time=(2025, 5, 14, 10, 12, 32))


def sentiment_lstm(path):
    rng = np.random.default_rng(20250602)
    vocab, dim, units = 300, 8, 16
    emb = rng.normal(0, 0.05, (vocab, dim)).astype(np.float32)
    emb[0] = 0.0                                   # padding token, rarely updated
    emb[1:60] += rng.normal(0, 0.12, (59, dim)).astype(np.float32)   # frequent words moved
    kernel = ke.glorot_uniform(rng, (dim, 4 * units))
    q, _ = np.linalg.qr(rng.normal(size=(4 * units, 4 * units)))
    recurrent = (q[:units, :] + rng.normal(0, 0.02, (units, 4 * units))).astype(np.float32)
    bias = np.zeros(4 * units, np.float32)
    bias[units:2 * units] = 1.0                    # unit_forget_bias: i, f, c, o gate order
    bias += rng.normal(0, 0.03, 4 * units).astype(np.float32)
    dk = ke.glorot_uniform(rng, (units, 1))
    db = np.array([-0.08], np.float32)
    groups = [
        ("layers/embedding", "embedding", [Weight("embeddings", emb)]),
        ("layers/lstm", "lstm", []),
        ("layers/lstm/cell", "lstm_cell", [Weight("kernel", kernel),
                                           Weight("recurrent_kernel", recurrent),
                                           Weight("bias", bias)]),
        ("layers/dense", "dense", [Weight("kernel", dk), Weight("bias", db)]),
    ]
    trainable = [w for _, _, ws in groups for w in ws]
    opt = [Weight("iteration", np.array(1560, dtype=np.int64)),
           Weight("learning_rate", np.array(0.002, dtype=np.float32))]
    for w in trainable:
        opt += [Weight("m", ke.adam_m(rng, w.value)), Weight("v", ke.adam_v(rng, w.value))]
    entries = [VarsEntry("", [], "sentiment_lstm")]
    entries += [VarsEntry(p, ws, n) for p, n, ws in groups]
    entries.append(VarsEntry("optimizer", opt, "adam"))
    ke.write_vars_h5(path, entries)


SAMPLES = [("mnist_mlp.h5", mnist_mlp), ("churn_classifier.keras", churn_classifier),
           ("sentiment_lstm.weights.h5", sentiment_lstm)]


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(ROOT, "resources", "samples")
    os.makedirs(out, exist_ok=True)
    total = 0
    for name, fn in SAMPLES:
        p = os.path.join(out, name)
        if os.path.exists(p):
            os.remove(p)
        fn(p)
        d = rr.describe(p)
        size = os.path.getsize(p)
        total += size
        print(f"{name:28s} {size:7d} bytes  {d['format']:18s} {len(d['tensors']):3d} tensors "
              f"{d['total_params']:6d} params")
    assert total < 300 * 1024, total
    print(f"total {total} bytes")


if __name__ == "__main__":
    main(sys.argv)
