// Prints what the npm package @huggingface/gguf sees in a GGUF file, as JSON, for
// test_gguf_npm.cpp: version, metadata (typed), tensor infos and the data offset.
//   node gguf_npm_dump.mjs NODE_MODULES_DIR FILE
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, file] = process.argv.slice(2);
const entry = path.join(modules, "@huggingface", "gguf", "dist", "index.mjs");
const { gguf } = await import(pathToFileURL(entry).href);
const out = await gguf(path.resolve(file), { allowLocalFile: true, typedMetadata: true });

// bigints become decimal strings; everything else stays as JSON has it.
const plain = (v) =>
  typeof v === "bigint" ? v.toString() : Array.isArray(v) ? v.map(plain) : v;
const metadata = {};
for (const [key, entry] of Object.entries(out.typedMetadata)) {
  if (key === "version" || key === "tensor_count" || key === "kv_count") continue;
  metadata[key] = { type: entry.type, subType: entry.subType, value: plain(entry.value) };
}
const tensors = out.tensorInfos.map((t) => ({
  name: t.name,
  n_dims: t.n_dims,
  shape: plain(t.shape),
  dtype: t.dtype,
  offset: plain(t.offset),
}));
process.stdout.write(
  JSON.stringify({
    version: out.metadata.version,
    tensor_count: plain(out.metadata.tensor_count),
    kv_count: plain(out.metadata.kv_count),
    tensor_data_offset: plain(out.tensorDataOffset),
    metadata,
    tensors,
  }),
);
