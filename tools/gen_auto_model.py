#!/usr/bin/env python3
"""Reads transformers' AutoModel mapping statically (Python's `ast`; transformers is never imported or run) and writes
data/transformers_auto_model.json: {"source": ..., "auto_model": {model_type: class}}, the keys and values of
MODEL_MAPPING_NAMES in models/auto/modeling_auto.py. A model type that is not a key there has no AutoModel class:
`AutoModel.from_config` raises "Unrecognized configuration class", so `accelerate estimate-memory` cannot estimate
it (memfit refuses it the same way; the config's `architectures` or --task-model still name a class to build).

    git --git-dir=/work/.mirror/zucchini-nlp+transformers/repo show \
        2b296305:src/transformers/models/auto/modeling_auto.py > /tmp/modeling_auto.py
    python3 tools/gen_auto_model.py /tmp/modeling_auto.py "zucchini-nlp/transformers 2b296305" \
        > data/transformers_auto_model.json
"""
import ast
import json
import sys


def mapping_names(path, name="MODEL_MAPPING_NAMES"):
    tree = ast.parse(open(path).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            pairs = node.value.args[0].elts  # OrderedDict([(model_type, class or (classes...)), ...])
            value = lambda v: v.elts[0].value if isinstance(v, ast.Tuple) else v.value  # the first class of a tuple
            return {p.elts[0].value: value(p.elts[1]) for p in pairs}
    raise SystemExit(f"{path}: no {name}")


def main():
    path, source = sys.argv[1], sys.argv[2]
    auto = mapping_names(path)
    # One entry a line, so that a run finds its model type with a plain text search (no JSON parse at start-up).
    lines = ",\n".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(auto.items()))
    print('{"source":' + json.dumps(source) + ',\n"auto_model":{\n' + lines + "\n}}")


if __name__ == "__main__":
    main()
