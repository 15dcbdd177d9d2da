"""The compiler's driver: find the workflow, lower its body (and each branch and map body)
to a state graph, emit the ASL definition, and check it as AWS would.

Types of variables are inferred by lowering a function repeatedly until they stop changing
(a variable's type is the union of everything assigned to it); only the last pass's states
and problems are kept.
"""

from __future__ import annotations

import ast
import inspect
import json
import logging
import types
import typing

from .analysis import (
    aliasing,
    ast_edits,
    blind_numbers,
    builtin_calls,
    callee_keys,
    callee_tables,
    effects,
    element_aliases,
    inline_functions,
    iterators,
    loop_targets,
    match_statements,
    narrowing,
    parallel_assignments,
    plain_collections,
    pytypes,
    set_uses,
    walrus,
)
from .analysis.module_info import ModuleInfo
from .analysis.pytypes import Ty
from .errors import CompileError, Problem, Refusal
from .graph import entry_check, indexed_reads, ir, jsonata_lib
from .graph.builder import Builder, Hole, Scope
from .graph.choice_pruning import prune_known_rules
from .graph.exprs import Expr, Guard, combine, float_kind, mixed_number
from .graph.pure_loops import collapse_pure_loops
from .graph.state_folding import fold_states
from .graph.unread_assigns import drop_unread
from .lowering.operations import INPUT_OVERFLOW_CAUSE, OVERFLOW, type_of_value
from .lowering.visitor import Visitor
from .runtime import sfn

MAX_PASSES = 8


def find_entry(info: ModuleInfo, entry: str | None):
    if entry is not None:
        if entry not in info.functions:
            raise CompileError([Problem(info.path, 1, 1, f"there is no module-level function '{entry}'",
                                        f"the functions are: {', '.join(info.functions) or 'none'}")])
        return info.functions[entry]
    marked = [f for name, f in info.functions.items()
              if getattr(info.objects.get(name), "__pysfn_workflow__", False)]
    if len(marked) == 1:
        return marked[0]
    if not marked:
        raise CompileError([Problem(info.path, 1, 1, "no workflow found: mark the entry point with "
                                    "@sfn.workflow", "or pass --entry NAME")])
    raise CompileError([Problem(info.path, f.lineno, f.col_offset + 1,
                                f"several @sfn.workflow functions ({', '.join(x.name for x in marked)})",
                                "pass --entry NAME to choose one") for f in marked[1:]])


def compile_info(info: ModuleInfo, entry: str | None, lambda_arn: str, compute_in_lambda: bool = False,
                 coverage: bool = False):
    """(entry name, definition, callees, computed, source map): `computed` lists the functions
    generated for the blocks run in the Lambda (compute_in_lambda, or
    @sfn.workflow(compute_in_lambda=True)); with `coverage`, folded pure code also records the
    source's branches it takes, and the source map says where (source_map())."""
    fdef = find_entry(info, entry)
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise CompileError([Problem(info.path, fdef.lineno, fdef.col_offset + 1,
                                    f"the workflow '{fdef.name}' is an async def: run as Python it returns a "
                                    "coroutine, not its result", "make it a plain def")])
    info.entry_names = {fdef.name}
    builder = Builder(info, lambda_arn, Visitor())
    builder.compute_in_lambda = compute_in_lambda or bool(
        getattr(info.objects[fdef.name], "__pysfn_compute_in_lambda__", False))
    builder.lower_branch = lambda *a, **k: lower_branch(builder, *a, **k)
    graph = ir.Graph()
    scope = Scope(name=fdef.name, kind="entry", graph=graph, prefix="__")
    function = sfn.unwrap(info.objects[fdef.name])
    lower_scope(builder, scope, fdef, fdef.body, lambda: bind_entry(builder, fdef, function))
    if builder.problems:
        raise CompileError(builder.problems)
    drop_unread(graph, frozenset(builder.kind_vars))
    prune_known_rules(graph)
    folded = collapse_pure_loops(graph, record_branches=coverage, shown=frozenset(builder.shown))
    fold_states(graph, frozenset(builder.shown))
    indexed_reads.rewrite_graph(graph)
    doc = ast.get_docstring(fdef)
    comment = f"{fdef.name}() from {info.path.replace(chr(92), '/').rsplit('/', 1)[-1]}, compiled by pysfn"
    if doc:
        comment += ": " + " ".join(doc.split())[:200]
    emitter = ir.Emitter(int_keys=builder.int_keys)
    definition = emitter.machine(graph, comment)
    return (fdef.name, definition, builder.callees, list(builder.callees_computed.values()),
            source_map(folded, emitter.names))


def source_map(folded: list, names: dict) -> dict:
    """Where a coverage build's folded states record the source's branches they take:
    {"folded": {state name: {"variable": the variable its result goes to, "branches": {id:
    {"line", "source", "way"}}}}}; the result's `"@taken"` object names the ids taken
    (pysfn_emulator.coverage reads it from the state's assignedVariables)."""
    out = {name: {"variable": f.variable, "branches": f.branches}
           for f in folded if (name := names.get(id(f.node))) is not None}
    return {"folded": out} if out else {}


def _locals_of(body: list[ast.stmt], params: list[str]) -> set:
    names = set(params)
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return names


def lower_scope(b: Builder, scope: Scope, fdef, body: list[ast.stmt], bind, params=()) -> Ty:
    """Lower `body` into `scope.graph` until the variables' types are stable."""
    saved = (b.scope, b.pending, b.marks, b.statement, b.statement_text, b.handler_stack, b.loop_guarded,
             b.collect_loops, b.bindings, b.narrowed, b.block_frames)
    first_problem = len(b.problems)
    types: dict = {}
    scope.outer = b.scope
    param_names = [name for name, _ in params]
    arguments = fdef.args if isinstance(fdef, (ast.FunctionDef, ast.Lambda)) else None
    match_statements.rewrite(body)
    walrus.rewrite(body)
    loop_targets.rewrite(body)
    inline_functions.inline(body, _known_names(b, scope, arguments))
    plain_collections.rewrite(body, b.info.objects)
    arg_names = [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]] if arguments else []
    shadowing = ast_edits.bound_names(ast.Module(body=body, type_ignores=[])) | set(param_names) | set(arg_names)
    callee_tables.rewrite(body, {name for name in b.info.functions if b.is_callee(name)} - shadowing)
    builtin_calls.rewrite(body, b.info.objects, set(param_names) | set(arg_names))
    callee_keys.rewrite(body, {name: f for name, f in b.info.functions.items() if b.is_callee(name)},
                        set(param_names) | set(arg_names))
    parallel_assignments.rewrite(body)
    element_aliases.rewrite(body, param_names + arg_names)
    ast_edits.mark_generator_bodies(body)
    scope.locals = _locals_of(body, param_names)
    scope.body = body
    scope.functions = {node.name: node for node in ast.walk(ast.Module(body=body, type_ignores=[]))
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    scope.closure_reads = narrowing.closure_reads(body)
    scope.enclosed_reads = ast_edits.enclosed_reads(body)
    scope.aliasing = aliasing.function_names(body)
    scope.keys_stable = not effects.removes_keys(body)
    scope.reread_iterators = iterators.reread_iterators(body, set(b.info.objects) | scope.locals)
    scope.set_uses = set_uses.set_uses(body, set(b.info.objects) | scope.locals, set(param_names) | set(arg_names),
                                       whole_variables=b.compute_in_lambda, module_sets=frozenset(
                                           n for n, o in b.info.objects.items()
                                           if isinstance(o, (set, frozenset)) and n not in scope.locals))
    scope.blind_numbers = blind_numbers.blind_numbers(body, set(b.info.objects) | scope.locals,
                                                      entry=scope.kind == "entry",
                                                      params=frozenset(param_names) | frozenset(arg_names),
                                                      kind_reading=_kind_reading(b, scope),
                                                      fresh_call=lambda call: isinstance(call.func, ast.Name)
                                                      and call.func.id not in scope.locals
                                                      and b.is_callee(call.func.id))
    for name in scope.locals:
        if name.startswith("__"):
            b.error(fdef, f"the name '{name}' is reserved (names starting with __ are the compiler's hidden "
                          "variables)", "rename it")
    mutable_defaults = []
    if isinstance(fdef, ast.FunctionDef):
        defaults = fdef.args.defaults + [d for d in fdef.args.kw_defaults if d is not None]
        mutable_defaults = [d for d in defaults if isinstance(d, (ast.List, ast.Dict, ast.ListComp))]
    shared_params = list(param_names) if scope.kind == "branch" else []
    if mutable_defaults:
        shared_params += [a.arg for a in fdef.args.args]
    try:
        for _ in range(MAX_PASSES):
            # the pass after the types settled, run once more with what the refused statements
            # change failing too, is the last: its problems are the settled pass's, less their
            # follow-ons (the failed names' types would move on, and a later pass could find the
            # refused statement unreachable, its receiver of no type yet, and report nothing)
            last = scope.changes_fail
            marks = len(b.compute_marks)  # a pass that marks a statement to compute in the Lambda: another pass
            int_keys = b.int_keys  # a pass that first stores an int key: another, every dict's keys typed so
            del b.problems[first_problem:]
            scope.types = dict(types)
            scope.new_types = {}
            for asl_name in scope.names.values():
                b.asl_names.discard(asl_name)
            scope.names = {}
            scope.contexts = []
            scope.temp_count = 0
            scope.raise_label = None
            scope.abort_nodes = {}
            scope.nested = {}
            scope.return_type = None
            scope.loop_alias_new = {}
            scope.reads = {}
            scope.failed = set()
            scope.failed_changes = set()
            scope.maybe_unbound_new = set()
            candidates = _kind_names(scope, types)
            scope.kinds_tracked = candidates - scope.kind_lost
            scope.kind_lost_new = set()
            scope.graph.entry = None
            b.scope = scope
            b.pending = [Hole(scope.graph, "entry", frozenset())]
            b.marks = []
            b.handler_stack = []
            b.loop_guarded = set()
            b.collect_loops = {}
            b.narrowed = []
            b.block_frames = []
            b.bindings = []
            b.statement, b.statement_text = None, ""
            try:
                bind()
                if shared_params:
                    b.update_alias(share=shared_params)
                mark_unassigned(b, scope)
            except Refusal as refusal:
                b.error(refusal.node or fdef, refusal.message, refusal.hint)
            b.block(body)
            if b.reachable:  # falling off the end returns None
                b.add(ir.Succeed(title=f"Return from {scope.name}" if scope.kind == "branch" else "Return None",
                                 output=None))
                b.then([])
                scope.return_type = pytypes.join(scope.return_type, pytypes.NONE)
            # each pass starts from the previous pass's types (not their union: a pass that
            # met a variable before knowing its type must not leave that guess behind)
            new = {}
            for name, ty in scope.new_types.items():
                old = types.get(name)
                if old is not None and pytypes.join(old, ty).kinds == ty.kinds:
                    ty = pytypes.widen_bits(old, ty)  # a growing int, at any depth: widen at once
                new[name] = ty
            loops = dict(scope.loop_alias)
            for key, (shared, deep) in scope.loop_alias_new.items():
                old_shared, old_deep = loops.get(key, (frozenset(), frozenset()))
                loops[key] = (old_shared | shared, old_deep | deep)
            writer = None if b.int_keys else ir.int_key_writer(scope.graph)
            if writer is not None:
                b.int_keys = True
                b.int_key_lines = tuple(writer.lines)  # (what a refusal that int keys cause names)
            unbound_known = scope.maybe_unbound_new <= scope.maybe_unbound
            scope.maybe_unbound = scope.maybe_unbound | frozenset(scope.maybe_unbound_new)
            # the names with a companion are those that hold ints and floats (at their
            # assignments, from the previous pass's types), none of whose bindings lost it
            # (while more names become candidates, a loss may be for want of another's companion:
            # the losses start again; once the candidates settle, they only accumulate)
            if _kind_names(scope, new) != candidates:
                kinds_known, scope.kind_lost = False, frozenset()
            else:
                kinds_known = scope.kind_lost_new <= scope.kind_lost and scope.kinds_tracked == candidates - scope.kind_lost
                scope.kind_lost = scope.kind_lost | frozenset(scope.kind_lost_new)
            if last or loops == scope.loop_alias and marks == len(b.compute_marks) and int_keys == b.int_keys \
                    and unbound_known and kinds_known and (new == types or all(
                    scope.reads.get(name, ty) == ty for name, ty in new.items())):
                if scope.failed_changes and not scope.changes_fail:
                    scope.changes_fail = True  # once more, with no follow-on problem for what they change
                    continue
                break  # every read saw the type the variable ends up with
            types = new
            scope.loop_alias = loops
        else:  # out of passes: a companion some binding of this last one did not set cannot be read
            for name in sorted(scope.kind_lost_new & scope.kinds_tracked):
                b.error(fdef, f"whether '{name}' holds an int or a float could not be settled",
                        f"make it always a float ({name} = float(...)) or always an int")
        return scope.return_type or pytypes.NONE
    finally:
        (b.scope, b.pending, b.marks, b.statement, b.statement_text, b.handler_stack, b.loop_guarded,
         b.collect_loops, b.bindings, b.narrowed, b.block_frames) = saved


_ANNOTATED_KINDS = {"list": "list", "dict": "dict", "str": "str"}


def _known_names(b: Builder, scope: Scope, arguments: ast.arguments | None) -> dict:
    """For inline_functions: the imported modules and module-level loggers (`log.info`), the
    builtins that make lists, dicts and strs (`out = sorted(xs)`) unless the module rebinds them,
    and the entry's parameters annotated list, dict or str (the entry checks them, in plain runs
    too)."""
    known: dict = {name: obj for name, obj in b.info.objects.items()
                   if isinstance(obj, (types.ModuleType, logging.Logger))}
    # the builtins that make a list, dict or str, where the module does not define the name
    known |= {builtin.__name__: builtin for builtin in inline_functions.BUILT_KINDS
              if builtin.__name__ not in b.info.objects}
    if scope.kind == "entry" and arguments is not None:
        defaulted = _defaults(arguments)
        for arg in [*arguments.args, *arguments.kwonlyargs]:
            if arg.arg in defaulted:  # (Python never checks a default: `xs: list = None`)
                continue
            annotation = arg.annotation
            base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
            if isinstance(base, ast.Name) and base.id in _ANNOTATED_KINDS and b.info.objects.get(base.id) is None:
                known[arg.arg] = _ANNOTATED_KINDS[base.id]
    return known


def _kind_reading(b: Builder, scope: Scope):
    """For blind_numbers: whether a call passes an argument on with its int-or-float kind, as
    its companion says it (the payload's conditional "floats" path for a callee's parameter with
    no annotation, lowering/calls._float_places; json.dumps of it, lowering/json_text)."""
    unannotated = {}
    for name in b.info.functions:
        function = b.info.callee(name) if name not in scope.locals and b.is_callee(name) else None
        if function is None:
            continue
        try:
            parameters = list(inspect.signature(function).parameters.values())
            hints = typing.get_type_hints(function)
        except Exception:
            continue
        plain = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        unannotated[name] = ({i for i, p in enumerate(plain) if p.kind != p.KEYWORD_ONLY and p.name not in hints},
                             {p.name for p in plain if p.kind != p.POSITIONAL_ONLY and p.name not in hints})
    dumps = b.info.objects.get("json") is json and "json" not in scope.locals

    def reads(call: ast.Call, node: ast.AST) -> bool:
        func = call.func
        if any(isinstance(arg, ast.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords):
            return False
        if dumps and isinstance(func, ast.Attribute) and func.attr == "dumps" and isinstance(func.value, ast.Name) \
                and func.value.id == "json":
            return bool(call.args) and call.args[0] is node
        if not (isinstance(func, ast.Name) and func.id in unannotated):
            return False
        positions, keywords = unannotated[func.id]
        at = next((i for i, arg in enumerate(call.args) if arg is node), None)
        if at is not None:
            return at in positions
        return any(k.value is node and k.arg in keywords for k in call.keywords)
    return reads


def _kind_names(scope: Scope, types: dict) -> frozenset:
    """The names that keep a companion saying whether their number is a float: those that may
    hold an int or a float, and those a blind number reaches that is printed whole
    (blind_numbers.kind_names)."""
    mixed = frozenset(name for name, ty in types.items() if mixed_number(ty))
    blind = scope.blind_numbers.kind_names if scope.blind_numbers is not None else frozenset()
    unknown = frozenset(name for name in blind if name in types and types[name].json_number
                        and types[name].may("int", "float"))  # (a static type says the kind itself)
    return mixed | unknown


def mark_unassigned(b: Builder, scope: Scope) -> None:
    """At the function's start, the names some read may find unassigned hold a value no JSON
    input or result holds (UNBOUND), so that such a read raises Python's UnboundLocalError
    (expressions.transform_name); the builder still counts them as unassigned. A parameter
    (bound already: `del xs`, `except E as xs` unbind it later) keeps its argument."""
    names = sorted(name for name in scope.maybe_unbound if b.var(name) not in b.defined)
    if names:
        b.unassign(names, "Mark unassigned")


def lower_branch(b: Builder, name: str, body: list[ast.stmt], params: list, node, unpack=None,
                 source: str = "$states.input", child: bool = False):
    """A Parallel branch or Map item processor: its own scope, reading the outer variables;
    its parameter is `source` (a distributed Map's batch: `$states.input.Items`); `child`
    where it is a distributed Map's child execution."""
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    base, count = name, 1
    while any(scope.name == name for scope in b.scopes()):  # a Map inside a Map on the same line:
        count += 1  # its hidden variables must not be the enclosing ones' (AWS refuses that)
        name = f"{base}_{count}"
    graph = ir.Graph()
    scope = Scope(name=name, kind="branch", graph=graph, prefix=f"__{name}_", child=child)

    def bind():
        if not params:
            return
        pairs = []
        if unpack is not None and isinstance(unpack, (ast.Tuple, ast.List)):
            for position, (param, ty) in enumerate(params):
                b.note_type(param, ty)
                pairs.append((b.var(param), Expr(f"$states.input[{position}]", ty)))
        else:
            (param, ty), = params
            b.note_type(param, ty)
            pairs.append((b.var(param), Expr(source, ty)))
        b.assign(pairs, "Set " + ", ".join(p for p, _ in params))

    ty = lower_scope(b, scope, node, body, bind, params)
    return graph, ty


# -- the entry point's parameters ---------------------------------------------------------
def bind_entry(b: Builder, fdef: ast.FunctionDef, function) -> None:
    """The first state: check the execution input as Python's call main(**input) would,
    then set a variable per parameter (defaults apply)."""
    args = fdef.args
    if args.posonlyargs or args.vararg or args.kwarg:
        raise Refusal(fdef, "the workflow's parameters must be plain (no /, *args or **kwargs)",
                      "take each input key as a named parameter")
    positional = [a.arg for a in args.args]
    keyword_only = [a.arg for a in args.kwonlyargs]
    signature = inspect.signature(function)
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = {}
    name = function.__qualname__
    qualified = f"{function.__module__}.{name}" if function.__module__ != "builtins" else name
    checks: list[entry_check.Parameter] = []
    pairs = []
    for param in positional + keyword_only:
        default = signature.parameters[param].default
        value = f"$lookup($states.input, {entry_check.text_literal(param)})"
        hint = hints.get(param)
        ty = pytypes.hint_type(hint) if hint is not None else pytypes.ANY
        if default is not inspect.Parameter.empty:
            try:
                literal = jsonata_lib.literal(default)
            except (TypeError, ValueError):
                raise Refusal(fdef, f"the default of '{param}' is not a JSON value") from None
            blind = b.scope.blind_numbers is not None and param in b.scope.blind_numbers.compared_names
            integral = _integral_float(default) if hint is None and not blind else None
            if integral is not None:  # (the parameter is bound all the same)
                b.error(_defaults(args).get(param) or fdef,
                        f"the default of '{param}' holds the float {integral!r}, which JSON, and so "
                        "the machine, holds as an int: a parameter with no annotation follows the number rule "
                        "(integral means int), so it would print and pass on as the int",
                        f"annotate it ({param}: float = ...), or write the default as an int")
            value = f"($v := {value}; $exists($v) ? $v : {literal})"  # the default reads no variable
            if hint is not None and (not sfn._conform(hint, default)[1] or (
                    type(default) is int and ty.may("float") and not ty.may("int"))):
                # Python never checks a default (`rate: float = 1` holds the int 1 where the
                # input leaves it out, and prints as 1): the parameter is either
                ty = pytypes.join(ty, _value_type(default))
        checks.append(entry_check.Parameter(param, default is inspect.Parameter.empty, param in keyword_only,
                                            hint if hint is not None and entry_check.needs_check(hint) else None))
        b.declare(param)
        b.note_type(param, ty, kinded=True)
        pairs.append((b.var(param), Expr(value, ty)))
        if param in b.scope.kinds_tracked:  # its companion: the input's kind by the number rule, or the default's
            lookup = f"$lookup($states.input, {entry_check.text_literal(param)})"
            # (an input's kind is its annotation's, the entry having checked it)
            kind = float_kind(Expr(lookup, pytypes.hint_type(hint) if hint is not None else ty))
            if kind is None:
                b.scope.kind_lost_new.add(param)
            else:
                if default is not inspect.Parameter.empty:
                    kind = Expr(f"($exists({lookup}) ? {kind.code} : {jsonata_lib.literal(isinstance(default, float))})",
                                pytypes.BOOL, helpers=kind.helpers)
                pairs.append((b.kind_var(param), kind))
    guards = [Guard(test, TypeError, message) for test, message in entry_check.argument_check(name, qualified, checks)]
    scanned = [param for param in positional + keyword_only
               if param not in hints or not entry_check.exact_numbers(hints[param])]
    if scanned:
        guards.append(Guard(entry_check.unsafe_integer_test(scanned, len(scanned) == len(checks)), None, "''",
                            abort=True, error_name=OVERFLOW, message_literal=INPUT_OVERFLOW_CAUSE))
    b.statement = fdef
    b.statement_text = f"def {fdef.name}({', '.join(positional + keyword_only)})"
    choice = b.guard_choice(f"Start {fdef.name}", guards)
    choice.mergeable = True
    choice.default_assign = {var: ir.Code(expr.code) for var, expr in pairs}
    b.add(choice)
    b.then([b.hole(choice, "default", frozenset(var for var, _ in pairs))])
    b.statement = None


def _defaults(args: ast.arguments) -> dict[str, ast.expr]:
    """The parameters that have a default, each with the default's expression in the def."""
    positional = args.args[len(args.args) - len(args.defaults):]
    pairs = [*zip(positional, args.defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    return {arg.arg: default for arg, default in pairs if default is not None}


def _integral_float(value, depth: int = 0) -> float | None:
    """An integral float in a default (80.0, [1.0]), which the number rule would read as an int."""
    if isinstance(value, float) and value.is_integer():
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    return next((found for item in items if depth < 20 and (found := _integral_float(item, depth + 1)) is not None),
                None)


def _value_type(value) -> Ty:
    """The static type of a default value: a scalar's own, anything else's unknown."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return type_of_value(value)
    return pytypes.ANY


__all__ = ["compile_info", "combine"]
