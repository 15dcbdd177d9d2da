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
    the workflow's own `return`, of the number or of a list or dict display or comprehension holding it (the
    execution's output is JSON, where 2 and 2.0 are one number), or a store into a container
    only that return reads (`out.append(x)`, `line["amount"] = x` of `for line in lines` then
    `return lines`: analysis/output_sinks.py),

or arithmetic whose own result only reaches such places: `+ x`, `- x`, `x + y`, `x - y`,
`x * y`, `x // 3`, `x % 3` (a nonzero literal divisor: Python's message for a zero divisor
names the kind), abs(x), round(x, n) (whose result is a float where x is: its lowering then stops
only on a zero Python keeps as -0.0), or a variable every read of which only reaches them
(`subtotal += amount`, then `f"{subtotal:.2f}"`). Every other read (printing it, returning it from a branch,
storing it in a list or dict, indexing, range(), passing it to a function, dividing by it)
may show the kind, and the stops stay. `x * y` with a sequence on the other side is Python's
TypeError for a float and a repetition for an int: the lowering checks it at run time where
a blind value meets an operand that may be a sequence (`BlindNumbers.lost`). A float zero has a
sign Python prints (-0.5 * 0 is -0.0, '-0.00') and JSON drops: where the dropped stop guarded
an operation that can make -0.0 (`*`, unary `-`, `//` and `%` by a negative literal), the
lowering stops instead on a zero that may be negative (operations.signed_zero_stop).

A variable printed whole (`str(total)`, f"{total}", `print(total)`, `repr(total)`), passed
to json.dumps or to a callee's parameter with no annotation (compiler._kind_reading), reads
its kind from a hidden companion the lowering keeps beside it (Builder.kind_pairs: the kind
each arithmetic result carries, Expr.kind): such a read is blind given that companion, and so
is every read whose value flows into such a variable (`kind_names`, `deps`). Where a binding
cannot say the kind (a loop target, unpacking, a value through a list), the variable loses
its companion and the stops that rested on it stay (Builder.kind_unseen). Arithmetic printed
or formatted directly (`str(a * b)`, f"{cents // 100:02d}", format(-a, "x")) is printed by the
kind its value carries (its operands' kinds, Expr.kind): blind where it carries one
(`printed`; the lowering keeps the stop where it carries none), and a variable formatted with a
literal spec reads its companion as one printed whole does.

`nodes` holds the expressions (and augmented assignments) whose own stop may go; the lowering
drops it (operations.float_blind). Names are judged by their reads anywhere in the body,
nested functions included, so a name shared by two scopes is judged by the reads of both.
"""

from __future__ import annotations

import ast
import re
import string
from typing import Any

import attrs

from . import output_sinks

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
    # a read printed whole (`str(total)`, f"{total}", print(total)) shows the kind, unless the
    # variable carries a hidden companion saying it (Builder.kind_pairs): such names, and those
    # whose values flow into them, are `kind_names`; a node (or name) in `nodes` whose blindness
    # rests on them is blind only where they have their companions (`deps`, Builder.kind_unseen)
    kind_names: frozenset = frozenset()
    deps: dict = attrs.Factory(dict)
    # arithmetic printed or formatted directly (`f"{cents // 100:02d}"`): blind only where its
    # value carries its kind (Expr.kind), which the printer reads; the lowering checks that
    printed: frozenset = frozenset()

    def unseen(self, node: ast.AST, has_companion) -> bool:
        """Whether nothing observes `node`'s kind, given which names keep a companion (a node of
        a loop the lowering copied, element_aliases.index_loop, as its original)."""
        node = getattr(node, "pysfn_original", node)
        return node in self.nodes and all(has_companion(name) for name in self.deps.get(node, ()))

    def printed_by_kind(self, node: ast.AST) -> bool:
        """Whether `node` is blind only given the kind its value carries (`printed`)."""
        return getattr(node, "pysfn_original", node) in self.printed

    def lost(self, node: ast.AST) -> bool:
        """Whether `node`'s value may be a number whose kind the machine no longer knows."""
        node = getattr(node, "pysfn_original", node)
        if isinstance(node, ast.Name):
            return node.id in self.lost_names
        if _rounding(node):  # round(x, n) is a float when x is (its own stop stays, for x's own floats)
            return node in self.nodes or self.lost(node.args[0])
        kept = _kind_kept(node)
        if kept is not None:  # (`n - 2`, `-n`: integral exactly where `n` is, so a kind by the rule)
            return node in self.nodes and self.lost(kept)
        return node in self.nodes and _loses_kind(node)



def blind_numbers(body: list[ast.stmt], shadowed: set, entry: bool = False, params: frozenset = frozenset(),
                  kind_reading=lambda call, node: False, fresh_call=lambda call: False) -> BlindNumbers:
    """The blind places of a function body; `shadowed`: names that hide a builtin; `entry`:
    the workflow's own body, whose result is JSON (an int and a float of one value are one
    JSON number: returning a number, or a display that holds it, shows no kind);
    `kind_reading(call, node)`: whether the call passes its argument `node` on with its kind
    (a callee's parameter with no annotation, json.dumps: compiler._kind_reading);
    `fresh_call(call)`: whether a call gives a fresh value nothing else holds (a callee's)."""
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
    first = _Judge(parents, shadowed, set(candidates), entry, companions=True, kind_reading=kind_reading)
    if entry:  # (the containers whose stores reach only the execution's output)
        first.sinks = output_sinks.find(module, parents, first.returned_read, fresh_call)
    judge = _settle(first, reads)
    compared = _settle(_Judge(parents, shadowed, set(candidates | (params - declared)), entry, any_comparison=True),
                       reads)
    # (where round(x, n)'s own stop goes, its lowering stops on a zero that may be -0.0 instead:
    # round(-0.004, 2), whose sign JSON cannot carry)
    deps = {node: found for node in ast.walk(module)
            if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call, ast.AugAssign))
            and (found := judge.reach(node)) is not None}
    kind_names = frozenset(name for name in judge.names if name in judge.name_deps.get(name, ()))
    found = BlindNumbers(frozenset(deps), frozenset(judge.names), frozenset(), frozenset(compared.names),
                         kind_names, {node: names for node, names in deps.items() if names},
                         frozenset(node for node in judge.printed if node in deps))
    lost = _lost_names(module, found)
    # (a name no blind number reaches follows the number rule: a read of it needs no companion)
    found = attrs.evolve(found, deps={node: names & lost for node, names in found.deps.items() if names & lost})
    # a name whose kind the machine may lose keeps a companion, where it can: an operation meeting
    # it then knows its kind (a TypeError's message, `y * s`) instead of stopping, and printing it
    # whole prints its kind. A name printed whole that no such number reaches needs none: its
    # numbers follow the number rule (a callee's result: `str(total)`)
    return attrs.evolve(found, lost_names=lost, kind_names=lost)


def _settle(judge: _Judge, reads: dict) -> _Judge:
    """The greatest set of names whose every read is blind, and the companions each relies
    on: its own where a read prints it or its value flows into a name that needs one."""
    changed = True
    while changed:
        changed = False
        for name in sorted(judge.names):
            found = [judge.reach(read) for read in reads.get(name, ())]
            if any(deps is None for deps in found):
                judge.names.discard(name)
                judge.name_deps.pop(name, None)
                changed = True
                continue
            deps = frozenset().union(*found)
            deps = deps | {name} if deps else deps
            if deps != judge.name_deps.get(name, frozenset()):
                judge.name_deps[name] = deps
                changed = True
    return judge


def _rounding(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round" \
        and len(node.args) == 2


def _kind_kept(node: ast.AST) -> ast.AST | None:
    """The operand whose int-or-float kind `node` has whatever it is: `x + 2`, `x - 2`, `2 - x`
    (an int literal added: integral exactly where x is, so no float turns integral), `x % 5`,
    `-x`, `+x`; None for other arithmetic."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return node.operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, ast.Constant) and type(side.value) is int:
                return other
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.right, ast.Constant) \
            and type(node.right.value) is int and node.right.value != 0:
        return node.left  # (x % 5 keeps x's fraction)
    return None


def _loses_kind(node: ast.AST) -> bool:
    """Arithmetic whose result's kind the machine may not know once its own stop is gone (not a
    true division: a float whatever its operands, as its type says)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.Div):
        return False
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
    companions: bool = False  # a name printed whole is blind given its companion (BlindNumbers.kind_names)
    kind_reading: Any = None  # (call, argument) -> whether the call passes the argument's kind on
    name_deps: dict = attrs.Factory(dict)  # name -> the companions its blindness rests on
    printed: set = attrs.Factory(set)  # arithmetic printed directly (BlindNumbers.printed)
    sinks: output_sinks.Sinks = output_sinks.NONE  # containers whose stores reach only the output

    def reach(self, node: ast.AST) -> frozenset | None:
        """Whether `node`'s value (an AugAssign: its result) reaches only blind places: None if
        not, else the names whose companions that rests on (none: blind outright)."""
        none: frozenset = frozenset()
        if isinstance(node, ast.AugAssign):
            ok = isinstance(node.target, ast.Name) and node.target.id in self.names and \
                isinstance(node.op, (ast.Add, ast.Sub, ast.Mult))
            return self.name_deps.get(node.target.id, none) if ok else None
        parent = self.parents.get(node)
        if isinstance(parent, ast.Compare):
            return none if self._compared(node, parent) else None
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)):
            return none if parent.test is node else None
        if isinstance(parent, ast.UnaryOp):
            if isinstance(parent.op, ast.Not):
                return none
            return self.reach(parent) if isinstance(parent.op, (ast.USub, ast.UAdd)) else None
        conversion = _percent_conversion(node, parent, self.parents.get(parent))
        if conversion in ("f", "F", "d", "i"):
            return none  # (`"%.1f%%" % x`: fixed decimals, or its int() for a float)
        if conversion in ("s", "r"):
            return self._printed_deps(node)
        if isinstance(parent, ast.BinOp):
            return self._operand(node, parent)
        if self.sinks.receives(node, parent):
            return none  # (stored where only the workflow's result reads it)
        if _format_fixed_point(node, parent, self.parents.get(parent)):
            return none  # (`"{:>14,.2f}".format(amount)`: fixed decimals)
        if isinstance(parent, ast.keyword) and isinstance(self.parents.get(parent), ast.Call):
            return self._printed(node, self.parents[parent])
        if isinstance(parent, ast.Call):
            printed = self._printed(node, parent)
            return printed if printed is not None else self._argument(node, parent)
        if isinstance(parent, ast.FormattedValue):
            if parent.value is node and parent.conversion == -1 and _fixed_point(parent.format_spec):
                return none
            return self._printed(node, parent)
        if isinstance(parent, ast.Assign):
            ok = parent.value is node and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name) \
                and parent.targets[0].id in self.names
            return self.name_deps.get(parent.targets[0].id, none) if ok else None
        if isinstance(parent, ast.AugAssign):
            return self.reach(parent) if parent.value is node else None
        if isinstance(parent, ast.Return):
            return none if self.entry and self._own_return(parent) else None
        if _holds(parent, node):
            return none if self.entry and self._returned(parent) else None  # (a display the workflow returns)
        return None

    def returned_read(self, node: ast.Name) -> bool:
        """Whether a read of a name is the workflow's own result, or held in a display that is."""
        parent = self.parents.get(node)
        return (isinstance(parent, ast.Return) and parent.value is node and self._own_return(parent)) or (
            _holds(parent, node) and self._returned(parent))

    def _returned(self, display: ast.AST) -> bool:
        """A display (or a comprehension's items) that is, or sits in displays that are, the
        function's own return value, or a value stored into an output sink
        (`slips.append({"gross": gross})`)."""
        parent = self.parents.get(display)
        while _holds(parent, display):
            display, parent = parent, self.parents.get(parent)
        return (isinstance(parent, ast.Return) and parent.value is display and self._own_return(parent)) \
            or self.sinks.receives(display, parent)

    def _printed(self, node: ast.AST, parent: ast.AST) -> frozenset | None:
        """Where `parent` prints `node` whole or formats it with a literal spec: the names whose
        companions that rests on (_printed_deps), else None."""
        if self._shown_directly(node, parent):
            return self._printed_deps(node)
        return frozenset({node.id}) if self._printed_name(node, parent) else None

    def _printed_deps(self, node: ast.AST) -> frozenset | None:
        """A variable printed (its own companion), or arithmetic printed directly (`str(a * b)`,
        f"{cents // 100:02d}", round(x, 2)) by the kind its operands carry (the names in it;
        those no blind number reaches need no companion: blind_numbers drops them; the lowering
        keeps the stop where the value carries no kind: BlindNumbers.printed); else None."""
        if not self.companions:
            return None
        if isinstance(node, ast.Name):
            return frozenset({node.id}) if node.id in self.names else None
        if not (_loses_kind(node) or _rounding(node)) or isinstance(node, ast.AugAssign):
            return None
        self.printed.add(node)
        return frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))

    def _shown_directly(self, node: ast.AST, parent: ast.AST) -> bool:
        """Where a value is printed or formatted with a literal spec by formatting.py's printers,
        which read the kind a number carries: f"{v}", f"{v!s}", f"{v!r}", f"{v:spec}",
        str(v), repr(v), format(v, "spec") (and `"%s" % v`: reach)."""
        if isinstance(parent, ast.FormattedValue):
            spec = parent.format_spec
            literal = spec is None or all(isinstance(v, ast.Constant) for v in spec.values)
            return parent.value is node and (parent.conversion == -1 and literal or
                                             parent.conversion in (ord("s"), ord("r")) and spec is None)
        if not (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)) or parent.keywords \
                or parent.func.id in self.shadowed or not parent.args or parent.args[0] is not node:
            return False
        name, args = parent.func.id, parent.args
        return (name in ("str", "repr") and len(args) == 1) or (
            name == "format" and (len(args) == 1 or len(args) == 2 and isinstance(args[1], ast.Constant)
                                  and isinstance(args[1].value, str)))

    def _printed_name(self, node: ast.AST, parent: ast.AST) -> bool:
        """A variable printed by print() or passed on with its kind (a callee's parameter)."""
        if not (self.companions and isinstance(node, ast.Name) and node.id in self.names) \
                or not isinstance(parent, ast.Call):
            return False
        if self.kind_reading is not None and self.kind_reading(parent, node):
            return True
        name = parent.func.id if isinstance(parent.func, ast.Name) and parent.func.id not in self.shadowed else None
        return name == "print" and node in parent.args

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

    def _operand(self, node: ast.AST, binop: ast.BinOp) -> frozenset | None:
        op = binop.op
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
            return self.reach(binop)
        if isinstance(op, ast.Div):  # the same float either way; a zero divisor stops (its message names the kind)
            # (an operation's own stop stays: operations.division_operands checks it where the divisor is 0)
            ok = isinstance(node, ast.Name) or (binop.left is node and _number_literal(binop.right)
                                                and binop.right.value != 0)
            return frozenset() if ok else None
        if binop.left is not node or not _number_literal(binop.right) or binop.right.value == 0:
            return None
        return self.reach(binop) if isinstance(op, (ast.FloorDiv, ast.Mod)) else None

    def _argument(self, node: ast.AST, call: ast.Call) -> frozenset | None:
        name = call.func.id if isinstance(call.func, ast.Name) and call.func.id not in self.shadowed else None
        if name is None or call.keywords or not call.args or call.args[0] is not node:
            return None
        if name == "format":
            ok = len(call.args) == 2 and isinstance(call.args[1], ast.Constant) and \
                isinstance(call.args[1].value, str) and _FIXED_POINT.search(call.args[1].value) is not None
            return frozenset() if ok else None
        if len(call.args) == 1 and name in _BLIND_CALLS:
            return frozenset()
        if name in _PASSING_CALLS and len(call.args) == (2 if name == "round" else 1):
            return self.reach(call)
        return None


def _holds(parent: ast.AST | None, node: ast.AST) -> bool:
    """Whether `parent` holds `node`'s value as one of its items: a list, tuple or dict display
    (a dict's value), or a list or dict comprehension's element (`[x * 2 for x in xs]`)."""
    if isinstance(parent, (ast.List, ast.Tuple)):
        return True
    if isinstance(parent, ast.Dict):
        return node in parent.values
    if isinstance(parent, ast.ListComp):
        return parent.elt is node
    return isinstance(parent, ast.DictComp) and parent.value is node


# a %-format's conversions (`%(key)` and `*` widths: none found, so nothing taken for blind)
_PERCENT_CONVERSION = re.compile(r"%[-+ 0#]*\d*(?:\.\d*)?(.?)", re.DOTALL)


def _percent_conversion(node: ast.AST, parent: ast.AST, grandparent: ast.AST | None) -> str | None:
    """The conversion a %-format gives `node` (`"%5.1f%%" % x`, `"%d of %s" % (n, x)`: "f",
    "s"), or None where it is no such value or the template is not plain (keys, `*`)."""
    if isinstance(parent, ast.Tuple) and isinstance(grandparent, ast.BinOp) and grandparent.right is parent:
        values, formatting = parent.elts, grandparent
    elif isinstance(parent, ast.BinOp) and parent.right is node and not isinstance(node, ast.Tuple):
        values, formatting = [node], parent
    else:
        return None
    template = formatting.left
    if not (isinstance(formatting.op, ast.Mod) and isinstance(template, ast.Constant) and isinstance(template.value, str)) \
            or node not in values or "%(" in template.value or "*" in template.value \
            or any(isinstance(v, ast.Starred) for v in values):
        return None
    conversions = [c for c in _PERCENT_CONVERSION.findall(template.value) if c != "%"]
    return conversions[values.index(node)] if len(conversions) == len(values) else None


def _format_fixed_point(node: ast.AST, parent: ast.AST, grandparent: ast.AST | None) -> bool:
    """An argument of `"literal {...}".format(...)` that every field naming it formats with
    fixed decimals (`{:>14,.2f}`, `{total:.1%}`): it prints alike as an int or a float."""
    call, keyword = (grandparent, parent.arg) if isinstance(parent, ast.keyword) else (parent, None)
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "format"
            and isinstance(call.func.value, ast.Constant) and isinstance(call.func.value.value, str)) \
            or any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False
    if keyword is None and node not in call.args:
        return False
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(call.func.value.value)
                  if name is not None]
    except ValueError:
        return False
    automatic, specs = 0, []
    for name, spec, conversion in fields:
        if name == "":
            name, automatic = str(automatic), automatic + 1
        if any(ch in name for ch in ".[") or "{" in spec:  # (an attribute, an index, a computed spec)
            return False
        wanted = keyword if keyword is not None else str(call.args.index(node))
        if name == wanted:
            specs.append((spec, conversion))
    return bool(specs) and all(conversion is None and _FIXED_POINT.search(spec) for spec, conversion in specs)


def _fixed_point(spec: ast.AST | None) -> bool:
    return isinstance(spec, ast.JoinedStr) and len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant) \
        and _FIXED_POINT.search(spec.values[0].value) is not None


def _number_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)
