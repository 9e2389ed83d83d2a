#include "app/cli/commands.h"

namespace ckpt::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table{
        {"info", "format, metadata, layer summary with parameter counts, tensors",
         "Usage: ckpt info FILE [--json]\n\n"
         "Shows what a checkpoint holds without running any of it: the format, metadata\n"
         "(Keras version, backend, optimizer), a layer table like Keras's model.summary()\n"
         "with parameter counts, and every tensor with its dtype and shape.\n\n"
         "Options:\n"
         "  --json     print one JSON object: format, metadata, layers [{name, class_name,\n"
         "             params, trainable_params, non_trainable_params, weights}], total_params,\n"
         "             tensors [{path, dtype, shape, nbytes}], warnings\n"
         "  --all      list every tensor in the text output (default: the first 40)\n\n"
         "Exit codes: 0 ok, 2 the file cannot be read (the message names the file, the\n"
         "format tried and where it failed).\n\n"
         "Example:\n  ckpt info model.h5\n  ckpt info --json model.keras | jq '.layers[].name'\n",
         runInfo},
        {"tensors", "every tensor: path, dtype, shape, size",
         "Usage: ckpt tensors FILE [--json]\n\n"
         "Lists every tensor (HDF5 dataset, archive member array, ...) with its dtype,\n"
         "shape, size and where its bytes are stored.\n\n"
         "Options:\n"
         "  --json     print a JSON array of {path, dtype, shape, nbytes, storage}\n\n"
         "Exit codes: 0 ok, 2 unreadable input.\n",
         runTensors},
        {"stats", "statistics and histogram of one tensor",
         "Usage: ckpt stats FILE TENSOR_PATH [--json] [--bins N]\n\n"
         "Reads one tensor in bounded chunks (memory does not grow with its size) and\n"
         "prints min, max, mean, std, the counts of zeros, NaN and Inf, and a histogram.\n"
         "TENSOR_PATH is a path from 'ckpt tensors FILE'.\n\n"
         "Options:\n"
         "  --json     print {path, dtype, shape, count, finite, zeros, nans, pos_inf,\n"
         "             neg_inf, min, max, mean, std, histogram: {lo, hi, counts}}\n"
         "  --bins N   histogram bins (default: chosen from the data)\n\n"
         "Exit codes: 0 ok, 2 unreadable input or unknown tensor path.\n\n"
         "Example:\n  ckpt stats model.h5 model_weights/dense/dense/kernel:0\n",
         runStats},
        {"validate", "unserializable members, non-portable content, code that runs on load",
         "Usage: ckpt validate FILE... [--format text|json|sarif] [--fail-on error|warning|info]\n"
         "                     [--no-data]\n\n"
         "Reads each file without running it and reports, by category:\n"
         "  unserializable  locks, RLocks, conditions, queues, thread-locals, open files...\n"
         "                  that plain pickle refuses (\"cannot pickle '_thread.RLock' object\"),\n"
         "                  named by member path (<root>.jobs.mutex) and owner class\n"
         "  portability     code rebuilt by dill/cloudpickle, __main__ classes, modules the\n"
         "                  loader must import, Keras Lambda and custom layers, pickled models\n"
         "  security        globals that run code on load (os.system, eval, subprocess,\n"
         "                  nested loads, getattr chains), however they are spelled\n"
         "  integrity       NaN/Inf in weights, weights that disagree with the config\n"
         "Every finding has a rule id (docs/rules.md), a severity, the member path, the global\n"
         "and its byte offset, what plain pickle would do, and advice.\n\n"
         "Options:\n"
         "  --format F     text (default), json ({findings, summary}) or sarif (SARIF 2.1.0,\n"
         "                 for code-scanning upload)\n"
         "  --json         same as --format json\n"
         "  --fail-on S    exit 1 when a finding is at least this severe (default: error)\n"
         "  --no-data      skip reading tensor data (no NaN/Inf check; metadata only)\n\n"
         "Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 a file cannot be read.\n\n"
         "Examples:\n  ckpt validate downloaded_model.pkl\n"
         "  ckpt validate --format sarif models/*.pt > ckpt.sarif\n",
         runValidate},
        {"diff", "compare two checkpoints: config changes and per-tensor metrics",
         "Usage: ckpt diff A B [--json] [--atol X] [--rtol Y] [--map OLD=NEW]... [--only-changed]\n"
         "                 [--top N]\n\n"
         "Compares two checkpoints without running them: the architecture layer by layer\n"
         "(added, removed, renamed layers; changed fields with their JSON path, old -> new),\n"
         "the training config (optimizer, loss), and every pair of tensors, read in bounded\n"
         "chunks (memory does not grow with the files). A and B may be of different formats:\n"
         "a Keras .h5 against its .keras or .weights.h5, safetensors against npz, ...\n\n"
         "Pairing: a Keras weight is keyed <layer>/<index> whatever the layout\n"
         "(model_weights/dense/dense/kernel:0 pairs with layers/dense/vars/0); other tensors\n"
         "by path, ignoring ':0' suffixes, 'module.' prefixes, wrapper groups (state_dict/,\n"
         "model_weights/) and archive member names; renamed layers by class and weight\n"
         "shapes; what is left by order and shape.\n\n"
         "Per pair (values as float64; A is the reference):\n"
         "  rel_l2      ||a-b|| / ||a||   (0 when both are 0)\n"
         "  max|a-b|    largest absolute difference; mean|a-b| and rms: its mean and RMS\n"
         "  cosine      a.b / (||a|| ||b||)\n"
         "  mismatched  elements with |a-b| > atol + rtol*|b|, as numpy.allclose; NaN against\n"
         "              NaN and the same infinity on both sides are equal, any other NaN or\n"
         "              Inf pair is a mismatch (and is left out of the other metrics)\n"
         "Status: equal (every element within tolerance; 'identical' when bitwise equal),\n"
         "changed, shape_changed, dtype_changed (values still compared), added (only in B),\n"
         "removed (only in A).\n\n"
         "Options:\n"
         "  --json          print {a, b, tolerance, config: {changes: [{kind, path, layer,\n"
         "                  old, new}]}, tensors: [{key, a_path, b_path, status, numel,\n"
         "                  max_abs_diff, mean_abs_diff, rms_diff, rel_l2, cosine, mismatched,\n"
         "                  ...}], layers, summary, notes}\n"
         "  --atol X        absolute tolerance (default 1e-8)\n"
         "  --rtol Y        relative tolerance (default 1e-5)\n"
         "  --map OLD=NEW   pair A's tensors or layers whose name starts with OLD with B's\n"
         "                  NEW + the rest; repeatable (--map dense_3=output --map module.=)\n"
         "  --only-changed  leave equal tensors out of the table (and of the JSON list)\n"
         "  --top N         the N rows with the largest rel_l2 (text default 50, 0 = all;\n"
         "                  JSON: all rows in pairing order unless --top is given)\n\n"
         "Exit codes: 0 equal within tolerance, 1 different (a tensor or a config change),\n"
         "2 a file cannot be read (the message names it), 64 bad usage.\n\n"
         "Examples:\n"
         "  ckpt diff model_v1.h5 model_v2.h5\n"
         "  ckpt diff model.h5 model.weights.h5            Keras 2 legacy against Keras 3\n"
         "  ckpt diff --only-changed --top 10 a.safetensors b.safetensors\n"
         "  ckpt diff --json a.h5 b.h5 | jq '.tensors[] | select(.status != \"equal\")'\n"
         "  ckpt diff --atol 1e-3 --rtol 0 old.h5 new.h5 && echo 'within 1e-3'\n",
         runDiff},
        {"export", "write a checkpoint out as safetensors, Keras .h5, .weights.h5 or .keras",
         "Usage: ckpt export IN -o OUT [--format safetensors|keras-h5|weights-h5|keras]\n"
         "                   [--no-optimizer] [--tensors GLOB] [--json]\n\n"
         "Writes IN out in another format without running anything in it. The output is\n"
         "written to a temporary file beside OUT (.OUT.ckpt-tmp-*), flushed to disk, then\n"
         "renamed into place: OUT is either the complete new file or untouched. IN is never\n"
         "modified, and OUT may not be IN. Data is streamed in 8 MiB blocks.\n\n"
         "Formats (default: from OUT's extension):\n"
         "  safetensors  .safetensors, from any checkpoint: numeric tensors named by their\n"
         "               path; string/object tensors are left out and listed\n"
         "  keras-h5     .h5/.hdf5, legacy Keras (model_config, model_weights, layer_names,\n"
         "               weight_names, optimizer_weights), from a Keras source\n"
         "  weights-h5   .weights.h5, Keras 3 layout layers/<class>[_N]/vars/<i>\n"
         "  keras        .keras zip (stored): metadata.json, config.json, model.weights.h5;\n"
         "               a legacy config is copied as it is, not converted (a warning says so)\n"
         "  pickle, bundle: not yet (cleaned pickles and the split bundle come later)\n\n"
         "Options:\n"
         "  -o, --output OUT  the file to write\n"
         "  --format F        one of the formats above\n"
         "  --no-optimizer    leave out the optimizer weights and training config\n"
         "  --tensors GLOB    safetensors: only tensors whose path matches GLOB\n"
         "                    (fnmatch: * ? [..]; * also matches /), e.g. 'model_weights/*'\n"
         "  --json            print {output, format, tensors, data_bytes, file_bytes,\n"
         "                    written [{source, output}], excluded, dropped, warnings}\n\n"
         "Exit codes: 0 written, nothing dropped; 1 written, but something the output format\n"
         "cannot hold was dropped (listed; what --tensors/--no-optimizer leave out does not\n"
         "count); 2 IN cannot be read or OUT cannot be written; 64 bad usage, or an export\n"
         "this source cannot make (e.g. .keras from a weights-only file).\n\n"
         "Examples:\n  ckpt export model.h5 -o model.safetensors\n"
         "  ckpt export model.keras -o model.weights.h5 --no-optimizer\n"
         "  ckpt export old.h5 -o new.keras --json\n",
         runExport},
        {"formats", "the checkpoint formats this build reads",
         "Usage: ckpt formats [--json]\n\nLists the readers, chosen by file content (magic "
         "bytes and structure), never by extension alone.\n",
         runFormats},
    };
    return table;
}

}  // namespace ckpt::cli
