"""Where a number's int-or-float kind can never show, so the machine need not stop for it.

JSON has one number type: arithmetic on numbers of unknown type whose result is integral
although an operand was a float (`12.5 * 1000`) gives Python the float 12500.0 and the
machine 12500, and the machine stops (pysfn.AmbiguousNumber) rather than go on with a number
whose kind it lost. That stop is needed only where the kind could show. It cannot where the
value only reaches

    an equality comparison (`==`, `!=`), an order comparison with a number literal,
    a truth test (`if x`, `while x`, `not x`, `assert x`, `a if x else b`),
    int(x), float(x), bool(x), round(x),
    fixed-point formatting: f"{x:.2f}", f"{x:>10,.1f}", format(x, ".2f"),
    a true division (x / n is the same float either way; where n is 0, Python's message names the
    kind: "float division by zero", so the machine stops there),
    the workflow's own `return`, of the number or of a list or dict display holding it (the
    execution's output is JSON, where 2 and 2.0 are one number),

or arithmetic whose own result only reaches such places: `+ x`, `- x`, `x + y`, `x - y`,
`x * y`, `x // 3`, `x % 3` (a nonzero literal divisor: Python's message for a zero divisor
names the kind), abs(x), round(x, n) (whose own stop stays), or a variable every read of which only reaches them
(`subtotal += amount`, then `f"{subtotal:.2f}"`). Every other read (printing it, returning it from a branch,
storing it in a list or dict, indexing, range(), passing it to a function, dividing by it)
may show the kind, and the stops stay. `x * y` with a sequence on the other side is Python's
TypeError for a float and a repetition for an int: the lowering checks it at run time where
a blind value meets an operand that may be a sequence (`BlindNumbers.lost`). A float zero has a
sign Python prints (-0.5 * 0 is -0.0, '-0.00') and JSON drops: where the dropped stop guarded
an operation that can make -0.0 (`*`, unary `-`, `//` and `%` by a negative literal), the
lowering stops instead on a zero that may be negative (operations.signed_zero_stop).

`nodes` holds the expressions (and augmented assignments) whose own stop may go; the lowering
drops it (operations.float_blind). Names are judged by their reads anywhere in the body,
nested functions included, so a name shared by two scopes is judged by the reads of both.
"""

from __future__ import annotations

import ast
import re

import attrs

_FIXED_POINT = re.compile(r"\.\d+[fF%]$")
_BLIND_CALLS = frozenset({"int", "float", "bool", "round"})
_PASSING_CALLS = frozenset({"abs", "round"})


@attrs.frozen
class BlindNumbers:
    nodes: frozenset  # the expressions and AugAssigns whose int-or-float kind nothing observes
    names: frozenset  # the variables every read of which is such a place
    lost_names: frozenset  # those of them some store gives a number whose kind may be lost
    # the variables every read of which is such a place or any comparison (`x > limit`: only
    # TypeError's message for a value that is no number would name the kind): a parameter's
    # integral float default may go unnoticed there (compiler.bind_entry)
    compared_names: frozenset = frozenset()

    def lost(self, node: ast.AST) -> bool:
        """Whether `node`'s value may be a number whose kind the machine no longer knows."""
        if isinstance(node, ast.Name):
            return node.id in self.lost_names
        if _rounding(node):  # round(x, n) is a float when x is (its own stop stays, for x's own floats)
            return self.lost(node.args[0])
        return node in self.nodes and _loses_kind(node)



def blind_numbers(body: list[ast.stmt], shadowed: set, entry: bool = False, params: frozenset = frozenset()) -> BlindNumbers:
    """The blind places of a function body; `shadowed`: names that hide a builtin; `entry`:
    the workflow's own body, whose result is JSON (an int and a float of one value are one
    JSON number: returning a number, or a display that holds it, shows no kind)."""
    module = ast.Module(body=body, type_ignores=[])
    parents: dict = {}
    for node in ast.walk(module):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    declared = {name for node in ast.walk(module) if isinstance(node, (ast.Global, ast.Nonlocal))
                for name in node.names}
    stored = {node.id for node in ast.walk(module) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    candidates = stored - declared
    reads: dict = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in candidates | params:
            reads.setdefault(node.id, []).append(node)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in candidates:
            reads.setdefault(node.target.id, []).append(node)
    judge = _settle(_Judge(parents, shadowed, set(candidates), entry), reads)
    compared = _settle(_Judge(parents, shadowed, set(candidates | (params - declared)), entry, any_comparison=True),
                       reads)
    # round(x, n)'s own stop stays: round(-0.04, 1) is -0.0, a zero whose sign JSON cannot carry
    nodes = frozenset(node for node in ast.walk(module)
                      if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call, ast.AugAssign)) and judge.blind(node)
                      and not _rounding(node))
    found = BlindNumbers(nodes, frozenset(judge.names), frozenset(), frozenset(compared.names))
    return attrs.evolve(found, lost_names=_lost_names(module, found))


def _settle(judge: _Judge, reads: dict) -> _Judge:
    """The greatest set of names whose every read is blind."""
    changed = True
    while changed:
        changed = False
        for name in sorted(judge.names):
            if not all(judge.blind(read) for read in reads.get(name, ())):
                judge.names.discard(name)
                changed = True
    return judge


def _rounding(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round" \
        and len(node.args) == 2


def _loses_kind(node: ast.AST) -> bool:
    """Arithmetic whose result's kind the machine may not know once its own stop is gone."""
    return isinstance(node, (ast.BinOp, ast.UnaryOp, ast.AugAssign)) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "abs"))


def _lost_names(module: ast.Module, blind: BlindNumbers) -> frozenset:
    """The blind names some store gives a value whose kind may be lost: a blind arithmetic
    result, another such name, round(x, n) of one (to a fixed point); a name only ever given
    plain values (parameters, literals, callee results) keeps the number rule."""
    while True:
        found = set(blind.lost_names)
        for node in ast.walk(module):
            if isinstance(node, ast.AugAssign) and node in blind.nodes:
                found.add(node.target.id)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id in blind.names and blind.lost(node.value):
                found.add(node.targets[0].id)
        if found == blind.lost_names:
            return blind.lost_names
        blind = attrs.evolve(blind, lost_names=frozenset(found))


@attrs.define
class _Judge:
    parents: dict
    shadowed: set
    names: set  # the names still taken for blind
    entry: bool = False  # the workflow's body: its own `return` gives the execution's JSON output
    any_comparison: bool = False  # every comparison is blind (BlindNumbers.compared_names)

    def blind(self, node: ast.AST) -> bool:
        """Whether `node`'s value (an AugAssign: its result) reaches only blind places."""
        if isinstance(node, ast.AugAssign):
            return isinstance(node.target, ast.Name) and node.target.id in self.names and \
                isinstance(node.op, (ast.Add, ast.Sub, ast.Mult))
        parent = self.parents.get(node)
        if isinstance(parent, ast.Compare):
            return self._compared(node, parent)
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            return parent.test is node
        if isinstance(parent, ast.UnaryOp):
            return isinstance(parent.op, ast.Not) or (isinstance(parent.op, (ast.USub, ast.UAdd)) and self.blind(parent))
        if isinstance(parent, ast.BinOp):
            return self._operand(node, parent)
        if isinstance(parent, ast.Call):
            return self._argument(node, parent)
        if isinstance(parent, ast.FormattedValue):
            return parent.value is node and parent.conversion == -1 and _fixed_point(parent.format_spec)
        if isinstance(parent, ast.Assign):
            return parent.value is node and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name) \
                and parent.targets[0].id in self.names
        if isinstance(parent, ast.AugAssign):
            return parent.value is node and self.blind(parent)
        if isinstance(parent, ast.Return):
            return self.entry and self._own_return(parent)
        if isinstance(parent, (ast.List, ast.Tuple)) or isinstance(parent, ast.Dict) and node in parent.values:
            return self.entry and self.blind(parent)  # (a display the workflow returns)
        return False

    def _own_return(self, node: ast.Return) -> bool:
        """A `return` of the function itself (not of a nested function or lambda)."""
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return False
            parent = self.parents.get(parent)
        return True

    def _compared(self, node: ast.AST, compare: ast.Compare) -> bool:
        if self.any_comparison:
            return True
        operands = [compare.left, *compare.comparators]
        at = operands.index(node)
        ops = [compare.ops[at - 1]] if at else []
        others = [operands[at - 1]] if at else []
        if at < len(compare.ops):
            ops.append(compare.ops[at])
            others.append(operands[at + 1])
        return all(isinstance(op, (ast.Eq, ast.NotEq)) or
                   (isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) and _number_literal(other))
                   for op, other in zip(ops, others, strict=True))

    def _operand(self, node: ast.AST, binop: ast.BinOp) -> bool:
        op = binop.op
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
            return self.blind(binop)
        if isinstance(op, ast.Div):  # the same float either way; a zero divisor stops (its message names the kind)
            # (an operation's own stop stays: operations.division_operands checks it where the divisor is 0)
            return isinstance(node, ast.Name) or (binop.left is node and _number_literal(binop.right)
                                                  and binop.right.value != 0)
        if binop.left is not node or not _number_literal(binop.right) or binop.right.value == 0:
            return False
        return isinstance(op, (ast.FloorDiv, ast.Mod)) and self.blind(binop)

    def _argument(self, node: ast.AST, call: ast.Call) -> bool:
        name = call.func.id if isinstance(call.func, ast.Name) and call.func.id not in self.shadowed else None
        if name is None or call.keywords or not call.args or call.args[0] is not node:
            return False
        if name == "format":
            return len(call.args) == 2 and isinstance(call.args[1], ast.Constant) and \
                isinstance(call.args[1].value, str) and _FIXED_POINT.search(call.args[1].value) is not None
        if len(call.args) == 1 and name in _BLIND_CALLS:
            return True
        return name in _PASSING_CALLS and len(call.args) == (2 if name == "round" else 1) and self.blind(call)


def _fixed_point(spec: ast.AST | None) -> bool:
    return isinstance(spec, ast.JoinedStr) and len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant) \
        and _FIXED_POINT.search(spec.values[0].value) is not None


def _number_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)
