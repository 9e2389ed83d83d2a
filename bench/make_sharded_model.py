#!/usr/bin/env python3
"""Writes a sharded safetensors model shaped like Llama-3-70B (bf16, 80 layers, about 141 GB)
as 30 sparse shards with real headers, plus model.safetensors.index.json, into OUT_DIR.

The shards are sparse files: each holds its header and claims its full size, so they take
almost no disk space while every size, offset and header is what a real download has.

    bench/make_sharded_model.py OUT_DIR [--shards 30]
"""
import argparse
import json
import os
import struct

HIDDEN, INTER, LAYERS, VOCAB, KV = 8192, 28672, 80, 128256, 1024


def tensors():
    yield "model.embed_tokens.weight", [VOCAB, HIDDEN]
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        yield p + "input_layernorm.weight", [HIDDEN]
        yield p + "self_attn.q_proj.weight", [HIDDEN, HIDDEN]
        yield p + "self_attn.k_proj.weight", [KV, HIDDEN]
        yield p + "self_attn.v_proj.weight", [KV, HIDDEN]
        yield p + "self_attn.o_proj.weight", [HIDDEN, HIDDEN]
        yield p + "post_attention_layernorm.weight", [HIDDEN]
        yield p + "mlp.gate_proj.weight", [INTER, HIDDEN]
        yield p + "mlp.up_proj.weight", [INTER, HIDDEN]
        yield p + "mlp.down_proj.weight", [HIDDEN, INTER]
    yield "model.norm.weight", [HIDDEN]
    yield "lm_head.weight", [VOCAB, HIDDEN]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--shards", type=int, default=30)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    items = [(n, s, 2 * s[0] * (s[1] if len(s) > 1 else 1)) for n, s in tensors()]
    total = sum(b for _, _, b in items)
    per = -(-total // a.shards)
    shards, cur, size = [], [], 0
    for it in items:
        if cur and size + it[2] > per and len(shards) < a.shards - 1:
            shards.append(cur)
            cur, size = [], 0
        cur.append(it)
        size += it[2]
    shards.append(cur)
    n = len(shards)
    weight_map = {}
    for k, part in enumerate(shards):
        name = f"model-{k + 1:05d}-of-{n:05d}.safetensors"
        header, off = {"__metadata__": {"format": "pt"}}, 0
        for t, shape, nbytes in part:
            header[t] = {"dtype": "BF16", "shape": shape, "data_offsets": [off, off + nbytes]}
            weight_map[t] = name
            off += nbytes
        h = json.dumps(header, separators=(",", ":")).encode()
        h += b" " * (-len(h) % 8)
        path = os.path.join(a.out, name)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h)
            f.truncate(8 + len(h) + off)
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    print(f"{n} shards, {len(items)} tensors, {total / 1e9:.1f} GB (sparse) in {a.out}")


if __name__ == "__main__":
    main()
