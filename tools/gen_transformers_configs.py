#!/usr/bin/env python3
"""Reads transformers' config classes statically (Python's `ast`; transformers is never imported or run) and writes
data/transformers_configs.json: for every model type, the config class AutoConfig uses; for every config class, the
defaults AutoConfig fills for omitted keys, its attribute_map aliases, the defaults __post_init__ computes from other
keys (as small expressions), and its sub-configs (text_config, vision_config...) with the class or model type and the
keyword overrides transformers builds them from when they are omitted. What cannot be evaluated statically is listed
per class under "unevaluated" with the reason.

    git --git-dir=/work/.mirror/zucchini-nlp+transformers/repo archive 2b296305 src/transformers/models \
        | tar -x -C /tmp/tf && python3 tools/gen_transformers_configs.py /tmp/tf/src/transformers 2b296305...

Expressions: a number or string, {"key": name} (another key of the same config), {"op": "//"|"*"|"+"|"-"|"/"|
"int"|"min"|"max"|"ceil"|"if_none", "args": [...]}, {"list": [expressions]}.
"""
import ast
import json
import os
import sys

NOT_FIELDS = {"model_type", "attribute_map", "sub_configs", "base_config_key", "keys_to_ignore_at_inference",
              "base_model_tp_plan", "base_model_pp_plan", "base_model_ep_plan", "base_model_fsdp_plan",
              "has_no_defaults_at_init", "_auto_class"}


class Unevaluable(Exception):
    pass


FOLD = {ast.Mult: lambda a, b: a * b, ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
        ast.FloorDiv: lambda a, b: a // b, ast.Pow: lambda a, b: a ** b}


def literal(node):
    """A default value: a literal, or one of the dataclass/validator wrappers around one."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Call):
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        if "default" in kw:  # interval(min=...)(default=x), field(default=x)
            return literal(kw["default"])
        if "default_factory" in kw:
            f = kw["default_factory"]
            if isinstance(f, ast.Lambda):
                return literal(f.body)
            if isinstance(f, ast.Name) and f.id in ("list", "dict"):
                return [] if f.id == "list" else {}
            raise Unevaluable("default_factory " + ast.unparse(f))
        if isinstance(node.func, ast.Name) and node.func.id in ("list", "dict", "tuple") and not node.args:
            return [] if node.func.id != "dict" else {}
    if isinstance(node, ast.BinOp) and type(node.op) in FOLD:  # constant arithmetic such as 4096 * 32
        a, b = literal(node.left), literal(node.right)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            return FOLD[type(node.op)](a, b)
    raise Unevaluable("not a literal: " + ast.unparse(node)[:120])


def is_self_attr(node):
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"


BINOPS = {ast.FloorDiv: "//", ast.Mult: "*", ast.Add: "+", ast.Sub: "-", ast.Div: "/"}
CALLS = {"int": "int", "min": "min", "max": "max", "ceil": "ceil", "math.ceil": "ceil"}


def expr(node):
    """A computed default as an expression over the config's own keys."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)) or (
            isinstance(node, ast.Constant) and node.value is None):
        return {"lit": node.value}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return {"lit": -node.operand.value}
    if is_self_attr(node):
        return {"key": node.attr}
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        return {"op": BINOPS[type(node.op)], "args": [expr(node.left), expr(node.right)]}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value) == \
            "kwargs" and node.func.attr in ("get", "pop") and len(node.args) == 2 and \
            isinstance(node.args[0], ast.Constant):  # kwargs.get("k", default): the key k when given, else default
        return {"op": "if_none", "args": [{"key": node.args[0].value}, expr(node.args[1]), {"key": node.args[0].value}]}
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return {"op": "or", "args": [expr(v) for v in node.values]}
    if isinstance(node, ast.Call) and not node.keywords:
        name = ast.unparse(node.func)
        if name in CALLS:
            return {"op": CALLS[name], "args": [expr(a) for a in node.args]}
    if isinstance(node, ast.IfExp):  # self.x if self.x is not None else <default>
        t = node.test
        if (isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.IsNot)
                and isinstance(t.comparators[0], ast.Constant) and t.comparators[0].value is None):
            return {"op": "if_none", "args": [expr(t.left), expr(node.orelse), expr(node.body)]}
        if (isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Is)
                and isinstance(t.comparators[0], ast.Constant) and t.comparators[0].value is None):
            return {"op": "if_none", "args": [expr(t.left), expr(node.body), expr(node.orelse)]}
    if isinstance(node, (ast.List, ast.Tuple)):
        return {"list": [expr(e) for e in node.elts]}
    raise Unevaluable(ast.unparse(node)[:160])


def none_test(test):
    """`self.X is None` (or `not self.X`): the attribute X, else None."""
    if (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is)
            and is_self_attr(test.left) and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return test.left.attr
    return None


def sub_config_default(call, sub_configs):
    """`CONFIG_MAPPING["t"](k=v)`, `self.sub_configs["k"](...)`, `SomeConfig(...)` or a dict literal."""
    if isinstance(call, ast.Dict):
        d = literal(call)
        out = {"overrides": {k: v for k, v in d.items() if k != "model_type"}}
        if "model_type" in d:
            out["model_type"] = d["model_type"]
        return out
    if not isinstance(call, ast.Call):
        raise Unevaluable("sub-config default " + ast.unparse(call)[:120])
    overrides, reasons = {}, []
    out_from_parent = False
    from_self = {}
    for k in call.keywords:
        if k.arg is None:  # **kwargs / **text_kwargs: the parent's own keys this class knows are forwarded to it
            out_from_parent = True
            continue
        if is_self_attr(k.value):  # vocab_size=self.vocab_size: the parent's own (already filled) key
            from_self[k.arg] = k.value.attr
            continue
        try:
            overrides[k.arg] = literal(k.value)
        except Unevaluable as e:
            reasons.append(f"{k.arg}: {e}")
    if call.args:
        reasons.append("positional arguments")
    f = call.func
    out = {"overrides": overrides}
    if out_from_parent:
        out["from_parent"] = True
    if from_self:
        out["from_self"] = from_self
    if reasons:
        out["unevaluated"] = reasons
    if isinstance(f, ast.Subscript) and isinstance(f.slice, ast.Constant):
        if ast.unparse(f.value) == "CONFIG_MAPPING":
            out["model_type"] = f.slice.value
            return out
        if ast.unparse(f.value) == "self.sub_configs":
            out["class"] = sub_configs.get(f.slice.value)
            return out
    if isinstance(f, ast.Name):
        out["class"] = f.id
        return out
    raise Unevaluable("sub-config default " + ast.unparse(call)[:120])


def post_init(fn, cls, sub_configs):
    """Computed defaults and sub-config defaults from __post_init__ (or a custom __init__)."""
    computed, subs, dict_types, uneval = {}, {}, {}, {}
    # Keys assigned in a top-level `if self.k is None:` block: the first such block runs, later ones never do.
    decided = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.If):
            key = none_test(node.test)
            if key is None:
                continue
            for st in node.body:
                if isinstance(st, ast.Assign) and len(st.targets) == 1 and is_self_attr(st.targets[0]) \
                        and st.targets[0].attr == key:
                    if key in decided:
                        continue
                    if node in fn.body:
                        decided.add(key)
                    try:
                        if key in sub_configs:
                            subs[key] = sub_config_default(st.value, sub_configs)
                        else:
                            computed[key] = {"when": "none", "expr": expr(st.value)}
                    except Unevaluable as e:
                        uneval[key] = f"computed when omitted: {e}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and is_self_attr(node.func.value) and node.func.value.attr in sub_configs and len(node.args) == 2 \
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == "model_type" \
                and isinstance(node.args[1], ast.Constant):
            dict_types[node.func.value.attr] = node.args[1].value
    # Unconditional top-level assignments: `self.x = self.x if self.x is not None else ...`, `self.x = <expr>`.
    for st in fn.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and is_self_attr(st.targets[0]):
            key = st.targets[0].attr
            if key in sub_configs or key in computed:
                continue
            v = st.value
            if isinstance(v, ast.Call) and ast.unparse(v.func) in ("list", "tuple", "dict") and len(v.args) == 1 \
                    and is_self_attr(v.args[0]) and v.args[0].attr == key:
                continue  # a type conversion of the key itself
            try:
                e = expr(v)
                if e == {"op": "if_none", "args": [{"key": key}, {"key": key}, {"key": key}]} or e == {"key": key}:
                    continue  # kwargs.pop("k", self.k): the key itself
                computed[key] = {"when": "none" if e.get("op") == "if_none" else "always", "expr": e}
            except Unevaluable as err:
                uneval[key] = f"assigned in __post_init__: {err}"
    return computed, subs, dict_types, uneval


def read_class(node):
    c = {"name": node.name, "bases": [ast.unparse(b) for b in node.bases], "fields": {}, "uneval": {},
         "required": []}
    sub_configs = {}
    fn = None
    for st in node.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            name = st.targets[0].id
            if name == "model_type":
                c["model_type"] = literal(st.value)
            elif name == "attribute_map":
                c["attribute_map"] = literal(st.value)
            elif name == "base_config_key":
                c["base_config_key"] = literal(st.value)
            elif name == "sub_configs" and isinstance(st.value, ast.Dict):
                sub_configs = {ast.literal_eval(k): ast.unparse(v) for k, v in zip(st.value.keys, st.value.values)}
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            name = st.target.id
            if name in NOT_FIELDS or "ClassVar" in ast.unparse(st.annotation):
                if name == "model_type" and st.value is not None:
                    c["model_type"] = literal(st.value)
                continue
            if st.value is None:
                c["required"].append(name)
                continue
            try:
                c["fields"][name] = literal(st.value)
            except Unevaluable as e:
                c["uneval"][name] = str(e)
        elif isinstance(st, ast.FunctionDef) and st.name in ("__post_init__", "__init__"):
            if st.name == "__init__":  # old style: keyword defaults of __init__
                a = st.args
                for arg, d in zip(a.args[len(a.args) - len(a.defaults):] + a.kwonlyargs,
                                  list(a.defaults) + list(a.kw_defaults)):
                    if d is None or arg.arg == "self":
                        continue
                    try:
                        c["fields"][arg.arg] = literal(d)
                    except Unevaluable as e:
                        c["uneval"][arg.arg] = str(e)
            fn = st if fn is None or st.name == "__post_init__" else fn
    c["sub_configs"] = sub_configs
    c["computed"], c["subs"], c["dict_types"], post_uneval = post_init(fn, c, sub_configs) if fn else ({}, {}, {}, {})
    c["uneval"].update(post_uneval)
    return c



def write_one_class_per_line(out, f):
    """Valid JSON, laid out so that memfit parses only what it uses: the header (source, model_types,
    missing_classes) on the first line, then `"Name":{...}` one config class per line (src/format/config_defaults.cpp
    finds a class's line and parses that line alone)."""
    compact = dict(sort_keys=True, separators=(",", ":"))
    head = {k: v for k, v in out.items() if k != "classes"}
    f.write(json.dumps(head, **compact)[:-1] + ',\n"classes":{\n')
    names = sorted(out["classes"])
    for i, name in enumerate(names):
        f.write(json.dumps(name) + ":" + json.dumps(out["classes"][name], **compact))
        f.write(",\n" if i + 1 < len(names) else "\n")
    f.write("}}\n")

def main(tf_root, commit):
    models = os.path.join(tf_root, "models")
    raw = {}
    for d in sorted(os.listdir(models)):
        folder = os.path.join(models, d)
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            if not (f.startswith("configuration_") and f.endswith(".py")):
                continue
            tree = ast.parse(open(os.path.join(folder, f)).read())
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name.endswith("Config"):
                    c = read_class(node)
                    c["file"] = f"models/{d}/{f}"
                    raw.setdefault(node.name, c)

    def flat(name, seen=()):
        c = raw[name]
        base = next((b for b in c["bases"] if b in raw and b not in seen), None)
        out = flat(base, seen + (name,)) if base else {
            "model_type": "", "attribute_map": {}, "defaults": {}, "computed": {}, "sub_configs": {},
            "unevaluated": {}}
        out = json.loads(json.dumps(out))
        if "model_type" in c:
            out["model_type"] = c["model_type"]
        out["file"] = c["file"]
        out["attribute_map"].update(c.get("attribute_map", {}))
        for k in c["required"]:
            out["unevaluated"][k] = "no default: transformers requires it"
        for k, v in c["fields"].items():
            out["defaults"][k] = v
            out["unevaluated"].pop(k, None)
        for k, v in c["uneval"].items():
            out["unevaluated"][k] = v
        for k, v in c["computed"].items():
            out["computed"][k] = v
            out["unevaluated"].pop(k, None)
        for k, cls in c["sub_configs"].items():
            s = {"auto": cls == "AutoConfig"} if cls == "AutoConfig" else {"class": cls}
            s.update({kk: vv for kk, vv in c["subs"].get(k, {}).items() if vv is not None})
            if k in c["dict_types"]:
                s["dict_model_type"] = c["dict_types"][k]
            if k not in c["subs"] and k not in c["uneval"]:
                s["omitted"] = "stays null"  # no default built in __post_init__
            out["sub_configs"][k] = s
            out["defaults"].pop(k, None)
        return out

    classes = {n: flat(n) for n in sorted(raw)}
    auto = ast.parse(open(os.path.join(models, "auto", "auto_mappings.py")).read())
    types = {}
    for node in ast.walk(auto):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CONFIG_MAPPING_NAMES" for t in node.targets):
            for k, v in ast.literal_eval(node.value.args[0]):
                types[k] = v
    conf_auto = ast.parse(open(os.path.join(models, "auto", "configuration_auto.py")).read())
    for node in ast.walk(conf_auto):  # CONFIG_MAPPING_NAMES.update({...}) and the gpt-sw3 extra
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "CONFIG_MAPPING_NAMES.update":
            types.update(ast.literal_eval(node.args[0]))
    types.setdefault("gpt-sw3", "GPT2Config")
    out = {
        "source": {"repository": "zucchini-nlp/transformers", "commit": commit, "version": "5.16.0.dev0",
                   "generator": "tools/gen_transformers_configs.py"},
        "model_types": {k: v for k, v in sorted(types.items()) if v in classes},
        "missing_classes": sorted(k for k, v in types.items() if v not in classes),
        "classes": classes,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "data", "transformers_configs.json")
    with open(path, "w") as f:
        write_one_class_per_line(out, f)
    n_uneval = sum(len(c["unevaluated"]) for c in classes.values())
    print(f"{len(types)} model types, {len(classes)} config classes, {n_uneval} unevaluated defaults -> {path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "2b296305")
