"""The visitor: which transform lowers each kind of AST node (mypyc's irbuild/visitor.py is
the model). It is the only module that imports the transform modules (statements,
expressions, calls, builtins, json_text, lambda_compute, logging_calls, service_calls); a
transform recurses through the builder (`b.expr`, `b.call`, `b.block`), which calls back here.
Beyond the dispatch tables it holds only what chooses a transform: a call by what is called, a
comprehension by whether it calls a callee, the block loop, which (compute_in_lambda) carves
runs to compute in the Lambda, and the statement loop, which records a refused statement as a
problem and goes on, so that one run reports every problem of the file.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import types

from ..analysis import callee_returns, inline_functions, origins, plain_collections
from ..analysis.aws_models import facade_operation
from ..analysis.effects import IN_PLACE_METHODS, effects
from ..errors import Refusal
from ..graph.exprs import Expr, printed_kind
from . import (
    builtins,
    calls,
    expressions,
    json_text,
    lambda_compute,
    logging_calls,
    service_calls,
    statements,
)
from .evaluation import pure_comprehension
from .formatting import FLOAT_HINT, UNKNOWN_HINT
from .operations import ANY_HINT, float_blind

STATEMENTS = {
    ast.Pass: statements.transform_pass,
    ast.Expr: statements.transform_expr,
    ast.Assign: statements.transform_assign,
    ast.AnnAssign: statements.transform_ann_assign,
    ast.AugAssign: statements.transform_aug_assign,
    ast.Delete: statements.transform_delete,
    ast.Assert: statements.transform_assert,
    ast.If: statements.transform_if,
    ast.While: statements.transform_while,
    ast.For: statements.transform_for,
    ast.Break: statements.transform_break,
    ast.Continue: statements.transform_continue,
    ast.Return: statements.transform_return,
    ast.Raise: statements.transform_raise,
    ast.Try: statements.transform_try,
    ast.FunctionDef: statements.transform_function_def,
    ast.Nonlocal: statements.transform_nonlocal,
    ast.Match: statements.transform_match,
    lambda_compute.ComputedBlock: lambda_compute.transform_computed,  # compute_in_lambda: carved by block()
}


# what to write in place of a library class a workflow calls (a message's hint)
_PLAIN_INSTEAD = {
    "collections.defaultdict": "use it only as a dict with a default (d[k], d[k] += v, d[k].append(v), "
                               "k in d, len(d), d.items(), ...), or a dict: d.setdefault(k, []).append(v), "
                               "d[k] = d.get(k, 0) + 1",
    "collections.Counter": "use it only as counts (c[k] += 1, c[k], c.most_common(n), k in c, c.items(), ...), "
                           "or count in a dict: counts[k] = counts.get(k, 0) + 1; the most common: "
                           "sorted(counts.items(), key=lambda kv: -kv[1])[:n] (equal counts in the order first counted, as most_common())",
    "collections.OrderedDict": "use a dict (it keeps the order keys were added in)",
    "collections.deque": "use a list (append, pop, xs[0], xs[1:])",
    "collections.namedtuple": "use a dict, or a TypedDict to name its keys",
}


_NOT_INLINED_HINT = ("restructure it (a helper's return ends its paths or leaves one loop), pass it to "
                     "sfn.parallel(...) or sfn.map(...), or make it a module-level function (a callee, run as a Lambda)")
# by inline_functions.not_inlined's reason: what to write instead
_NOT_INLINED_HINTS = {
    "it has a yield": "write it as a function that builds the list and returns it (out.append(x) where it yields), "
                      "or make it a module-level function (a callee, run as a Lambda)",
    "it calls (or names) itself": "walk the structure with a loop and a list of what is left to visit (a stack), or "
                                  "make it a module-level function (a callee, run as a Lambda)",
}


def _class_refusal(node: ast.Call, name: str, obj, module: str) -> Refusal | None:
    """A class called in the workflow: the user's (`Item(**d)` of a dataclass; `module` is the
    workflow's), or a library's."""
    if not isinstance(obj, type) or issubclass(obj, BaseException) or obj.__module__ in ("builtins", "typing"):
        return None
    kind = "a dataclass" if dataclasses.is_dataclass(obj) else "a class"
    if obj.__module__ != module:  # a library's class (Decimal, Fraction, datetime): no dict stands in
        return Refusal(node, f"'{name}' is a class of {obj.__module__}: a state machine holds JSON values (dicts, "
                       "lists, str, numbers, bools, None), not its instances",
                       f"compute with {name} in a callee (a module-level function, run as a Lambda) and return "
                       "JSON values (str(x) for an exact decimal)", computable=True)
    return Refusal(node, f"'{name}' is {kind}: a state machine holds JSON values (dicts, lists, str, numbers, "
                   "bools, None), not instances with attributes",
                   f"use a dict, and a TypedDict to name its keys and their types (class {name}(TypedDict): ...; "
                   "d[\"key\"] for d.key); or build and use the instances in a callee", computable=True)


def transform_comprehension(b, node) -> Expr:
    """A comprehension that calls a callee per item is a Map state; any other is one JSONata
    expression (its first iterable, which Python evaluates before it starts, may call one:
    `[p[1] for p in sorted([[score(x), x] for x in xs])]` maps only inside)."""
    inside = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    inside += [test for generator in node.generators for test in generator.ifs]
    inside += [generator.iter for generator in node.generators[1:]]
    if any(effects(b, part).any for part in inside):
        return calls.comprehension_map(b, node)
    return pure_comprehension(b, node)


def transform_call(b, node: ast.Call, target: str | None = None) -> Expr:
    """Any call in an expression, by what is called: a callee (a Task), an sfn function, a
    builtin, a method; `target` (an ASL variable) receives a Task's result directly. A builtin
    whose argument never exists is never called: that argument's lookup error comes first
    (builtins.Unreached)."""
    try:
        return _transform_call(b, node, target)
    except builtins.Unreached as never:
        return never.expr


def _transform_call(b, node: ast.Call, target: str | None) -> Expr:
    func = node.func
    called = _standard_function(b, func)
    if isinstance(called, types.BuiltinFunctionType) and called in calls.CLOCKS:  # datetime.now(), time.time()
        raise calls.clock_refusal(node)
    if b.in_jsonata_function and effects(b, node).any:
        raise Refusal(node, f"{ast.unparse(func)}() needs a state of its own, but it is inside a part of the "
                      "expression evaluated as one JSONata function (a comprehension condition, a key function, "
                      "a nested generator)", "compute it in a for loop first, then use the results")
    if isinstance(func, ast.Name):
        name = func.id
        if b.comprehension_binding(name) is None and b.lookup(name)[0] is None:
            nested = b.scope_nested()
            why = inline_functions.not_inlined(nested[name]) \
                if isinstance(nested.get(name), ast.FunctionDef) else None
            if why is not None:
                raise Refusal(node, f"'{name}' is a nested function that cannot run inline: {why}",
                              _NOT_INLINED_HINTS.get(why, _NOT_INLINED_HINT))
            blocked = inline_functions.blocked_by(nested[name]) if name in nested else None
            if blocked is not None and getattr(blocked, "lineno", node.lineno) != node.lineno:
                raise Refusal(node, f"'{name}' is a nested function that runs inline only where every use of it can: "
                              f"its use on line {blocked.lineno} cannot, so this call does not either",
                              f"write the use on line {blocked.lineno} as a statement of its own (`v = {name}(...)`), "
                              "or make it a module-level function (a callee, run as a Lambda)")
            if name in nested:
                raise Refusal(node, f"'{name}' is a nested function called inside an expression where it cannot run "
                              "inline (a lambda; a generator read by min(), max(), next() or with a second `for`; a "
                              "later comparison of a chain; an assert's message; a method of a value that may fail "
                              "first)",
                              f"write `result = {name}(...)` as a statement of its own (after the def; see "
                              "pysfn_compile/README.md, nested functions), pass it to sfn.parallel(...) or "
                              "sfn.map(...), or make it a module-level function (a callee, run as a Lambda)")
            if b.is_callee(name):
                return calls.call_callee(b, node, name, target)
            sfn_name = b.info.sfn_function(name)
            if sfn_name is not None:
                return calls.call_sfn(b, node, sfn_name, target)
            if b.info.exception_class(name) is not None:
                raise Refusal(node, "exceptions can only be raised here", f"raise {name}(...)")
            handler = builtins.FUNCTIONS.get(name)
            if handler is not None and name not in b.info.objects:
                return handler(b, node)
        obj = b.info.objects.get(name)
        module_function = _module_function(obj)
        if module_function is not None:  # from math import ceil
            return module_function(b, node)
        known = _PLAIN_INSTEAD.get(f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}")
        if known is not None:
            why = plain_collections.why_not(node)  # a defaultdict/Counter used where a dict differs
            raise Refusal(node, f"'{name}' is {obj.__module__}.{obj.__qualname__}, which the state machine cannot "
                          "run" + (f" (as a plain dict it could, but not with this use: {why})" if why else ""),
                          known, computable=lambda_compute.computable_name(b, name))
        refused = _class_refusal(node, name, obj, b.info.module.__name__)
        if refused is not None:
            raise refused
        if getattr(obj, "__pysfn_workflow__", False):
            raise Refusal(node, f"'{name}' is a workflow (@sfn.workflow): a state machine cannot call one as a "
                          "function (it would start an execution of its own)",
                          "repeat the work with a loop; or move what both share into a callee (a module-level "
                          "function, run as a Lambda)")
        raise Refusal(node, f"calling '{name}' is not supported in a workflow",
                      "call module-level functions (callees, run as Lambdas) and the supported builtins",
                      computable=lambda_compute.computable_name(b, name))
    if isinstance(func, ast.Attribute):
        operation = facade_operation(b, func)
        if operation is not None:  # sfn.aws.<service>.<method>(...): an AWS service call
            return service_calls.call_service(b, node, operation, target)
        if isinstance(func.value, ast.Name) and b.info.is_sfn_module(func.value.id) \
                and b.lookup(func.value.id)[0] is None:
            return calls.call_sfn(b, node, func.attr, target)
        if isinstance(func.value, ast.Name) and func.value.id == "dict" and func.attr == "fromkeys" \
                and b.lookup("dict")[0] is None and "dict" not in b.info.objects:
            return builtins.dict_fromkeys(b, node)
        level = logging_calls.logger_call(b.info.objects.get(func.value.id), func.attr) \
            if isinstance(func.value, ast.Name) and b.lookup(func.value.id)[0] is None else None
        if level is not None:  # log.info("...", n) through a module-level Logger, or logging.info
            return logging_calls.log(b, node, level)
        if isinstance(func.value, ast.Name) and b.lookup(func.value.id)[0] is None \
                and isinstance(b.info.objects.get(func.value.id), types.ModuleType):
            transform = _module_function(getattr(b.info.objects[func.value.id], func.attr, None))
            if transform is not None:  # math.ceil(x), json.dumps(x)
                return transform(b, node)
            raise calls.module_call_refusal(node, func.value.id, func.attr)
        return builtins.call_method(b, node)
    raise Refusal(node, "this kind of call is not supported", "call a function by its name")


EXPRESSIONS = {
    ast.Attribute: expressions.transform_attribute,
    ast.Constant: expressions.transform_constant,
    ast.Name: expressions.transform_name,
    ast.List: expressions.transform_list,
    ast.Tuple: expressions.transform_list,
    ast.Dict: expressions.transform_dict,
    ast.BinOp: expressions.transform_binop,
    ast.UnaryOp: expressions.transform_unaryop,
    ast.BoolOp: expressions.transform_boolop,
    ast.IfExp: expressions.transform_ifexp,
    ast.Compare: expressions.transform_compare,
    ast.Subscript: expressions.transform_subscript,
    ast.JoinedStr: expressions.transform_joinedstr,
    ast.FormattedValue: expressions.transform_formatted_value,
    ast.ListComp: transform_comprehension,
    ast.Set: expressions.transform_set,
    ast.SetComp: expressions.transform_set_comprehension,
    ast.GeneratorExp: transform_comprehension,
    ast.DictComp: transform_comprehension,
    ast.Call: transform_call,
    ast.Lambda: expressions.transform_lambda,
}


def _construct(node: ast.AST) -> str:
    names = {ast.Lambda: "a lambda here", ast.Set: "a set", ast.SetComp: "a set comprehension",
             ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield from",
             ast.NamedExpr: "the walrus operator (:=)", ast.Starred: "unpacking with *",
             ast.Attribute: "attribute access"}
    return names.get(type(node), type(node).__name__)


def _origin_of_unknown(b, node: ast.AST, refusal: Refusal) -> str:
    """For a refusal about a value of unknown type: which value, and where it comes from."""
    if "any JSON value" not in refusal.message and refusal.hint not in (ANY_HINT, UNKNOWN_HINT):
        return ""
    unknown = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in unknown:
            _, ty = b.lookup(sub.id, record=False)
            if ty is not None and (ty.is_any or (ty.json_number and len(ty.kinds) > 1)):
                unknown.append(sub.id)
    callees = {sub.name for sub in b.info.tree.body if isinstance(sub, ast.FunctionDef) and b.is_callee(sub.name)
               and callee_returns.body_type(sub, b.info).is_any}  # the others' results are inferred
    text = origins.explain(b.info.tree, node, unknown, callees)
    return f" ({text})" if text else ""


SEQUENCE_HINT = ("give the converted value a name of its own (`goal_t = tuple(goal)`): a variable that is a list "
                 "somewhere and a tuple elsewhere is either for the compiler")
MIXED_HINT = ("convert into a name of its own (`qty = int(row[\"qty\"])`) or into a new dict, so that each of "
              "its values has one type")


def _kinds_origin(b, node: ast.AST, refusal: Refusal) -> str:
    """For a refusal of a number that may be an int or a float (or a value that may be a list
    or a tuple): which variable, and where it is assigned what (`avg = total / n if n else 0`:
    the 0 is an int; `goal = tuple(goal)` of a parameter, a list from JSON)."""
    numbers = "may be an int or a float" in refusal.message or "or an int, and JSON" in refusal.message
    sequences = "where a list may meet a tuple" in refusal.message
    if not numbers and not sequences:
        return ""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            _, ty = b.lookup(sub.id, record=False)
            mixed = ty is not None and (ty.may("int") and ty.may("float") and not ty.json_number if numbers
                                        else ty.may("list") and ty.form == "either")
            if mixed:
                where = origins.assignments(b.info.tree, node, sub.id)
                if where:
                    return f" (`{sub.id}` is {ty.describe()}: {where})"
    text = origins.mixed_items(b.info.tree, node) if numbers else ""  # (`clean["score"] = float(...)`)
    return f" ({text})" if text else ""


def _mixed(b, node: ast.AST, refusal: Refusal) -> str:
    """For an operation refused on a union of kinds: a dict whose items the workflow converts."""
    if not refusal.message.startswith("unsupported operand type for ") or " | " not in refusal.message:
        return ""
    text = origins.mixed_items(b.info.tree, node)
    return f" ({text})" if text else ""




def _names_set(statement: ast.stmt) -> set[str]:
    """The names a statement (with its body) may assign: unknown once it has been refused."""
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not statement:
            names.add(node.name)
    return names


def _names_changed(statement: ast.stmt) -> set[str]:
    """The names a statement may change in place (`d[k] = v`, `d.setdefault(k, set()).add(v)`)."""
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                or isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in IN_PLACE_METHODS:
            root = node.value if isinstance(node, ast.Subscript) else node.func.value
            while isinstance(root, (ast.Subscript, ast.Attribute, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name):
                names.add(root.id)
    return names


def _statement_name(statement: ast.stmt) -> str:
    names = {ast.With: "a with statement", ast.AsyncWith: "async with", ast.AsyncFor: "async for",
             ast.ClassDef: "a class definition", ast.Import: "an import", ast.ImportFrom: "an import",
             ast.Global: "global", ast.Nonlocal: "nonlocal", ast.AsyncFunctionDef: "an async def"}
    if hasattr(ast, "Match") and isinstance(statement, ast.Match):
        return "match"
    return names.get(type(statement), type(statement).__name__)


def _refuse_set_misuse(b, node: ast.AST) -> None:
    """A use of a set where its order would show, or a change the machine's copy would not
    share (analysis/set_uses.py)."""
    for scope in b.scopes():
        problem = scope.set_uses.misuse(node) if scope.set_uses is not None else None
        if problem is not None:
            raise Refusal(node, *problem, computable=True)


def _standard_function(b, func: ast.AST):
    """The module-level object a call's name or dotted name (`datetime.datetime.now`) stands for,
    where only modules and classes are on the way, else None."""
    if isinstance(func, ast.Name):
        return b.info.objects.get(func.id) if b.lookup(func.id, record=False)[0] is None else None
    if isinstance(func, ast.Attribute):
        base = _standard_function(b, func.value)
        if isinstance(base, (types.ModuleType, type)):
            return getattr(base, func.attr, None)
    return None


def _module_function(obj):
    """The transform of a standard-library function the machine computes exactly (by the
    function object: `math.ceil(x)`, or `ceil(x)` after `from math import ceil`), else None."""
    if obj is json.dumps:
        return json_text.json_dumps
    if obj is json.loads:
        return json_text.json_loads
    return builtins.math_function(obj)


class Visitor:
    """The builder's `Lowering` (graph/builder.py): what `b.expr`, `b.call` and `b.block` do."""

    def expression(self, b, node: ast.AST) -> Expr:
        _refuse_set_misuse(b, node)
        transform = EXPRESSIONS.get(type(node))
        if transform is None:
            raise Refusal(node, f"{_construct(node)} is not supported in a workflow",
                          "move this into a callee (a module-level function, run as a Lambda)",
                          computable=isinstance(node, (ast.Set, ast.SetComp)))
        value = transform(b, node)
        if b.compute_in_lambda and any(g.lambda_exact for g in value.guards):
            raise Refusal(node, "this prints a float, which the state machine prints only where 15 digits suffice",
                          FLOAT_HINT, computable=True)  # exact in the workflow's Lambda
        # a number whose int-or-float kind nothing reads (analysis/blind_numbers.py), or that
        # its printer reads from the kind the value carries
        if b.kind_unseen(node) and not (b.kind_printed(node) and printed_kind(value) is None):
            return float_blind(value)
        return value

    def call(self, b, node: ast.Call, target: str | None = None) -> Expr:
        return transform_call(b, node, target)

    def block(self, b, statements: list[ast.stmt]) -> None:
        with b.lowering_block():
            # compute_in_lambda: runs around statements refused as computable become ComputedBlocks
            for statement in lambda_compute.carve(b, statements):
                self.statement(b, statement)

    def statement(self, b, statement: ast.stmt) -> None:
        """One statement; a refusal becomes a located problem and lowering goes on (the names the
        statement would assign are then unknown, so no follow-on problem is reported for them)."""
        transform = STATEMENTS.get(type(statement))
        if not isinstance(statement, (ast.If, ast.While, ast.For, ast.Try, ast.FunctionDef)):
            text = b.source_of(statement)
        else:
            text = b.info.line_text(statement.lineno)
        with b.lowering_statement(statement, text):
            try:
                if transform is None:
                    raise Refusal(statement, f"{_statement_name(statement)} is not supported in a workflow",
                                  "move this into a callee (a module-level function, run as a Lambda)")
                _refuse_set_misuse(b, statement.value if isinstance(statement, ast.Expr) else statement)
                transform(b, statement)
            except Refusal as refusal:
                if not refusal.follow_on:
                    node = refusal.node if refusal.node is not None else statement
                    mixed = _mixed(b, node, refusal)
                    kinds = _kinds_origin(b, node, refusal)
                    hint = lambda_compute.note_refusal(b, statement, refusal)
                    if kinds and "list may meet a tuple" in refusal.message:
                        hint = SEQUENCE_HINT  # (the user converted it: under the same name)
                    b.error(node, refusal.message + _origin_of_unknown(b, node, refusal) + mixed + kinds,
                            MIXED_HINT if mixed and not hint else hint)
                b.note_failed(_names_set(statement), _names_changed(statement))
                if isinstance(statement, (ast.Raise, ast.Return)):
                    b.then([])  # its path ends here all the same: no "may be used before it is assigned" after it
            except RecursionError:
                b.error(statement, "this statement is nested too deeply to compile", "split it into smaller steps")
            except Exception as error:  # a compiler bug: still a located problem, never a traceback
                b.error(statement, f"internal compiler error on this statement: {type(error).__name__}: {error}",
                        "please report it with the workflow; meanwhile, rewrite the statement or move it into a "
                        "callee")
