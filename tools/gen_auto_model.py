#!/usr/bin/env python3
"""Reads transformers' auto mappings statically (Python's `ast`; transformers is never imported or run) and writes
data/transformers_auto_model.json: {"source": ..., "auto_model": {model_type: class}}, the class
`AutoModel.from_config` builds for a config of each model type. AutoModel finds a config's class through the model
type registered LAST for that config class (CONFIG_MAPPING_NAMES of models/auto/auto_mappings.py, then the additions
of configuration_auto.py: its `.update({...})` appends new keys, and `gpt-sw3` is put first), and that model type must
be a key of MODEL_MAPPING_NAMES (models/auto/modeling_auto.py). A model type left out has no AutoModel class:
from_config raises "Unrecognized configuration class", so `accelerate estimate-memory` cannot estimate it (memfit
refuses it the same way; the config's `architectures` and --task-model still name a class to build). Example: evolla,
whose EvollaConfig is registered again as "EvollaModel", which MODEL_MAPPING_NAMES lacks.

    for f in auto_mappings configuration_auto modeling_auto; do git --git-dir=/work/.mirror/zucchini-nlp+transformers/repo \
        show 2b296305:src/transformers/models/auto/$f.py > /tmp/$f.py; done
    python3 tools/gen_auto_model.py /tmp "zucchini-nlp/transformers 2b296305" > data/transformers_auto_model.json
"""
import ast
import json
import os
import sys


def pairs(node):
    """The (key, value) string pairs of OrderedDict([...]) or {...}; a tuple value gives its first string."""
    first = lambda v: v.elts[0].value if isinstance(v, ast.Tuple) else v.value
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)):
        return [(p.elts[0].value, first(p.elts[1])) for p in node.args[0].elts]
    if isinstance(node, ast.Dict):
        return [(k.value, first(v)) for k, v in zip(node.keys, node.values)]
    raise SystemExit(f"unexpected mapping form at line {node.lineno}")


def assigned(tree, name):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return node.value
    raise SystemExit(f"no {name}")


def main():
    folder, source = sys.argv[1], sys.argv[2]
    parse = lambda f: ast.parse(open(os.path.join(folder, f + ".py")).read())
    config = dict(pairs(assigned(parse("auto_mappings"), "CONFIG_MAPPING_NAMES")))  # insertion-ordered
    for node in parse("configuration_auto").body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "update"
                and getattr(call.func.value, "id", None) == "CONFIG_MAPPING_NAMES"):
            config.update(pairs(call.args[0]))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CONFIG_MAPPING_NAMES" for t in node.targets):
            front = [pairs(kw.value) for kw in node.value.keywords if isinstance(kw.value, ast.Dict)]
            config = dict([p for f in front for p in f] + [(k, v) for k, v in config.items()
                                                            if k not in {p[0] for f in front for p in f}])
    model = dict(pairs(assigned(parse("modeling_auto"), "MODEL_MAPPING_NAMES")))
    last_type = {cls: t for t, cls in config.items()}  # a config class -> the model type registered last for it
    auto = {t: model[last_type[cls]] for t, cls in config.items() if last_type[cls] in model}
    # One entry a line, so that a run finds its model type with a plain text search (no JSON parse at start-up).
    lines = ",\n".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(auto.items()))
    print('{"source":' + json.dumps(source) + ',\n"auto_model":{\n' + lines + "\n}}")


if __name__ == "__main__":
    main()
