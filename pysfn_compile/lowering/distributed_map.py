"""sfn.map(..., distributed=True): a distributed Map, each item (or batch) a child execution.

Python's semantics (runtime/sfn.py: map) are kept exactly whatever AWS does with a failed child:
a child never fails for a Python exception. Its graph's ends are rewritten
(`results_as_records`): a return is the output `{"v": value}`, an exception nobody in the
child catches the output `{"raised": {"type", "message"}}` (a stop that is no Python exception,
such as pysfn.IntegerOverflow or a Task's States.Timeout, still fails the child, and the Map
run with it: loud). The parent then (`raise_or_unwrap`) raises the first item's exception, or,
with a tolerance, sfn.ToleratedFailureExceeded when the failures exceed it (the failed items'
results None), and unwraps the values. So AWS's own ToleratedFailure* fields are not written:
its threshold counts only failed children, which Python exceptions no longer make.

With `result_writer=sfn.s3_results(bucket, prefix)` the records go to S3 (a ResultWriter,
COMPACT: each child's record as it is) and the Map's result, where they are, is the call's:
nothing is raised or unwrapped, and a tolerance is refused (runtime/sfn.py: map).

Children are executions of their own: they do not see the workflow's variables (AWS), so a
body that reads one is refused, as are sfn.context()/sfn.now() (the child's execution, not the
workflow's) and `raise sfn.Fail` (it would fail the child, and the Map run with AWS's error).
"""

from __future__ import annotations

import ast

from ..analysis import pytypes
from ..errors import Refusal
from ..graph import ir
from ..graph.exprs import Expr, guard
from ..runtime import sfn

OPTIONS = ("distributed", "execution_type", "batch_size", "tolerated_failure_count", "tolerated_failure_percentage")
INPUT_TYPES = ("JSON", "JSONL", "CSV")


def literal_options(keywords: dict) -> dict:
    """The distributed Map's options, literals checked (a located refusal for anything else)."""
    out = {}
    distributed = keywords.get("distributed")
    if distributed is not None and not (isinstance(distributed, ast.Constant) and isinstance(distributed.value, bool)):
        raise Refusal(distributed, "distributed= must be a literal True or False")
    out["distributed"] = bool(distributed is not None and distributed.value)
    for name in OPTIONS[1:]:
        node = keywords.get(name)
        value = node.value if isinstance(node, ast.Constant) else node
        if node is not None and not out["distributed"]:
            raise Refusal(node, f"{name}= is for a distributed Map", "add distributed=True")
        if node is None or value is None:
            out[name] = None
            continue
        if not isinstance(node, ast.Constant):
            raise Refusal(node, f"{name}= must be a literal")
        if name == "execution_type" and value not in ("STANDARD", "EXPRESS"):
            raise Refusal(node, "execution_type= must be 'STANDARD' or 'EXPRESS'")
        if name in ("batch_size", "tolerated_failure_count") and (
                not isinstance(value, int) or isinstance(value, bool) or value < (1 if name == "batch_size" else 0)):
            raise Refusal(node, f"{name}= must be an int >= {1 if name == 'batch_size' else 0}")
        if name == "tolerated_failure_percentage" and (
                not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 100):
            raise Refusal(node, "tolerated_failure_percentage= must be a number from 0 to 100")
        out[name] = value
    out["execution_type"] = out.get("execution_type") or "STANDARD"
    return out


def check_writer_options(node: ast.AST, options: dict) -> None:
    """A result writer records each item's exception in the results, so the workflow cannot
    raise one nor count them: refused with a tolerance (and without distributed=True)."""
    if not options["distributed"]:
        raise Refusal(node, "result_writer= is for a distributed Map", "add distributed=True")
    for name in ("tolerated_failure_count", "tolerated_failure_percentage"):
        if options[name] is not None:
            raise Refusal(node, f"with result_writer= each item's exception is recorded in the results, none is "
                          f"raised: {name}= has nothing to count", f"drop {name}=, or result_writer=")


def s3_reader(b, node: ast.Call, operands) -> dict:
    """sfn.s3_items(bucket, key, input_type="JSON") as an ItemReader's fields."""
    names = ("bucket", "key", "input_type")
    if len(node.args) > 3 or any(k.arg not in names for k in node.keywords):
        raise Refusal(node, "sfn.s3_items(bucket, key, input_type='JSON')")
    given = dict(zip(names, node.args, strict=False)) | {k.arg: k.value for k in node.keywords}
    if "bucket" not in given or "key" not in given:
        raise Refusal(node, "sfn.s3_items() needs the bucket and the key")
    input_type = given.get("input_type")
    kind = "JSON" if input_type is None else input_type.value if isinstance(input_type, ast.Constant) else None
    if kind not in INPUT_TYPES:
        raise Refusal(input_type, "input_type= must be a literal 'JSON', 'JSONL' or 'CSV'")
    bucket, key = _strings(b, "sfn.s3_items()", [("bucket", given["bucket"]), ("key", given["key"])], operands,
                           "Check S3 items")
    return {"Bucket": b.field(bucket), "Key": b.field(key), "InputType": kind}


def s3_writer(b, node: ast.AST, operands) -> dict:
    """result_writer=sfn.s3_results(bucket, prefix="") as a ResultWriter's Arguments."""
    if not (isinstance(node, ast.Call) and _sfn_name(b, node.func) == "s3_results"):
        raise Refusal(node, "result_writer= must be sfn.s3_results(bucket, prefix)")
    names = ("bucket", "prefix")
    if len(node.args) > 2 or any(k.arg not in names for k in node.keywords):
        raise Refusal(node, "sfn.s3_results(bucket, prefix='')")
    given = dict(zip(names, node.args, strict=False)) | {k.arg: k.value for k in node.keywords}
    if "bucket" not in given:
        raise Refusal(node, "sfn.s3_results() needs the bucket")
    prefix = given.get("prefix") or ast.copy_location(ast.Constant(""), node)
    bucket, prefix = _strings(b, "sfn.s3_results()", [("bucket", given["bucket"]), ("prefix", prefix)], operands,
                              "Check S3 results")
    return {"Bucket": b.field(bucket), "Prefix": b.field(prefix)}


def label(function: ast.AST) -> str:
    """The Map's Label, which names its map run and so its result files' folder: the item
    function's name, as a plain run sees it (runtime/sfn.py: map_label)."""
    return sfn.map_label(function.id if isinstance(function, ast.Name) else "<lambda>")


def _strings(b, what: str, named: list, operands, title: str) -> list[Expr]:
    """The operands, each a str (a run-time TypeError as Python's where only then known)."""
    checked = []
    for (label_, node), value in zip(named, operands(b, [node for _, node in named]), strict=True):
        if value.ty.is_any:  # known at run time only: Python's TypeError (runtime/sfn.py)
            check = guard(f"($type({value.code}) != 'string')", TypeError,
                          f"'{what} {label_} must be a str, not ' & $__pytype({value.code})", value,
                          helpers={"pytype"})
            value = Expr(value.code, pytypes.STR, value.guards + (check,), value.reads, value.helpers | check.helpers)
        elif not value.ty.only("str"):
            raise Refusal(node, f"the {label_} of {what} must be a str, not {value.ty.describe()}")
        checked.append(value)
    b.check(checked, title)
    return checked


def is_s3_items(b, node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return b.lookup(func.id)[0] is None and b.info.sfn_function(func.id) == "s3_items"
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and b.info.is_sfn_module(func.value.id) and func.attr == "s3_items"


def item_type(reader: dict) -> pytypes.Ty:
    """What an item read from S3 is: any JSON value, or a CSV row (a dict of str)."""
    return pytypes.dict_of(pytypes.STR) if reader["InputType"] == "CSV" else pytypes.ANY


def check_body(b, function: ast.AST, params: list[str], execution_type: str = "STANDARD") -> None:
    """A child execution sees only its item: refuse what reads the workflow's own state (and
    what an EXPRESS child cannot do: wait for a callback)."""
    body = function.body if isinstance(function, ast.FunctionDef) else [function.body]
    own = set(params)
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node is not function:
            own.update(a.arg for a in node.args.args)
            if isinstance(node, ast.FunctionDef):
                own.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            own.add(node.name)
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in own \
                and b.lookup(node.id, record=False)[0] is not None:
            raise Refusal(node, f"a distributed Map's item runs as a child execution, which does not see the "
                          f"workflow's variables: '{node.id}' is one", "pass what the body needs in its items")
        if isinstance(node, ast.Call):
            name = _sfn_name(b, node.func)
            if name == "wait_for_callback" and execution_type == "EXPRESS":
                raise Refusal(node, "an EXPRESS child execution cannot wait for a callback (Express workflows do not "
                              "support .waitForTaskToken)", "use execution_type='STANDARD'")
            if name in ("context", "now"):
                raise Refusal(node, f"sfn.{name}() in a distributed Map's item is its child execution's, not the "
                              "workflow's", f"read sfn.{name}() before the Map and pass it in the items")
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and _sfn_name(b, node.exc.func) == "Fail":
            raise Refusal(node, "raise sfn.Fail in a distributed Map's item would fail its child execution, and the "
                          "Map run with AWS's own error", "raise an exception class: the workflow sees it")


def _sfn_name(b, func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        obj = b.info.objects.get(func.id)
        return "Fail" if obj is sfn.Fail else b.info.sfn_function(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and b.info.is_sfn_module(func.value.id):
        return func.attr
    return None


def results_as_records(graph: ir.Graph) -> None:
    """A child's ends as outputs: a return `{"v": value}`, an uncaught exception
    `{"raised": {"type", "message"}}`; a stop that is no Python exception stays a Fail."""
    replaced: dict[int, ir.Node] = {}

    def record(node: ir.Node) -> ir.Node:
        if isinstance(node, ir.Succeed):
            node.output = {"v": node.output}
            return node
        if isinstance(node, ir.Fail) and not node.title.startswith("Stop:"):
            if id(node) not in replaced:
                out = ir.Succeed(title=node.title, output={"raised": {"type": node.error, "message": node.cause}})
                out.lines, out.check = list(node.lines), node.check
                replaced[id(node)] = out
            return replaced[id(node)]
        return node

    for node in ir.nodes(graph):
        for edge in ir.edges(node):
            target = edge.target
            if target is not None:
                setattr(edge.holder, edge.attr, record(target) if id(target) not in replaced else replaced[id(target)])
    if graph.entry is not None:
        graph.entry = record(graph.entry)


def raise_or_unwrap(b, node: ast.Call, raw: str, var: str, options: dict) -> None:
    """After the Map: the first item's exception raised (or sfn.ToleratedFailureExceeded beyond
    the tolerance), else `var` set to the values (a failed item's None)."""
    failed = f"${raw}[$exists(raised)]"
    count, share = options["tolerated_failure_count"], options["tolerated_failure_percentage"]
    choice = ir.Choice(title=f"Raised in the Map (line {node.lineno})")
    if count is None and share is None:
        condition = f"$exists({failed})"
        first = f"({failed})[0].raised"
        assign, label = b.route(None, {"type": ir.Code(f"{first}.type"), "message": ir.Code(f"{first}.message")})
        what = "an item's exception"
    else:
        limits = ([f"$count({failed}) > {count}"] if count is not None else []) + \
            ([f"$count({failed}) * 100 > {share!r} * $count(${raw})"] if share is not None else [])
        condition = " or ".join(limits)
        error = sfn.ToleratedFailureExceeded()
        assign, label = b.route(sfn.ToleratedFailureExceeded, {"type": error.error, "message": error.cause})
        what = sfn.ToleratedFailureExceeded.error_name
    rule = ir.Rule(ir.Code(condition), dict(assign), check=what)
    label.add(b.hole(rule, "next", assigned=frozenset(assign)))
    choice.rules.append(rule)
    # $reduce, not $map: $map of one item gives the item, of none nothing; an array value is
    # appended as one item ([[$v]]: an array constructor flattens a sequence), read with $lookup
    values = (f"$reduce(${raw}, function($a, $r) {{ ($v := $exists($r.raised) ? null : $lookup($r, 'v'); "
              f"$append($a, $type($v) = 'array' ? [[$v]] : [$v])) }}, [])")
    choice.default_assign = {var: ir.Code(values)}
    b.add(choice)
    b.then([b.hole(choice, "default", assigned=frozenset([var]))])


def batch_type(item_ty: pytypes.Ty) -> pytypes.Ty:
    return pytypes.list_of(item_ty)


def result(var: str, ty: pytypes.Ty, tolerant: bool) -> Expr:
    return Expr("$" + var, pytypes.list_of(pytypes.join(ty, pytypes.NONE) if tolerant else ty),
                reads=frozenset([var]))
