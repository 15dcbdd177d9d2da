"""compute_in_lambda: what JSONata cannot compute exactly runs as Python in the workflow's Lambda.

With `@sfn.workflow(compute_in_lambda=True)` (or `pysfn-compile --compute-in-lambda`), a
statement refused because JSONata cannot compute it exactly (a refusal marked `computable`:
float printing, `round(x, n)`, sets, `math`, `statistics`, `datetime`, `re`, `json`, ...) is
not an error: the next lowering pass carves out the maximal run of consecutive pure statements
around it in its block (no callee call, wait, fan-out, return, nested def, escaping
break/continue; compound statements whole) and lowers it as one Task to the workflow's own
dispatcher Lambda, which runs the run's statements as a generated Python function:

- its parameters are the workflow variables the run reads (or may leave unchanged), its
  result the variables it assigns (or changes in place) that are read elsewhere;
- an exception it raises comes back as the Task's result with the values set before it; the
  machine assigns them and a Choice raises the exception (Python's class name and message) to
  the enclosing `except` as any `raise` goes;
- values entering it are JSON (a float parameter is annotated `float` so the dispatcher gives
  it a float); values leaving it get their Python type statically (analysis/compute_types.py)
  or the compiler refuses (a set, a tuple, a datetime, ...), and the Lambda checks at run time
  what the compiler could not prove (runtime/compute_runtime.py, a loud `pysfn.ComputedValue`).

The visitor calls the hooks: `note_refusal` for a refused statement, `carve` for each block,
and `transform_computed` for the ComputedBlock nodes carve makes. The generated functions are
collected in `Builder.callees_computed` (name -> ComputedFunction) and go to
`Compiled.local_lambdas()` and the Lambda package (`pysfn_computed.py`).
"""

from __future__ import annotations

import ast
import builtins
import textwrap
import types
from collections import Counter

import attrs

from ..analysis import pytypes, run_names
from ..analysis.aliasing import sharing
from ..analysis.ast_edits import root_name
from ..analysis.compute_types import Inference, foreign
from ..analysis.effects import EFFECTFUL_MODULES, MUTATING_METHODS, effects
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import ir
from ..graph.exprs import Expr, record_expr
from ..runtime import compute_runtime
from . import sets
from .evaluation import operands
from .operations import no_int_keys

FLAG_HINT = ("or compile with compute_in_lambda=True (`--compute-in-lambda`) to run it in the workflow's "
             "Lambda")
NOT_CARVABLE_HINT = ("compute_in_lambda runs in the Lambda only statements that call no callee, wait, fan "
                     "out, return or define a function: compute this part in a statement of its own")
RESULT = "pysfn_result"  # the variable a `return` computed in the Lambda returns
_JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_ESCAPING = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Return, ast.Yield, ast.YieldFrom,
             ast.Await, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom, ast.AsyncWith, ast.AsyncFor,
             ast.With)
_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Assert, ast.Delete, ast.Pass, ast.If,
               ast.For, ast.While, ast.Try, ast.Raise)


class ComputedBlock(ast.stmt):
    """A run of statements lowered as one Task that runs them as Python in the Lambda."""

    _fields = ("body",)


@attrs.frozen
class ComputedFunction:
    """A generated function: `name` in the Task's payload, `pyname` in pysfn_computed.py."""

    name: str
    pyname: str
    source: str  # the def, as pysfn_computed.py holds it
    module_names: tuple  # module-level names of the workflow the body uses


# -- the hooks: refusals mark statements, blocks carve runs ---------------------------------
def note_refusal(b, statement: ast.stmt, refusal: Refusal) -> str:
    """The hint to report for `refusal` of `statement`; with compute_in_lambda, a computable
    refusal marks the statement for the next pass to carve out."""
    hint = refusal.hint
    if not refusal.computable:
        return hint
    if not b.compute_in_lambda:
        return f"{hint}; {FLAG_HINT}" if hint else FLAG_HINT
    if _in_source(b, statement):  # a statement around it may be carvable even where it is not
        b.compute_marks.add(id(statement))
    if not _in_source(b, statement) or not (_pure(b, statement) or _pure_return(b, statement)):
        blocker = _blocking_call(b, statement)
        why = NOT_CARVABLE_HINT + (f" (this one calls {blocker}: assign that to a variable first, then compute "
                                   "with the variable)" if blocker else "")
        return f"{hint}; {why}" if hint else why
    return hint


def _blocking_call(b, statement: ast.stmt) -> str | None:
    """The call that keeps a statement from running in the Lambda, where it is a callee or a
    Step Functions action (`sfn.now()` inside `datetime.fromisoformat(sfn.now()).year`)."""
    for node in ast.walk(statement):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and (b.is_callee(func.id) or b.info.sfn_function(func.id)) \
                or isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and b.info.is_sfn_module(func.value.id):
            return ast.unparse(node)
    return None


# builtins whose result is not a computation on the values (input, identity, hashing, code)
_NOT_COMPUTATIONS = frozenset({"open", "input", "print", "exec", "eval", "compile", "__import__", "globals",
                               "locals", "vars", "breakpoint", "help", "exit", "quit", "id", "hash", "memoryview"})


def computable_name(b, name: str) -> bool:
    """Whether a call of `name` the state machine cannot make is Python the Lambda can run:
    a builtin (set, divmod, ...) or an imported function or class, not a workflow function."""
    if name in b.info.functions:
        return False
    if name in b.info.objects:
        return True
    return hasattr(builtins, name) and name not in _NOT_COMPUTATIONS


def _in_source(b, statement: ast.stmt) -> bool:
    """Whether the statement is the workflow's own (the module's tree lives as long as the
    compilation, so its ids are stable across passes), not one the compiler made up."""
    if b.compute_source is None:
        b.compute_source = frozenset(id(n) for n in ast.walk(b.info.tree) if isinstance(n, ast.stmt))
    return id(statement) in b.compute_source


def carve(b, statements: list) -> list:
    """`statements` with each maximal run of pure statements that holds a marked one replaced
    by a ComputedBlock (the same node in every pass)."""
    if not b.compute_in_lambda or not b.compute_marks:
        return statements
    out: list = []
    run: list = []
    marked = False

    def flush():
        nonlocal run, marked
        if run and marked:
            key = tuple(id(s) for s in run)
            block = b.computed_blocks.get(key)
            if block is None:
                block = ComputedBlock(body=list(run))
                ast.copy_location(block, run[0])
                block.end_lineno = max(getattr(s, "end_lineno", s.lineno) or s.lineno for s in run)
                block.end_col_offset = run[-1].end_col_offset
                b.computed_blocks[key] = block
            out.append(block)
        else:
            out.extend(run)
        run, marked = [], False

    for statement in statements:
        is_marked = any(id(node) in b.compute_marks for node in ast.walk(statement))
        if _pure(b, statement):
            run.append(statement)
            marked = marked or is_marked
        elif is_marked and _pure_return(b, statement):
            # return <value JSONata cannot compute>: the value is the run's last assignment
            setting, returning = _split_return(b, statement)
            run.append(setting)
            marked = True
            flush()
            out.append(returning)
        else:
            flush()
            out.append(statement)
    flush()
    return out


def _pure_return(b, statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Return) and statement.value is not None \
        and not effects(b, statement.value).any and _pure_node(b, statement.value, _local_functions(b), False, False)


def _local_functions(b) -> dict:
    """The nested functions the scopes define, whether or not their `def` has been lowered yet
    (Scope.functions): runs are chosen before a body's statements are (fuzz seed 2006: a helper
    called in a run was no name in the Lambda). A call of one stays in the machine."""
    out = dict(b.scope_nested())
    for scope in b.scopes():
        for name, fdef in scope.functions.items():
            out.setdefault(name, fdef)
    return out


def _split_return(b, statement: ast.Return) -> tuple:
    """`return value` as (`RESULT = value`, `return RESULT`), the same nodes in every pass."""
    key = ("return", id(statement))
    if key not in b.computed_blocks:
        setting = ast.Assign(targets=[ast.Name(id=RESULT, ctx=ast.Store())], value=statement.value)
        returning = ast.Return(value=ast.Name(id=RESULT, ctx=ast.Load()))
        for node in (setting, returning, setting.targets[0], returning.value):
            ast.copy_location(node, statement)
        b.computed_blocks[key] = (setting, returning, statement)
    return b.computed_blocks[key][:2]


def _pure(b, statement: ast.stmt) -> bool:
    """Whether the statement can run as Python in the Lambda: no effect the machine must see."""
    if not isinstance(statement, _STATEMENTS) or effects(b, statement).calls:
        return False
    nested = _local_functions(b)
    stored = set(run_names.stored([statement]))
    for name in effects(b, statement).mutates:
        if b.lookup(name, record=False)[0] is None and name not in stored:
            return False  # a module-level value changed in place
    return _pure_node(b, statement, nested, in_loop=False, in_handler=False)


def _pure_node(b, node: ast.AST, nested: dict, in_loop: bool, in_handler: bool) -> bool:
    if isinstance(node, _ESCAPING):
        return False
    if isinstance(node, (ast.Break, ast.Continue)) and not in_loop:
        return False
    if isinstance(node, ast.Raise) and node.exc is None and not in_handler:
        return False
    if isinstance(node, ast.Delete) and not all(isinstance(t, ast.Subscript) for t in node.targets):
        return False
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops) and not all(
            isinstance(c, ast.Constant) for c in node.comparators):
        return False  # identity of values that crossed JSON (copies) is not Python's
    if isinstance(node, ast.Name):
        name = node.id
        if name in nested or b.is_callee(name) or b.info.is_sfn_module(name) or b.info.sfn_function(name):
            return False
        if name in b.info.functions:  # a module-level function: a callee, not a value
            return False
        scope, ty = b.lookup(name, record=False)
        if scope is not None and ty is not None and ty.may("exc"):
            return False
        obj = b.info.objects.get(name)
        if isinstance(obj, type) and obj.__name__ == "Fail" and obj.__module__.endswith("sfn"):
            return False
        module = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
        if scope is None and isinstance(module, str) and module.split(".")[0] in EFFECTFUL_MODULES:
            return False  # the clock, randomness, the world: not a computation to move
    for field, value in ast.iter_fields(node):
        children = value if isinstance(value, list) else [value]
        loop_body = isinstance(node, (ast.For, ast.While)) and field == "body"
        for child in children:
            if not isinstance(child, ast.AST):
                continue
            handler = in_handler or isinstance(child, ast.ExceptHandler)
            if not _pure_node(b, child, nested, in_loop or loop_body, handler):
                return False
    return True


# -- the transform ----------------------------------------------------------------------
def transform_computed(b, node: ComputedBlock) -> None:
    """The run as one Task to the dispatcher Lambda, its generated function recorded."""
    run = node.body
    first, last = run[0].lineno, node.end_lineno
    where = f"line {first}" if first == last else f"lines {first}-{last}"
    what = _what(b, run)
    b.statement_text = f"Compute in Lambda: {where}" + (f" ({what})" if what else "")

    stored = run_names.stored(run)
    free = run_names.free_loads(run)
    reads_first = run_names.read_before_set(run)
    live = _live_out(b, run)
    local = [n for n in dict.fromkeys([*free, *stored]) if b.lookup(n, record=False)[0] is not None]

    def defined_before(name: str) -> bool:
        scope, _ = b.lookup(name, record=False)
        return scope is not b.scope or b.is_defined(b.var(name, scope))

    inputs = [n for n in local if n in reads_first or (n in stored and n in live and defined_before(n))]
    mutated = run_names.mutated_roots(run, set(inputs))
    for name, depth in mutated.items():
        b.check_mutation(node, name, nested=depth > 0, depth=max(depth, 1))
    # read elsewhere, or read by the run itself before it sets it (the run's next entry, in a loop)
    outputs = [n for n in dict.fromkeys([*stored, *mutated]) if n in live or n in reads_first or n == RESULT]

    located = [ast.copy_location(ast.Name(id=n, ctx=ast.Load()), node) for n in inputs]
    # an input that may be unassigned goes in as its marker, and the function deletes it: Python
    # raises UnboundLocalError where the block reads it, if it does (an inlined helper's result
    # set in one branch only), not the machine before the block runs (fuzz seed 2005)
    read = [_without_unbound_check(e) for e in operands(b, located)]
    unbound = tuple(n for n, (_, checked) in zip(inputs, read, strict=True) if checked)
    exprs = [no_int_keys(b, e, "the Lambda that computes " + where) for e, _ in read]
    if any(e.guards for e in exprs):
        b.check(exprs, f"Check inputs of {where}")
        exprs = [attrs.evolve(e, guards=()) for e in exprs]
    hints: dict = {}
    floats: list = []  # the places of floats in inputs with no annotation (runtime/dispatch.py)
    for name, expr in zip(inputs, exprs, strict=True):
        if expr.ty.may("exc"):
            raise Refusal(node, f"'{name}' is an exception, which cannot be passed to the Lambda that computes "
                          f"{where}", "pass str(e) instead")
        if sets.is_set(expr.ty):
            raise Refusal(node, f"'{name}' is a set, which would reach the Lambda computing {where} as a list "
                          "(JSON has no sets)", f"build the set inside the block, or pass sorted({name})")
        if pytypes.has_tuple(expr.ty):
            raise Refusal(node, f"'{name}' ({expr.ty.describe()}) may be or hold a tuple, which reaches the Lambda "
                          f"computing {where} as a list (JSON has only arrays)",
                          "make it a list before (list(...)), or build the tuple inside the block")
        text, hint = _input_hint(expr.ty)
        paths = pytypes.float_paths(expr.ty) if text is None else []
        if paths is None or (text is not None and not pytypes.float_safe(expr.ty, hint)):
            trouble = ("holds a float the workflow computed among numbers of unknown type" if expr.ty.is_any
                       else f"({expr.ty.describe()}) may be a float")
            raise Refusal(node, f"'{name}' {trouble}, and JSON carries 3.0 as 3: the Lambda computing {where} would "
                          "receive an int where Python has the float",
                          "compute it in the same block, or make it always a float (float(...)) or always an int")
        if text:
            hints[name] = text
        floats += [[name, *path] for path in paths or ()]

    inference = Inference(env={n: e.ty for n, e in zip(inputs, exprs, strict=True)}, objects=b.info.objects)
    inference.block(run)
    types = {}
    for name in outputs:
        # every type it held in the run: an exception leaves the value it had then
        ty = inference.ever.get(name, pytypes.ANY)
        bad = foreign(ty)
        if bad:
            origin = inference.origin.get(name, node)
            verb = "is" if foreign(attrs.evolve(ty, elem=None, value=None)) else "holds"
            what = "the value returned" if name == RESULT else f"'{name}'"
            raise Refusal(origin, f"{what} {verb} a {' | '.join(dict.fromkeys(bad))} when it leaves the Python "
                          f"computed in the Lambda ({where}); JSON cannot carry it to the state machine",
                          f"convert it before the block ends ({_convert_hint(bad)}), or use it only inside the block")
        types[name] = ty

    definite = run_names.definitely_set(run)[0] | {n for n in inputs}
    function = _function(b, node, where, inputs, hints, outputs, types, mutated,
                         {n: e.ty for n, e in zip(inputs, exprs, strict=True)}, unbound)
    task = ir.Task(title=f"Compute {where}" + (f" ({what})" if what else ""), function=function.name,
                   lambda_arn=b.lambda_arn, kwargs={n: b.field(e) for n, e in zip(inputs, exprs, strict=True)},
                   floats=floats, retry=[ir.LAMBDA_SERVICE_RETRY])
    for name in outputs:
        b.declare(name)
    raised = b.temp("raised")
    task.assign = {b.var(n): ir.Code("$states.result.Payload.values." + (f"`{n}`" if n in _JSONATA_WORDS else n))
                   for n in outputs}
    task.assign[raised] = ir.Code("$states.result.Payload.raised")
    # the Lambda failing (a timeout, pysfn.ComputedValue) is not a Python exception: no except sees it
    stop = ir.Catcher(["States.ALL"], keep_error=True)
    b.callee_raise_label().add(b.hole(stop, "next"))
    task.catch = [stop]
    before = b.defined
    b.add(task, frozenset(b.var(n) for n in outputs if n in definite) | {raised})
    for name in outputs:
        b.note_type(name, types[name])
    _note_sharing(b, run, inputs, outputs, inference.env)
    b.callees_computed[function.name] = function
    # an exception the run raised came back with the values set before it: raise it here
    # (Python's class and message), to the enclosing except as any raise goes
    choice = ir.Choice(title=f"Raised in {where}")
    rule = ir.Rule(ir.Code(f"${raised} != null"), check="an exception raised in the Lambda")
    choice.rules.append(rule)
    rest = [b.hole(choice, "default")]
    raising = b.hole(rule, "next", before | {raised})
    b.add(choice)
    b.then([raising])
    assign, label = b.route(None, {"type": ir.Code(f"${raised}.type"), "message": ir.Code(f"${raised}.message")})
    b.assign([(name, record_expr(value)) for name, value in assign.items()], "Raise again")
    b.jump(label)
    b.then(rest)


def _note_sharing(b, run: list, inputs: list, outputs: list, env: dict) -> None:
    """The machine's outputs are fresh copies; in Python an output may share a list or dict
    with an input or another output (`ys = xs`, `row = rows[0]`, `out.append(row)`). Those
    that may count as shared afterwards (a later in-place change is refused, as for any shared
    value); the others are fresh."""
    def may_hold_mutable(name: str) -> bool:
        ty = env.get(name)
        return ty is None or ty.is_any or ty.mutable or any(k.startswith("py:") for k in ty.kinds)

    links: dict = {}  # name -> names whose lists or dicts its value may hold

    def link(names, effect) -> None:
        partners = effect.whole | effect.items_of | effect.inside | effect.items_inside
        for name in names:
            links.setdefault(name, set()).update(partners)
            for partner in partners:
                links.setdefault(partner, set()).add(name)

    for statement in run:
        for sub in ast.walk(statement):
            if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
                link(names, sharing(sub.value))
            elif isinstance(sub, ast.For):
                link({n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name)}, sharing(sub.iter))
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                    and sub.func.attr in MUTATING_METHODS:
                root, _ = run_names.root_and_depth(sub.func.value)
                for arg in sub.args:
                    if root:
                        link({root}, sharing(arg))
    boundary = set(inputs) | set(outputs)
    shared: set = set()
    for name in outputs:
        if not may_hold_mutable(name):
            continue
        seen, stack = {name}, [name]
        while stack:
            for partner in links.get(stack.pop(), ()):
                if partner not in seen and may_hold_mutable(partner):
                    seen.add(partner)
                    stack.append(partner)
        partners = (seen - {name}) & boundary
        if partners:
            shared |= partners | {name}
    scope_names = {n for n in shared if b.lookup(n, record=False)[0] is b.scope}
    fresh = [n for n in outputs if n not in shared and may_hold_mutable(n)]
    if fresh:
        b.update_alias(unshare=fresh, undeepen=fresh)
    if scope_names:
        b.update_alias(share=scope_names, deepen=scope_names)


def _without_unbound_check(read: Expr) -> tuple[Expr, bool]:
    """A variable's read without the check that it is assigned (UNBOUND's lookup), and whether
    it had one."""
    kept = tuple(g for g in read.guards if '"@pysfn"' not in g.cond)
    return attrs.evolve(read, guards=kept), len(kept) != len(read.guards)


def _function(b, node, where: str, inputs: list, hints: dict, outputs: list, types: dict,
              mutated: dict, types_in: dict, unbound: tuple = ()) -> ComputedFunction:
    scope = "".join(ch if ch.isalnum() else "_" for ch in b.scope.name)
    last = node.end_lineno
    suffix = f"{scope}_L{node.lineno}" + (f"_{last}" if last != node.lineno else "")
    name, pyname = f"pysfn.compute_{suffix}", f"_pysfn_compute_{suffix}"
    params = ", ".join(f"{n}: {hints[n]}" if n in hints else n for n in inputs)
    specs = {n: spec(types[n]) for n in outputs}
    watched = tuple(n for n in inputs if n not in mutated and (types_in[n].mutable or types_in[n].is_any))
    body = "\n".join(ast.unparse(statement) for statement in node.body)
    path = b.info.path.replace("\\", "/").rsplit("/", 1)[-1]
    source = "\n".join([
        f"def {pyname}({params}):",
        f'    """{where} of {path} ({b.scope.name}), run as Python in the Lambda."""',
        *(f"    if _pysfn_unbound({n}):\n        del {n}" for n in unbound),
        f"    _pysfn_before = _pysfn_snapshot(locals(), {watched!r})",
        "    try:",
        textwrap.indent(body, "        "),
        "    except Exception as _pysfn_error:  # raised again by the machine, with the values set so far",
        f"        return _pysfn_results(locals(), {specs!r}, _pysfn_before, {where!r}, _pysfn_error, _pysfn_known)",
        f"    return _pysfn_results(locals(), {specs!r}, _pysfn_before, {where!r})",
        "",
    ])
    module_names = tuple(sorted(n for n in run_names.free_loads(node.body) if n in b.info.objects
                                and b.lookup(n, record=False)[0] is None))
    owner = b.computed_names.setdefault(id(node), None)
    if owner is None:  # the same lines in another scope or body: a name of its own
        taken = set(b.computed_names.values())
        count, owner = 1, suffix
        while owner in taken:
            count += 1
            owner = f"{suffix}_{count}"
        b.computed_names[id(node)] = owner
    if owner != suffix:
        name, pyname = f"pysfn.compute_{owner}", f"_pysfn_compute_{owner}"
        source = source.replace(f"def _pysfn_compute_{suffix}(", f"def {pyname}(", 1)
    return ComputedFunction(name, pyname, source, module_names)


def spec(ty: Ty):
    """What compute_runtime.problem checks a value leaving the block against."""
    if ty.is_any or ty.json_number:
        return "any"
    out: dict = {"kinds": sorted(ty.kinds)}
    if "list" in ty.kinds:
        out["elem"] = spec(ty.element)
    if "dict" in ty.kinds:
        out["value"] = spec(ty.values)
    return out


def _input_hint(ty: Ty, depth: int = 0):
    """(annotation text, annotation) that makes the dispatcher give the function the floats
    Python has (JSON carries 3.0 as 3), or (None, None)."""
    if depth > 3 or not pytypes.may_hold_float(ty):
        return None, None
    if ty.only("float"):
        return "float", float
    if ty.without("none").only("float"):
        return "float | None", float | None
    if ty.only("list") and ty.form == "list":
        text, hint = _input_hint(ty.element, depth + 1)
        return (f"list[{text}]", list[hint]) if text else (None, None)
    if ty.only("dict"):
        text, hint = _input_hint(ty.values, depth + 1)
        return (f"dict[str, {text}]", dict[str, hint]) if text else (None, None)
    return None, None


def _convert_hint(kinds: list) -> str:
    hints = {"set": "sorted(...) or list(...)", "frozenset": "sorted(...)", "tuple": "list(...)",
             "datetime": ".isoformat()", "date": ".isoformat()", "time": ".isoformat()",
             "timedelta": ".total_seconds()", "dict with non-str keys": "{str(k): v for k, v in d.items()}"}
    return ", ".join(dict.fromkeys(hints.get(k, "a str, number, list or dict") for k in kinds))


def _what(b, run: list) -> str:
    """The constructs that made the run computed in the Lambda, for the state's name."""
    names: list = []
    for statement in run:
        for sub in ast.walk(statement):
            label = None
            if isinstance(sub, ast.Call):
                func = sub.func
                if isinstance(func, ast.Name) and func.id == "round" and len(sub.args) > 1:
                    label = "round"
                elif isinstance(func, ast.Name) and func.id in b.info.objects and func.id not in b.info.functions:
                    label = func.id
                elif isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)) \
                        and root_name(func) in b.info.objects and b.lookup(root_name(func), record=False)[0] is None:
                    label = ast.unparse(func)
                elif isinstance(func, ast.Name) and func.id in ("set", "frozenset", "divmod", "hex", "oct", "bin"):
                    label = func.id
            elif isinstance(sub, (ast.Set, ast.SetComp)):
                label = "set"
            elif isinstance(sub, ast.FormattedValue) and sub.format_spec is not None:
                label = "format"
            if label and label not in names:
                names.append(label)
    return ", ".join(names[:4]) + (", …" if len(names) > 4 else "")


# -- the run's names that the workflow reads elsewhere ---------------------------------
def _live_out(b, run: list) -> set:
    """Names the workflow reads outside the run (anywhere in its entry function)."""
    key = "loads"
    if key not in b.compute_loads:
        counts: Counter = Counter()
        for name in b.info.entry_names:
            counts.update(run_names.all_loads(b.info.functions[name]))
        b.compute_loads[key] = counts
    inside: Counter = Counter()
    for statement in run:
        inside.update(run_names.all_loads(statement))
    return {name for name, count in b.compute_loads[key].items() if count > inside.get(name, 0)}


# -- running the generated functions ----------------------------------------------------
def module_source(module: str, path: str, functions: list) -> str:
    """pysfn_computed.py of the Lambda package: the generated functions, importing what they
    use of the workflow module."""
    names = sorted({n for f in functions for n in f.module_names})
    lines = [
        f'"""Generated by pysfn-compile: the parts of {path} compiled with compute_in_lambda, run as',
        'Python in the workflow\'s Lambda (the state machine calls them through the dispatcher)."""',
        "",
        "from pysfn_compile.runtime.compute_runtime import results as _pysfn_results",
        "from pysfn_compile.runtime.compute_runtime import snapshot as _pysfn_snapshot",
        "from pysfn_compile.runtime.compute_runtime import unbound as _pysfn_unbound",
    ]
    if names:
        lines.append(f"from {module} import {', '.join(names)}  # noqa: F401")
    lines += ["", f"import {module} as _pysfn_workflow", "",
              "_pysfn_known = vars(_pysfn_workflow)  # the names its exceptions are caught by (dispatch.error_type)", ""]
    for function in functions:
        lines += ["", function.source]
    return "\n".join(lines)


def function_objects(module, functions: list) -> dict:
    """{payload name: function} for the local Lambda: the same source, run in (a copy of) the
    workflow module's namespace."""
    if not functions:
        return {}
    namespace = dict(vars(module))
    namespace.update(_pysfn_results=compute_runtime.results, _pysfn_snapshot=compute_runtime.snapshot,
                     _pysfn_unbound=compute_runtime.unbound, _pysfn_known=vars(module), __builtins__=builtins)
    code = compile("\n\n".join(f.source for f in functions), f"<computed in the Lambda: {module.__name__}>", "exec",
                   dont_inherit=True)  # as the Lambda's pysfn_computed.py compiles: not this file's __future__
    exec(code, namespace)  # the compiler's own generated source
    return {f.name: namespace[f.pyname] for f in functions}


__all__ = ["ComputedBlock", "ComputedFunction", "carve", "computable_name", "function_objects", "module_source",
           "note_refusal", "transform_computed"]
