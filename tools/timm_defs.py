#!/usr/bin/env python3
"""Generates data/timm/models.json from a timm source tree, statically (the `ast` module; timm is never imported).

For every @register_model function it records what `timm.create_model(name)` builds: the model class, the keyword
arguments the class receives (model_args, including those set by helpers such as _create_vision_transformer or the
_gen_* block-string builders, and dataclass cfgs such as byobnet's model_cfgs), and the default pretrained tag with
the parts of its config that change the model (num_classes, input_size, fixed_input_size).

It works by evaluating each register function with a small interpreter over the module's AST: literals, dict/list
operations, calls into helper functions of the same module (and of the timm helpers listed in INLINE_IMPORTED),
dataclass construction with field defaults, `if`/`for` on known values. A call it does not follow becomes data:
    {"$call": "decode_arch_def", "args": [...], "kwargs": {...}}   a call recorded, not evaluated
    {"$ref": "nn.LayerNorm"}                                          a class / function named, not called
Where a register function cannot be evaluated (a value computed from something unknown) the name is listed under
"unresolved" with the reason; nothing is filled in by hand.

Usage: tools/timm_defs.py TIMM_SOURCE_ROOT [OUT_JSON]     (TIMM_SOURCE_ROOT holds timm/models/*.py)
"""
import ast
import copy
import json
import math
import sys
from pathlib import Path

# Keyword arguments that only steer weight loading / feature extraction, never the module tree.
LOAD_ONLY = {
    'pretrained_filter_fn', 'pretrained_strict', 'feature_cfg', 'features_only', 'kwargs_filter', 'pretrained_cfg',
    'pretrained_cfg_overlay', 'feature_cls', 'flatten_sequential', 'out_indices',
}
# timm helpers from other modules that are evaluated as if local (small, argument plumbing only).
INLINE_IMPORTED = {'resolve_bn_args', 'resolve_act_layer', 'round_channels', 'make_divisible', '_create_vision_transformer',
                   'checkpoint_filter_fn', 'named_apply'}
# Calls kept as data even when the function is local: the C++ builders interpret them.
KEEP_SYMBOLIC = {'decode_arch_def', 'partial', 'get_act_layer', 'get_norm_layer', 'get_attn', 'create_act_layer'}


class Unresolved(Exception):
    pass


class Ref:
    def __init__(self, name):
        self.name = name

    def json(self):
        return {'$ref': self.name}


class SymCall:
    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def json(self):
        out = {'$call': self.fn}
        if self.args:
            out['args'] = [to_json(a) for a in self.args]
        if self.kwargs:
            out['kwargs'] = {k: to_json(v) for k, v in self.kwargs.items()}
        return out

    def __call__(self, *args, **kwargs):  # calling a partial(...) result: record the combined call
        if self.fn == 'partial' and self.args:
            fn = self.args[0]
            if isinstance(fn, (Function, Lambda)) or (isinstance(fn, Ref) and fn.name in BUILTINS):
                f = BUILTINS[fn.name] if isinstance(fn, Ref) else fn
                return f(*(list(self.args[1:]) + list(args)), **{**self.kwargs, **kwargs})
            return SymCall(fn.name if isinstance(fn, Ref) else 'partial', list(self.args[1:]) + list(args),
                           {**self.kwargs, **kwargs})
        raise Unresolved(f'calls the result of {self.fn}()')


class Built(Exception):
    """Raised when the interpreter reaches the model constructor."""

    def __init__(self, cls, kwargs):
        self.cls, self.kwargs = cls, kwargs


def to_json(v):
    if isinstance(v, (Ref, SymCall)):
        return v.json()
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return str(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, Function):
        return {'$ref': v.node.name}
    if isinstance(v, Lambda):
        return v.json()
    if isinstance(v, Dataclass):
        return {'$ref': v.name}
    raise Unresolved(f'value of type {type(v).__name__}')


class Return(Exception):
    def __init__(self, value):
        self.value = value


class Function:
    def __init__(self, module, node):
        self.module, self.node = module, node

    def __call__(self, *args, **kwargs):
        return self.module.call_function(self.node, args, kwargs)


class Dataclass:
    """A @dataclass of the module: construction gives a dict of its fields, defaults filled in."""

    def __init__(self, module, node):
        self.module, self.node, self.name = module, node, node.name

    def __call__(self, *args, **kwargs):
        fields = [s for s in self.node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
        out = {'$class': self.name}
        for i, f in enumerate(fields):
            name = f.target.id
            if i < len(args):
                out[name] = args[i]
            elif name in kwargs:
                out[name] = kwargs[name]
            elif f.value is not None:
                out[name] = self.module.eval_default(f.value)
            else:
                raise Unresolved(f'{self.name}: field {name} has no value')
        unknown = set(kwargs) - {f.target.id for f in fields}
        if unknown:
            raise Unresolved(f'{self.name}: unknown fields {sorted(unknown)}')
        return out


class Module:
    def __init__(self, root, name, modules):
        self.name, self.modules = name, modules
        path = root / 'timm' / 'models' / f'{name}.py'
        self.tree = ast.parse(path.read_text())
        self.defs, self.assigns, self.imports = {}, {}, {}
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef):
                self.defs[node.name] = Function(self, node)
            elif isinstance(node, ast.ClassDef):
                is_dc = any((isinstance(d, ast.Name) and d.id == 'dataclass') or
                            (isinstance(d, ast.Call) and getattr(d.func, 'id', '') == 'dataclass')
                            for d in node.decorator_list)
                self.defs[node.name] = Dataclass(self, node) if is_dc else Ref(node.name)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigns[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.assigns[node.target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.imports[a.asname or a.name] = (node.module, node.level, a.name)
        self.globals_cache = {}
        self.run_module_body()

    def run_module_body(self):
        """Module-level statements in order (default_cfgs built up in steps, cfg dicts); a statement that cannot be
        evaluated leaves the names it assigns unresolved, with the reason."""
        self.globals = {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                continue
            try:
                self.exec(node, self.globals)
            except (Unresolved, Built) as e:
                reason = e if isinstance(e, Unresolved) else Unresolved('builds a model at import')
                for t in ast.walk(node):
                    if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store):
                        self.globals[t.id] = reason
            except (RecursionError, TypeError, ValueError, AttributeError):
                pass

    def register_functions(self):
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                    (isinstance(d, ast.Name) and d.id == 'register_model') for d in node.decorator_list):
                yield node

    # ---- names
    def lookup_global(self, name):
        if name in self.globals_cache:
            return self.globals_cache[name]
        if name in self.defs:
            v = self.defs[name]
        elif name in getattr(self, 'globals', {}):
            v = self.globals[name]
            if isinstance(v, Unresolved):
                raise v
            return v  # mutable module state: shared, as in Python
        elif name in self.assigns:
            raise Unresolved(f'global {name} used before it is assigned')
        elif name in self.imports:
            v = self.resolve_import(name)
        elif name in BUILTINS:
            v = BUILTINS[name]
        else:
            v = Ref(name)
        self.globals_cache[name] = v
        if isinstance(v, Unresolved):
            raise v
        return v

    def resolve_import(self, name):
        mod, level, orig = self.imports[name]
        if orig in INLINE_IMPORTED and level == 1 and not mod.startswith('.'):
            other = self.modules.get(mod)
            if other is not None and orig in other.defs:
                return other.defs[orig]
        if orig in BUILTINS:
            return Ref(orig)
        return Ref(orig)

    def eval_default(self, node):
        return self.eval(node, {})

    # ---- calls
    def call_function(self, fn, args, kwargs):
        scope = {}
        a = fn.args
        positional = a.posonlyargs + a.args
        defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        args = list(args)
        kwargs = dict(kwargs)
        for i, p in enumerate(positional):
            if i < len(args):
                scope[p.arg] = args[i]
            elif p.arg in kwargs:
                scope[p.arg] = kwargs.pop(p.arg)
            elif defaults[i] is not None:
                scope[p.arg] = self.eval(defaults[i], {})
            else:
                raise Unresolved(f'{fn.name}: missing argument {p.arg}')
        if a.vararg:
            scope[a.vararg.arg] = list(args[len(positional):])
        elif len(args) > len(positional):
            raise Unresolved(f'{fn.name}: too many arguments')
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if p.arg in kwargs:
                scope[p.arg] = kwargs.pop(p.arg)
            elif d is not None:
                scope[p.arg] = self.eval(d, {})
            else:
                raise Unresolved(f'{fn.name}: missing argument {p.arg}')
        if a.kwarg:
            scope[a.kwarg.arg] = kwargs
        elif kwargs:
            raise Unresolved(f'{fn.name}: unexpected arguments {sorted(kwargs)}')
        try:
            self.exec_body(fn.body, scope)
        except Return as r:
            return r.value
        return None

    def exec_body(self, body, scope):
        for st in body:
            self.exec(st, scope)

    def exec(self, st, scope):
        if isinstance(st, ast.Expr):
            if isinstance(st.value, ast.Constant):
                return  # docstring
            self.eval(st.value, scope)
        elif isinstance(st, ast.Assign):
            v = self.eval(st.value, scope)
            for t in st.targets:
                self.assign(t, v, scope)
        elif isinstance(st, ast.AnnAssign):
            if st.value is not None:
                self.assign(st.target, self.eval(st.value, scope), scope)
        elif isinstance(st, ast.AugAssign):
            cur = self.eval(st.target, scope)
            self.assign(st.target, binop(st.op, cur, self.eval(st.value, scope)), scope)
        elif isinstance(st, ast.Return):
            raise Return(self.eval(st.value, scope) if st.value is not None else None)
        elif isinstance(st, ast.If):
            self.exec_body(st.body if truth(self.eval(st.test, scope)) else st.orelse, scope)
        elif isinstance(st, ast.For):
            for item in iterate(self.eval(st.iter, scope)):
                self.assign(st.target, item, scope)
                self.exec_body(st.body, scope)
        elif isinstance(st, ast.Assert):
            if not truth(self.eval(st.test, scope)):
                raise Unresolved('assertion fails')
        elif isinstance(st, (ast.Pass, ast.Import, ast.ImportFrom)):
            if isinstance(st, ast.ImportFrom):
                for a in st.names:
                    if st.module and st.module.lstrip('.') in self.modules and a.name in self.modules[st.module.lstrip('.')].defs:
                        scope[a.asname or a.name] = self.modules[st.module.lstrip('.')].defs[a.name]
                    else:
                        scope[a.asname or a.name] = Ref(a.name)
        elif isinstance(st, ast.Raise):
            raise Unresolved('raises')
        elif isinstance(st, ast.FunctionDef):
            scope[st.name] = Function(self, st)
        else:
            raise Unresolved(f'statement {type(st).__name__}')

    def assign(self, target, v, scope):
        if isinstance(target, ast.Name):
            scope[target.id] = v
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(iterate(v))
            if len(items) != len(target.elts):
                raise Unresolved('unpacking length')
            for t, x in zip(target.elts, items):
                self.assign(t, x, scope)
        elif isinstance(target, ast.Subscript):
            obj = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if not isinstance(obj, (dict, list)):
                raise Unresolved('item assignment on a symbol')
            obj[key] = v
        elif isinstance(target, ast.Attribute):
            raise Unresolved('attribute assignment')
        else:
            raise Unresolved(f'assignment to {type(target).__name__}')

    # ---- expressions
    def eval(self, n, scope):
        if isinstance(n, ast.Constant):
            return n.value
        if isinstance(n, ast.Name):
            if n.id in scope:
                return scope[n.id]
            return self.lookup_global(n.id)
        if isinstance(n, (ast.List, ast.Tuple)):
            out = []
            for e in n.elts:
                if isinstance(e, ast.Starred):
                    out.extend(iterate(self.eval(e.value, scope)))
                else:
                    out.append(self.eval(e, scope))
            return out
        if isinstance(n, ast.Dict):
            out = {}
            for k, v in zip(n.keys, n.values):
                if k is None:
                    d = self.eval(v, scope)
                    if not isinstance(d, dict):
                        raise Unresolved('** of a symbol')
                    out.update(d)
                else:
                    out[self.eval(k, scope)] = self.eval(v, scope)
            return out
        if isinstance(n, ast.Attribute):
            base = n.value
            if isinstance(base, ast.Name) and base.id not in scope and base.id not in self.assigns and \
                    base.id not in self.defs:
                return Ref(f'{base.id}.{n.attr}')  # nn.GELU, torch.float32, F.gelu ...
            obj = self.eval(base, scope)
            if isinstance(obj, Ref):
                return Ref(f'{obj.name}.{n.attr}')
            return BoundMethod(obj, n.attr)
        if isinstance(n, ast.Call):
            fn = self.eval(n.func, scope)
            args = []
            for a in n.args:
                if isinstance(a, ast.Starred):
                    args.extend(iterate(self.eval(a.value, scope)))
                else:
                    args.append(self.eval(a, scope))
            kwargs = {}
            for k in n.keywords:
                v = self.eval(k.value, scope)
                if k.arg is None:
                    if not isinstance(v, dict):
                        raise Unresolved('** of a symbol')
                    kwargs.update(v)
                else:
                    kwargs[k.arg] = v
            return self.call(fn, args, kwargs)
        if isinstance(n, ast.BinOp):
            return binop(n.op, self.eval(n.left, scope), self.eval(n.right, scope))
        if isinstance(n, ast.UnaryOp):
            v = self.eval(n.operand, scope)
            if isinstance(n.op, ast.Not):
                return not truth(v)
            check_plain(v)
            if isinstance(n.op, ast.USub):
                return -v
            if isinstance(n.op, ast.UAdd):
                return +v
            raise Unresolved('unary op')
        if isinstance(n, ast.BoolOp):
            if isinstance(n.op, ast.And):
                v = True
                for e in n.values:
                    v = self.eval(e, scope)
                    if not truth(v):
                        return v
                return v
            v = False
            for e in n.values:
                v = self.eval(e, scope)
                if truth(v):
                    return v
            return v
        if isinstance(n, ast.Compare):
            left = self.eval(n.left, scope)
            for op, c in zip(n.ops, n.comparators):
                right = self.eval(c, scope)
                if not compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(n, ast.IfExp):
            return self.eval(n.body if truth(self.eval(n.test, scope)) else n.orelse, scope)
        if isinstance(n, ast.Subscript):
            obj = self.eval(n.value, scope)
            if isinstance(n.slice, ast.Slice):
                lo = self.eval(n.slice.lower, scope) if n.slice.lower else None
                hi = self.eval(n.slice.upper, scope) if n.slice.upper else None
                st = self.eval(n.slice.step, scope) if n.slice.step else None
                check_plain(obj)
                return obj[slice(lo, hi, st)]
            key = self.eval(n.slice, scope)
            check_plain(obj)
            try:
                return obj[key]
            except (KeyError, IndexError, TypeError):
                raise Unresolved('subscript out of range')
        if isinstance(n, ast.JoinedStr):
            parts = []
            for v in n.values:
                if isinstance(v, ast.Constant):
                    parts.append(v.value)
                else:
                    x = self.eval(v.value, scope)
                    check_plain(x)
                    parts.append(format(x, self.eval(v.format_spec, scope) if v.format_spec else ''))
            return ''.join(parts)
        if isinstance(n, ast.FormattedValue):
            return str(self.eval(n.value, scope))
        if isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            out = []
            self.comprehension(n.generators, 0, dict(scope), lambda s: out.append(self.eval(n.elt, s)))
            return out
        if isinstance(n, ast.DictComp):
            out = {}
            self.comprehension(n.generators, 0, dict(scope),
                               lambda s: out.__setitem__(self.eval(n.key, s), self.eval(n.value, s)))
            return out
        if isinstance(n, ast.Lambda):
            return Lambda(self, n, scope)
        raise Unresolved(f'expression {type(n).__name__}')

    def comprehension(self, gens, i, scope, emit):
        if i == len(gens):
            emit(scope)
            return
        g = gens[i]
        for item in iterate(self.eval(g.iter, scope)):
            self.assign(g.target, item, scope)
            if all(truth(self.eval(c, scope)) for c in g.ifs):
                self.comprehension(gens, i + 1, scope, emit)

    def call(self, fn, args, kwargs):
        if isinstance(fn, Ref) and fn.name in BUILTINS and fn.name not in ('dict', 'list'):
            return BUILTINS[fn.name](*args, **kwargs)
        if isinstance(fn, Ref):
            if fn.name == 'build_model_with_cfg':
                cls = args[0] if args else kwargs.pop('model_cls')
                extra = args[3:]
                if extra:
                    raise Unresolved('build_model_with_cfg with extra positional arguments')
                raise Built(cls, {k: v for k, v in kwargs.items() if k not in LOAD_ONLY})
            if fn.name in KEEP_SYMBOLIC or fn.name.split('.')[0] in ('nn', 'torch', 'F'):
                return SymCall(fn.name, args, kwargs)
            if fn.name[:1].isupper() and fn.name in self.defs:
                raise Built(fn, dict(kwargs) if not args else {**dict(zip(['$args'], [args])), **kwargs})
            return SymCall(fn.name, args, kwargs)
        if isinstance(fn, Function):
            if fn.node.name in KEEP_SYMBOLIC:
                return SymCall(fn.node.name, args, kwargs)
            return fn(*args, **kwargs)
        if isinstance(fn, (Dataclass, BoundMethod, SymCall, Lambda)) or callable(fn):
            return fn(*args, **kwargs)
        raise Unresolved(f'calls a {type(fn).__name__}')


class Lambda:
    """A lambda: callable here; recorded as its source text."""

    def __init__(self, module, node, scope):
        self.module, self.node, self.scope = module, node, dict(scope)

    def __call__(self, *args, **kwargs):
        names = [a.arg for a in self.node.args.args]
        if len(args) != len(names) or kwargs:
            raise Unresolved('lambda called with other arguments')
        return self.module.eval(self.node.body, {**self.scope, **dict(zip(names, args))})

    def json(self):
        return {'$lambda': ast.unparse(self.node)}


def field_(default=None, default_factory=None, **_):
    return default_factory() if default_factory is not None else default


def fields_(dc):
    """dataclasses.fields(SomeCfg): the field names (as objects with .name), for `{f.name for f in fields(C)}`."""
    if not isinstance(dc, Dataclass):
        raise Unresolved('fields() of a symbol')
    return [{'name': s.target.id} for s in dc.node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]


def make_divisible_(v, divisor=8, min_value=None, round_limit=.9):
    check_plain(v, divisor, min_value, round_limit)
    floor = divisor if min_value is None else min_value
    out = max(floor, int(v + divisor / 2) // divisor * divisor)
    return out + divisor if out < round_limit * v else out


def to_ntuple(n):
    def f(x):
        if isinstance(x, (list, tuple)):
            return list(x)
        return [x] * n
    return f


class BoundMethod:
    def __init__(self, obj, name):
        self.obj, self.name = obj, name

    def __call__(self, *args, **kwargs):
        o = self.obj
        if isinstance(o, dict) and self.name in ('pop', 'get', 'setdefault', 'update', 'copy', 'items', 'keys',
                                                  'values'):
            if self.name == 'update':
                o.update(*args, **kwargs)
                return None
            if self.name in ('items', 'keys', 'values'):
                return [list(x) if isinstance(x, tuple) else x for x in getattr(o, self.name)()]
            return getattr(o, self.name)(*args)
        if isinstance(o, str) and self.name in ('startswith', 'endswith', 'split', 'replace', 'format', 'lower',
                                                 'upper', 'strip', 'join', 'rsplit'):
            return getattr(o, self.name)(*args, **kwargs)
        if isinstance(o, list) and self.name in ('append', 'extend', 'copy', 'index', 'pop', 'insert'):
            return getattr(o, self.name)(*args)
        raise Unresolved(f'method {self.name} of {type(o).__name__}')


def check_plain(*vals):
    for v in vals:
        if isinstance(v, (Ref, SymCall, Function, Dataclass, BoundMethod)):
            raise Unresolved(f'computes with a symbol ({to_json(v) if not isinstance(v, BoundMethod) else v.name})')


def truth(v):
    if isinstance(v, (Ref, SymCall, Function, Dataclass, Lambda)):
        return True  # an object: truthy, as in Python
    check_plain(v)
    return bool(v)


def iterate(v):
    check_plain(v)
    if isinstance(v, dict):
        return list(v.keys())
    if isinstance(v, (list, tuple, str, range)):
        return list(v)
    raise Unresolved(f'iterates a {type(v).__name__}')


OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
       ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
       ast.Pow: lambda a, b: a ** b, ast.BitOr: lambda a, b: a | b}


def binop(op, a, b):
    check_plain(a, b)
    if isinstance(op, ast.BitOr) and isinstance(a, dict):
        return {**a, **b}
    if isinstance(op, ast.Mod) and isinstance(a, str):
        return a % (tuple(b) if isinstance(b, list) else b)
    try:
        return OPS[type(op)](a, b)
    except (KeyError, TypeError, ZeroDivisionError):
        raise Unresolved(f'operator {type(op).__name__}')


def compare(op, a, b):
    if isinstance(op, (ast.Is, ast.IsNot)):
        if b is None and isinstance(a, (Ref, SymCall)):
            return isinstance(op, ast.IsNot)
        check_plain(a, b)
        return (a is b) if isinstance(op, ast.Is) else (a is not b)
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(b, dict) and not isinstance(a, (Ref, SymCall)):
            r = a in b
        else:
            check_plain(a, b)
            r = a in b
        return r if isinstance(op, ast.In) else not r
    check_plain(a, b)
    try:
        return {ast.Eq: lambda: a == b, ast.NotEq: lambda: a != b, ast.Lt: lambda: a < b, ast.LtE: lambda: a <= b,
                ast.Gt: lambda: a > b, ast.GtE: lambda: a >= b}[type(op)]()
    except TypeError:
        raise Unresolved('comparison of mixed types')


def _plain(f):
    def g(*args, **kwargs):
        check_plain(*args, *kwargs.values())
        return f(*args, **kwargs)
    return g


BUILTINS = {
    'dict': lambda *a, **k: dict(*a, **k) if all(isinstance(x, (dict, list)) for x in a) else _bad('dict() of symbol'),
    'list': _plain(lambda *a: list(*a)), 'tuple': _plain(lambda *a: list(*a)), 'len': _plain(len),
    'int': _plain(int), 'float': _plain(float), 'str': _plain(str), 'bool': _plain(bool), 'round': _plain(round),
    'max': _plain(max), 'min': _plain(min), 'sum': _plain(sum), 'range': _plain(lambda *a: list(range(*a))),
    'zip': _plain(lambda *a: [list(x) for x in zip(*a)]), 'enumerate': _plain(lambda a: [[i, x] for i, x in enumerate(a)]),
    'abs': _plain(abs), 'isinstance': lambda *a: _bad('isinstance'), 'sorted': _plain(sorted),
    'True': True, 'False': False, 'None': None,
    'field': field_, 'fields': fields_, 'make_divisible': make_divisible_, 'to_2tuple': to_ntuple(2), 'to_3tuple': to_ntuple(3),
    'generate_default_cfgs': lambda c: generate_default_cfgs(c), 'copy.deepcopy': lambda x: copy.deepcopy(x),
    'deepcopy': lambda x: copy.deepcopy(x),
    'os.environ.get': lambda key, default=None: default,  # the environment of a plain `create_model` call
}


def _bad(why):
    raise Unresolved(why)


class MathRef:
    pass


def load_modules(root):
    names = sorted(p.stem for p in (root / 'timm' / 'models').glob('*.py') if p.stem != '__init__')
    modules = {}
    for n in names:
        try:
            modules[n] = Module(root, n, modules)
        except SyntaxError:
            pass
    return modules


def generate_default_cfgs(cfgs):
    """{arch: (default_tag, {num_classes, input_size, fixed_input_size})}, the default tag chosen as timm's
    generate_default_cfgs does (an untagged or `*` tag with weights first, else the first with weights)."""
    if not isinstance(cfgs, dict):
        raise Unresolved('default_cfgs is not a dict')
    out = {}
    seen_default = set()
    for key, cfg in cfgs.items():
        if not isinstance(key, str) or not isinstance(cfg, dict):
            continue
        arch, _, tag = key.partition('.')
        has_weights = bool(cfg.get('url') or cfg.get('file') or cfg.get('hf_hub_id'))
        priority = (has_weights and not tag) or (tag.endswith('*') and arch not in seen_default)
        tag = tag.strip('*')
        keep = {x: cfg[x] for x in ('num_classes', 'input_size', 'fixed_input_size') if x in cfg}
        entry = out.setdefault(arch, {'tags': [], 'pretrained': False, 'cfgs': {}})
        if priority:
            entry['tags'].insert(0, tag)
            seen_default.add(arch)
        elif has_weights and not entry['pretrained']:
            entry['tags'].insert(0, tag)
        else:
            entry['tags'].append(tag)
        entry['pretrained'] |= has_weights
        entry['cfgs'][tag] = keep
    return {'$default_cfgs': {a: [e['tags'][0], e['cfgs'][e['tags'][0]]] for a, e in out.items()}}


def default_cfgs(module):
    v = module.globals.get('default_cfgs')
    if isinstance(v, dict) and '$default_cfgs' in v:
        return {a: tuple(x) for a, x in v['$default_cfgs'].items()}
    return {}


def class_defaults(modules, module_name, cls):
    """The keyword defaults of `cls.__init__` (searched in the building module, then in every module)."""
    order = [modules[module_name]] + [m for n, m in modules.items() if n != module_name]
    for mod in order:
        for node in mod.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == cls:
                init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == '__init__'), None)
                # A subclass forwarding *args / **kwargs (VisionTransformerDistilled) takes its base's defaults.
                inherited = {}
                if init is None or init.args.vararg or init.args.kwarg:
                    for base in node.bases:
                        if isinstance(base, ast.Name) and base.id != cls:
                            inherited.update(class_defaults(modules, mod.name, base.id)[1])
                if init is None:
                    return mod.name, inherited
                a = init.args
                positional = a.posonlyargs + a.args
                pairs = list(zip(positional[len(positional) - len(a.defaults):], a.defaults))
                pairs += [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
                out = dict(inherited)
                for p, d in pairs:
                    if p.arg in ('device', 'dtype'):
                        continue
                    try:
                        out[p.arg] = to_json(mod.eval(d, {}))
                    except (Unresolved, Built):
                        out[p.arg] = {'$expr': ast.unparse(d)}
                return mod.name, out
    return None, {}


def pruned_shapes(root, name):
    """build_model_with_cfg(pruned=True) rebuilds the model's convs, norms and linears with the shapes timm ships in
    timm/models/_pruned/<name>.txt ("tensor:[d0, d1, ...]" joined by '***'): kept as {tensor: shape}."""
    text = (root / 'timm/models/_pruned' / f'{name}.txt').read_text()
    shapes = {}
    for item in text.strip().split('***'):
        key, _, dims = item.partition(':')
        dims = dims.strip()[1:-1]
        if dims:
            shapes[key] = [int(d) for d in dims.split(',')]
    return shapes


def main():
    root = Path(sys.argv[1])
    out_path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / 'data/timm/models.json'
    sys.setrecursionlimit(10000)
    modules = load_modules(root)
    models, unresolved = {}, {}
    for mname, mod in modules.items():
        cfgs = default_cfgs(mod)
        for fn in mod.register_functions():
            name = fn.name
            try:
                mod.globals_cache = {}
                mod.call_function(fn, [], {})
                raise Unresolved('returns without building a model')
            except Built as b:
                try:
                    cls = b.cls.name if isinstance(b.cls, Ref) else (b.cls.node.name if isinstance(b.cls, Function)
                                                                     else str(b.cls))
                    entry = {'module': mname, 'class': cls, 'args': to_json(b.kwargs)}
                except Unresolved as e:
                    unresolved[name] = {'module': mname, 'reason': str(e)}
                    continue
                if entry['args'].get('pruned') is True:
                    entry['pruned'] = pruned_shapes(root, name)
                tag, cfg = cfgs.get(name, ('', {}))
                entry['tag'] = tag
                entry['cfg'] = to_json(cfg)
                models[name] = entry
            except Unresolved as e:
                unresolved[name] = {'module': mname, 'reason': str(e)}
            except RecursionError:
                unresolved[name] = {'module': mname, 'reason': 'recursion'}
    classes = {}
    for entry in models.values():
        if entry['class'] not in classes:
            where, defaults = class_defaults(modules, entry['module'], entry['class'])
            classes[entry['class']] = {'module': where, 'defaults': defaults}
    data = {
        'source': 'huggingface/pytorch-image-models (timm/models/*.py), read by tools/timm_defs.py',
        'classes': dict(sorted(classes.items())),
        'models': dict(sorted(models.items())),
        'unresolved': dict(sorted(unresolved.items())),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # One entry a line: small, and a new timm release shows as a readable diff.
    lines = ['{', f'"source": {json.dumps(data["source"])},']
    for section in ('classes', 'models', 'unresolved'):
        items = list(data[section].items())
        lines.append(f'"{section}": {{')
        for i, (k, v) in enumerate(items):
            sep = ',' if i + 1 < len(items) else ''
            lines.append(f'{json.dumps(k)}: {json.dumps(v, separators=(",", ":"))}{sep}')
        lines.append('}' + (',' if section != 'unresolved' else ''))
    lines.append('}')
    out_path.write_text('\n'.join(lines) + '\n')
    print(f'{len(models)} models, {len(unresolved)} unresolved -> {out_path}', file=sys.stderr)


if __name__ == '__main__':
    main()
