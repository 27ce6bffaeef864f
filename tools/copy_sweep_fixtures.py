#!/usr/bin/env python3
"""Copies the default-config sweep (what the real accelerate computed for AutoModel built from each model type's
default config) into tests/data/sweep/transformers_defaults/<type>/, keeping only what the sweep test compares.

    python3 tools/copy_sweep_fixtures.py /work/shared/fixtures/sweep/transformers_defaults

A case whose real build ran out of memory but was re-run on the meta device ("meta_fallback") counts as ok with the
fallback's numbers. `after_tie_weights` is the model after tie_weights(): where it differs, this accelerate +
transformers 5 combination counted intended ties twice (accelerate issue #3668) and the tie-honoured numbers are the
truth, as for tests/data/results. Error cases are not copied (accelerate itself cannot estimate them).
"""
import json
import os
import shutil
import sys

KEEP = ["model", "status", "class", "param_count", "buffers_bytes", "total_size_bytes", "largest_layer_bytes",
        "largest_layer_names", "no_split_modules", "module_sizes_top", "after_tie_weights"]


def main(src, dst):
    n = 0
    for t in sorted(os.listdir(src)):
        with open(os.path.join(src, t, "result.json")) as f:
            r = json.load(f)
        if r.get("status") == "too_much_memory" and isinstance(r.get("meta_fallback"), dict):
            r = {**r, **r["meta_fallback"], "model": r["model"]}
        if r.get("status") != "ok":
            continue
        out = os.path.join(dst, t)
        os.makedirs(out, exist_ok=True)
        shutil.copyfile(os.path.join(src, t, "config.json"), os.path.join(out, "config.json"))
        with open(os.path.join(out, "result.json"), "w") as f:
            json.dump({k: r[k] for k in KEEP if k in r}, f, indent=1)
            f.write("\n")
        n += 1
    print(f"{n} ok cases copied to {dst}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else
         os.path.join(here, "..", "tests", "data", "sweep", "transformers_defaults"))
